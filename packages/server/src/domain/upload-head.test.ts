import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { MAX_IMAGE_HEADER_BYTES, UploadHead } from './upload-head.ts';

/** What an UploadHead returns when fed `data` cut into pieces of `size`. */
function headerOf(data: Buffer, size: number): { header: Buffer | undefined; calls: number } {
  const head = new UploadHead();
  let header: Buffer | undefined;
  let calls = 0;
  const take = (found: Buffer | undefined) => {
    if (!found) return;
    header = found;
    calls++;
  };
  for (let at = 0; at < data.length; at += size) take(head.add(data.subarray(at, at + size)));
  take(head.finish());
  return { header, calls };
}

describe('UploadHead', () => {
  it('finds the same JPEG header however the body is cut, once', async () => {
    const jpeg = await sharp({
      create: { width: 300, height: 200, channels: 3, background: '#a33' },
    })
      .withMetadata({ exif: { IFD0: { Copyright: 'x'.repeat(30_000) } } })
      .jpeg()
      .toBuffer();
    const whole = headerOf(jpeg, jpeg.length);
    expect(whole.header?.length).toBeGreaterThan(30_000);
    expect(whole.header?.length).toBeLessThan(jpeg.length);
    for (const size of [1, 7, 1000, 65_536]) {
      const cut = headerOf(jpeg, size);
      expect(cut.calls, `chunks of ${size}`).toBe(1);
      expect(cut.header?.equals(whole.header as Buffer), `chunks of ${size}`).toBe(true);
    }
  });

  it('gives up on other formats, and on a header longer than it keeps', () => {
    expect(headerOf(Buffer.from('GIF89a and then some bytes'), 3).header).toBeUndefined();
    // A JPEG start whose first segment never ends within the limit.
    const endless = Buffer.concat([
      Buffer.from([0xff, 0xd8, 0xff, 0xe1, 0xff, 0xff]),
      Buffer.alloc(MAX_IMAGE_HEADER_BYTES * 2),
    ]);
    expect(headerOf(endless, 4096).header).toBeUndefined();
  });
});
