import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { type ImageProbe, probeHead } from '@flickr-kit/thumbnail-core';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { ReceivedDigests } from './received-digests.ts';

const jpeg = (width: number, height: number) =>
  sharp({ create: { width, height, channels: 3, background: { r: 200, g: 40, b: 90 } } })
    .jpeg()
    .toBuffer();

/** Feeds bytes to a watch in chunks of `size`, as a socket would. */
function feed(digests: ReceivedDigests, id: string, offset: number, bytes: Buffer, size = 1000) {
  const watch = digests.watch(id, offset);
  for (let at = 0; at < bytes.length; at += size) watch.onChunk(bytes.subarray(at, at + size));
  return watch;
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

describe('ReceivedDigests', () => {
  const probes: Buffer[] = [];
  const digests = () =>
    new ReceivedDigests((header): Promise<ImageProbe | undefined> => {
      probes.push(header);
      return probeHead(header);
    });

  it('probes a JPEG from its header while the rest arrives, and hashes it across appends', async () => {
    const data = await jpeg(320, 200);
    const received = digests();
    const half = Math.floor(data.length / 2);
    feed(received, 'a', 0, data.subarray(0, half)).stored(half);
    feed(received, 'a', half, data.subarray(half)).stored(data.length);
    expect(await received.earlyProbe('a')).toMatchObject({
      format: 'jpeg',
      width: 320,
      height: 200,
    });
    expect(await received.digest('a', data.length)).toBe(sha256(data));
    // Both are taken once.
    expect(received.earlyProbe('a')).toBeUndefined();
    expect(await received.digest('a', data.length)).toBeUndefined();
  });

  it('probes a HEIC from its boxes as they arrive', async () => {
    const heic = await readFile(
      new URL('../../../thumbnail-core/test/fixtures/heic/portrait-irot.heic', import.meta.url),
    );
    const received = digests();
    feed(received, 'h', 0, heic).stored(heic.length);
    expect(await received.earlyProbe('h')).toMatchObject({ format: 'heic' });
    expect(await received.digest('h', heic.length)).toBe(sha256(heic));
  });

  it('makes no probe of a format it cannot read from a header', async () => {
    const png = await sharp({ create: { width: 9, height: 6, channels: 3, background: '#fff' } })
      .png()
      .toBuffer();
    const received = digests();
    feed(received, 'p', 0, png).stored(png.length);
    expect(received.earlyProbe('p')).toBeUndefined();
    expect(await received.digest('p', png.length)).toBe(sha256(png));
  });

  it('knows no digest once an append was lost, or when it did not see the first bytes', async () => {
    const data = await jpeg(64, 48);
    const received = digests();
    feed(received, 'l', 0, data.subarray(0, 100)).stored(100);
    feed(received, 'l', 100, data.subarray(100, 200)).lost();
    feed(received, 'l', 200, data.subarray(200)).stored(data.length);
    expect(await received.digest('l', data.length)).toBeUndefined();

    // Resumed in another process: this one saw only the second half.
    const other = digests();
    feed(other, 'r', 100, data.subarray(100)).stored(data.length);
    expect(await other.digest('r', data.length)).toBeUndefined();
  });

  it('follows a bounded number of uploads, forgetting those it heard from longest ago', async () => {
    const data = await jpeg(32, 24);
    const received = new ReceivedDigests(probeHead, 2);
    feed(received, 'x', 0, data.subarray(0, 10)).stored(10);
    feed(received, 'y', 0, data).stored(data.length);
    feed(received, 'x', 10, data.subarray(10)).stored(data.length);
    // Abandoned: 'y' was heard from longest ago, so it goes when a third comes.
    feed(received, 'z', 0, data).stored(data.length);
    expect(await received.digest('y', data.length)).toBeUndefined();
    expect(await received.digest('x', data.length)).toBe(sha256(data));
    expect(await received.digest('z', data.length)).toBe(sha256(data));
    // Probes likewise.
    for (const id of ['a', 'b', 'c']) feed(received, id, 0, data).stored(data.length);
    expect(received.earlyProbe('a')).toBeUndefined();
    expect(await received.earlyProbe('c')).toMatchObject({ format: 'jpeg' });
  });

  it('starts over when an upload is sent again from its first byte', async () => {
    const data = await jpeg(64, 48);
    const received = digests();
    feed(received, 's', 0, Buffer.from('not these bytes')).stored(15);
    feed(received, 's', 0, data).stored(data.length);
    expect(await received.digest('s', data.length)).toBe(sha256(data));
  });
});
