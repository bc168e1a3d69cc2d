import { finished, type Readable } from 'node:stream';

/**
 * A request body as a web stream that hands the socket's buffers on as they
 * are. @tus/server reads bodies as web streams, and srvx makes them with
 * Node's `Readable.toWeb`, which copies every chunk into a fresh ArrayBuffer
 * to detach it from Buffer's pool: for a 200 MiB upload, 200 MiB of copies
 * and the garbage collections they set off, which cost the tus endpoint a
 * good part of its throughput (packages/server/bench/upload-throughput.bench.ts).
 * Socket reads are not pool slices, and tus turns the stream straight back
 * into a Node stream with a default reader, which never transfers a chunk's
 * buffer, so there is nothing to detach. Backpressure and errors behave as
 * in Node's adapter: a body cut short ends in an `AbortError`.
 */
export function requestBodyStream(source: Readable): ReadableStream<Uint8Array> {
  let settled = false;
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        finished(source, { writable: false }, (error) => {
          if (settled) return;
          settled = true;
          if (!error) controller.close();
          else if ((error as NodeJS.ErrnoException).code === 'ERR_STREAM_PREMATURE_CLOSE')
            controller.error(
              new DOMException('The request ended before its body', {
                name: 'AbortError',
                cause: error,
              }),
            );
          else controller.error(error);
        });
        source.pause();
        source.on('data', (chunk: Buffer) => {
          if (settled) return;
          controller.enqueue(chunk);
          if ((controller.desiredSize ?? 0) <= 0) source.pause();
        });
      },
      pull() {
        source.resume();
      },
      cancel(reason) {
        settled = true;
        source.destroy(reason instanceof Error ? reason : undefined);
      },
    },
    new ByteLengthQueuingStrategy({ highWaterMark: source.readableHighWaterMark }),
  );
}
