// A large, valid image for upload benchmarks: random noise stored as an
// uncompressed PNG, so its size on disk is what was asked for and the pivot's
// probe (which reads only the header) accepts it.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import sharp from 'sharp';

const WIDTH = 4096;
const MiB = 2 ** 20;

export interface GeneratedFile {
  path: string;
  bytes: number;
  sha256: string;
  width: number;
  height: number;
}

/** Writes a noise PNG of about `mib` MiB (RGB, 4096 pixels wide) to `path`. */
export async function writeNoisePng(path: string, mib: number): Promise<GeneratedFile> {
  // Each row is 3 bytes a pixel and a filter byte; keep a little room for chunk headers.
  const height = Math.max(1, Math.floor((mib * MiB * 0.995) / (WIDTH * 3 + 1)));
  await sharp(randomBytes(WIDTH * height * 3), { raw: { width: WIDTH, height, channels: 3 } })
    .png({ compressionLevel: 0, adaptiveFiltering: false })
    .toFile(path);
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return {
    path,
    bytes: (await stat(path)).size,
    sha256: hash.digest('hex'),
    width: WIDTH,
    height,
  };
}
