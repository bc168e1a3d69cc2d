// Uppy (@uppy/core and @uppy/tus, v6) for tests in Node, behind the few
// types they use. Uppy's own types import preact's JSX types, which
// reference TypeScript's DOM library; in this workspace's one program that
// would replace Node's `fetch` and `BodyInit` types with the DOM's in every
// file (tests sending a Uint8Array body no longer typecheck). So Uppy is
// loaded through specifiers TypeScript does not follow, and typed here.
import type * as tus from 'tus-js-client';

/** A file as Uppy reports it after an upload (`result.successful`, `result.failed`). */
export interface UppyFileResult {
  response?: { uploadURL?: string } | undefined;
  error?: string | undefined;
}

/** The options of Uppy's Tus plugin these tests set; the rest keep Uppy's defaults. */
export interface TusPluginOptions {
  endpoint: string;
  headers: Record<string, string>;
  fileReader: NonNullable<tus.UploadOptions['fileReader']>;
  onBeforeRequest: (request: tus.HttpRequest) => void;
}

export interface Uppy {
  use(plugin: TusPlugin, options: TusPluginOptions): Uppy;
  addFile(file: {
    source: string;
    name: string;
    type: string;
    data: Blob;
    meta: Record<string, unknown>;
  }): string;
  upload(): Promise<{ successful?: UppyFileResult[]; failed?: UppyFileResult[] } | undefined>;
}

/** The Tus plugin class, passed to `uppy.use`. */
export type TusPlugin = abstract new (...args: never[]) => unknown;

const CORE: string = '@uppy/core';
const TUS: string = '@uppy/tus';

/** Loads Uppy's core and its Tus plugin. */
export async function loadUppy(): Promise<{ Uppy: new () => Uppy; Tus: TusPlugin }> {
  const [core, plugin] = await Promise.all([import(CORE), import(TUS)]);
  return { Uppy: core.default, Tus: plugin.default };
}
