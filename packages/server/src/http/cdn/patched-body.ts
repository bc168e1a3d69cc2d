import { pipeline, type Readable, Transform } from 'node:stream';
import { type BytePatch, patchChunk } from '@flickr-kit/thumbnail-core';

/**
 * A file's bytes from `start` on, as a buffer or a stream, with the patches
 * that reach into them applied as they pass: the GPS-free copy of an
 * original, served from the original's own bytes, whole or by range.
 */
export function patchedBody(
  body: Buffer | Readable,
  start: number,
  patches: readonly BytePatch[],
): Buffer | Readable {
  if (patches.length === 0) return body;
  if (Buffer.isBuffer(body)) return Buffer.from(patchChunk(body, start, patches));
  let at = start;
  const patching = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      const patched = patchChunk(chunk, at, patches);
      at += chunk.length;
      done(null, patched);
    },
  });
  // A read error destroys the transform with it, which ends the response.
  return pipeline(body, patching, () => {});
}
