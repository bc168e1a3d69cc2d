// The upload baseline: the least a server can do with an uploaded file.
// A minimal Fastify app takes a plain HTTP PUT, hashes the bytes with
// SHA-256 as they stream in and writes them to a file, as the tus endpoint
// does, without authentication, resumability, metadata or a database.
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import Fastify, { type FastifyInstance } from 'fastify';

/** Path of the sink's single route; the file name is the last segment. */
export const SINK_PATH = '/sink';

/** Starts the sink on port 0, writing into `dir`; returns the app, already listening. */
export async function startHashingSink(dir: string): Promise<FastifyInstance> {
  await mkdir(dir, { recursive: true });
  const app = Fastify({ logger: false, bodyLimit: Number.MAX_SAFE_INTEGER });
  // The body is read as a stream by the handler, never buffered.
  app.addContentTypeParser('*', (_request, _payload, done) => done(null));
  app.put<{ Params: { name: string } }>(`${SINK_PATH}/:name`, async (request) => {
    const hash = createHash('sha256');
    let bytes = 0;
    const hashing = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        hash.update(chunk);
        bytes += chunk.length;
        callback(null, chunk);
      },
    });
    await pipeline(request.raw, hashing, createWriteStream(join(dir, request.params.name)));
    return { bytes, sha256: hash.digest('hex') };
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  return app;
}
