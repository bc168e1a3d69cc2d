// The UploadStaging port's promises as tests: every adapter runs this suite,
// so resumable uploads behave alike on a local disk and in a bucket for the
// protocol above them (tus, the pivot, the saga's first step).
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { PassThrough, Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import type { UploadStaging } from '../../src/ports/upload-staging.ts';

/** `length` bytes that tell their offsets apart, so a misplaced byte shows. */
const pattern = (length: number, seed = 0) =>
  Buffer.from(Array.from({ length }, (_, i) => (i * 7 + seed) % 251));

/** A body of chunks of `chunkBytes`, as a socket would deliver it. */
const bodyOf = (data: Buffer, chunkBytes = 16 * 1024) =>
  Readable.from(
    Array.from({ length: Math.ceil(data.length / chunkBytes) }, (_, at) =>
      data.subarray(at * chunkBytes, (at + 1) * chunkBytes),
    ),
  );

const bytesOf = async (staging: UploadStaging, id: string) => buffer(await staging.read(id));

/**
 * The suite, for one adapter; `segmentBytes` is the size past which the
 * adapter cuts a body (any size the adapter writes as one piece, where it
 * has no such size), so bodies across several pieces are tested.
 */
export function describeUploadStagingContract(
  name: string,
  make: () => Promise<UploadStaging>,
  segmentBytes: number,
): void {
  describe(`${name}: the UploadStaging contract`, () => {
    const started = async () => {
      const staging = await make();
      const id = randomUUID();
      await staging.create(id);
      return { staging, id };
    };

    it('knows no size for an upload never created, and 0 for a new one', async () => {
      const { staging, id } = await started();
      expect(await staging.size(randomUUID())).toBeUndefined();
      expect(await staging.size(id)).toBe(0);
      expect((await bytesOf(staging, id)).length).toBe(0);
    });

    it('appends bodies at the end, across pieces, and reads back exactly what came', async () => {
      const { staging, id } = await started();
      const data = pattern(2 * segmentBytes + 12_345);
      const cut = [0, 100, segmentBytes + 7, data.length];
      const seen: Buffer[] = [];
      for (let at = 0; at < cut.length - 1; at++) {
        const part = data.subarray(cut[at], cut[at + 1]);
        const end = await staging.append(id, cut[at] as number, bodyOf(part), {
          onChunk: (chunk) => seen.push(Buffer.from(chunk)),
        });
        expect(end).toBe(cut[at + 1]);
        expect(await staging.size(id)).toBe(cut[at + 1]);
      }
      expect(Buffer.concat(seen).equals(data)).toBe(true);
      expect((await bytesOf(staging, id)).equals(data)).toBe(true);
      const file = await staging.localFile(id);
      expect((await readFile(file.path)).equals(data)).toBe(true);
      await file.release();
    });

    it('keeps what a body sent before it broke off, and leaves the body to its caller', async () => {
      const { staging, id } = await started();
      const sent = pattern(segmentBytes + 5_000, 3);
      const body = new PassThrough();
      const appending = staging.append(id, 0, body);
      body.write(sent.subarray(0, segmentBytes));
      body.write(sent.subarray(segmentBytes));
      await new Promise((resolve) => setTimeout(resolve, 50));
      body.destroy(new Error('the client went away'));
      await expect(appending).rejects.toThrow('the client went away');
      const kept = (await staging.size(id)) ?? -1;
      expect(kept).toBeGreaterThanOrEqual(0);
      expect(kept).toBeLessThanOrEqual(sent.length);
      expect((await bytesOf(staging, id)).equals(sent.subarray(0, kept))).toBe(true);
      // A resumed body goes on from there.
      const rest = pattern(1_000, 9);
      expect(await staging.append(id, kept, bodyOf(rest))).toBe(kept + rest.length);
      expect(
        (await bytesOf(staging, id)).equals(Buffer.concat([sent.subarray(0, kept), rest])),
      ).toBe(true);
    });

    it('stops when told, keeping what came, and leaves the body paused, not destroyed', async () => {
      const { staging, id } = await started();
      const body = new PassThrough();
      const stop = new AbortController();
      const appending = staging.append(id, 0, body, { signal: stop.signal });
      body.write(pattern(4_000));
      await new Promise((resolve) => setTimeout(resolve, 50));
      stop.abort(new Error('a newer request took over'));
      await expect(appending).rejects.toThrow('a newer request took over');
      expect(body.destroyed).toBe(false);
      expect(body.isPaused()).toBe(true);
      const kept = (await staging.size(id)) ?? -1;
      expect((await bytesOf(staging, id)).equals(pattern(4_000).subarray(0, kept))).toBe(true);
    });

    it('stops when a chunk is refused (a body running too long), keeping what came before', async () => {
      const { staging, id } = await started();
      let count = 0;
      const appending = staging.append(id, 0, bodyOf(pattern(10_000), 1_000), {
        onChunk: () => {
          count += 1;
          if (count === 5) throw new Error('past the upload length');
        },
      });
      await expect(appending).rejects.toThrow('past the upload length');
      const kept = (await staging.size(id)) ?? -1;
      expect(kept).toBeLessThanOrEqual(5_000);
      expect((await bytesOf(staging, id)).equals(pattern(10_000).subarray(0, kept))).toBe(true);
    });

    it('takes back to an earlier size, within a piece or at its start', async () => {
      const { staging, id } = await started();
      const data = pattern(segmentBytes * 2 + 100, 5);
      await staging.append(id, 0, bodyOf(data.subarray(0, segmentBytes + 10)));
      await staging.append(id, segmentBytes + 10, bodyOf(data.subarray(segmentBytes + 10)));
      await staging.truncate(id, segmentBytes + 10);
      expect(await staging.size(id)).toBe(segmentBytes + 10);
      await staging.truncate(id, 1234);
      expect(await staging.size(id)).toBe(1234);
      expect((await bytesOf(staging, id)).equals(data.subarray(0, 1234))).toBe(true);
      expect(await staging.append(id, 1234, bodyOf(data.subarray(1234)))).toBe(data.length);
      expect((await bytesOf(staging, id)).equals(data)).toBe(true);
    });

    it('keeps a client thumbnail beside the upload until removed', async () => {
      const { staging, id } = await started();
      expect(await staging.readThumbnail(id)).toBeUndefined();
      await staging.putThumbnail(id, pattern(321));
      expect((await staging.readThumbnail(id))?.equals(pattern(321))).toBe(true);
      await staging.remove(id);
      expect(await staging.readThumbnail(id)).toBeUndefined();
    });

    it('forgets a removed upload, bytes and all; removing twice is fine', async () => {
      const { staging, id } = await started();
      await staging.append(id, 0, bodyOf(pattern(5_000)));
      await staging.remove(id);
      await staging.remove(id);
      expect(await staging.size(id)).toBeUndefined();
      await expect(staging.read(id)).rejects.toMatchObject({ code: 'ENOENT' });
      await expect(staging.localFile(id)).rejects.toMatchObject({ code: 'ENOENT' });
    });

    it('refuses an id that is not an upload id before touching anything', async () => {
      const staging = await make();
      for (const bad of ['../x', '', 'a/b', `${randomUUID()}/..`])
        await expect(staging.create(bad)).rejects.toThrow(/Not an upload id/);
    });
  });
}
