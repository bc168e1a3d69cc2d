import { isAbsolute, relative } from 'node:path';

/** A path as people read it: relative to the working folder when inside it, absolute otherwise. */
export function displayPath(path: string, cwd = process.cwd()): string {
  const shown = relative(cwd, path);
  return shown && !shown.startsWith('..') && !isAbsolute(shown) ? shown : path;
}
