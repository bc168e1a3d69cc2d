import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { requestBodyStream } from './request-body-stream.ts';

describe('requestBodyStream', () => {
  it('hands on the very buffers the source reads, in order, then ends', async () => {
    const chunks = [Buffer.from('first'), Buffer.from('second')];
    const seen: Uint8Array[] = [];
    for await (const chunk of requestBodyStream(Readable.from(chunks, { objectMode: false })))
      seen.push(chunk);
    expect(seen).toHaveLength(2);
    expect(seen[0]).toBe(chunks[0]);
    expect(seen[1]).toBe(chunks[1]);
  });

  it('pauses the source while its queue is full, and resumes it when read', async () => {
    const source = new PassThrough({ highWaterMark: 4 });
    const reader = requestBodyStream(source).getReader();
    source.write(Buffer.alloc(8));
    await new Promise((resolve) => setImmediate(resolve));
    expect(source.isPaused()).toBe(true);
    expect((await reader.read()).value?.length).toBe(8);
    expect(source.isPaused()).toBe(false);
  });

  it('fails with an AbortError when the body is cut short', async () => {
    const source = new PassThrough();
    const reader = requestBodyStream(source).getReader();
    source.write(Buffer.from('part'));
    await reader.read();
    source.destroy();
    await expect(reader.read()).rejects.toMatchObject({ name: 'AbortError' });
  });
});
