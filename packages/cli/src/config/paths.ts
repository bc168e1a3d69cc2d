import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Where the CLI keeps what it may lose without harm: the hash cache and the
 * resumable uploads' state. `FLICKR_CACHE_DIR` moves it (tests, CI caches);
 * otherwise the platform's cache folder, as the SDK's own default.
 */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.FLICKR_CACHE_DIR) return env.FLICKR_CACHE_DIR;
  const base =
    process.platform === 'win32'
      ? (env.LOCALAPPDATA ?? join(homedir(), 'AppData', 'Local'))
      : process.platform === 'darwin'
        ? join(homedir(), 'Library', 'Caches')
        : (env.XDG_CACHE_HOME ?? join(homedir(), '.cache'));
  return join(base, 'flickr-cli');
}
