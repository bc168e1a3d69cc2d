// Photos for the saga benchmark: real photographs of 2 to 5 megapixels (or
// BENCH_MEGAPIXELS=MIN-MAX, e.g. 8-18 for the size of a phone's photo) from
// the corpus (../shared/tools/photo-corpus.sh, or FLICKR_PHOTO_CORPUS), each
// copy made unique with a JPEG comment so the server takes it for a new
// file; generated JPEGs, with a note saying so, when there is no corpus.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import { photoCorpus } from '../../thumbnail-core/bench/photo-corpus.ts';
import { testPhoto } from '../test/uploads.ts';

const [MIN_MEGAPIXELS, MAX_MEGAPIXELS] = (process.env.BENCH_MEGAPIXELS ?? '2-5')
  .split('-')
  .map(Number) as [number, number];

export interface BenchPhoto {
  data: Buffer;
  sha256: string;
}

export interface BenchPhotos {
  photos: BenchPhoto[];
  /** What the photos are, for the benchmark's header. */
  description: string;
}

/** A copy of a JPEG with a comment segment right after SOI: the same image, a new hash. */
export function withComment(jpeg: Buffer, text: string): Buffer {
  const comment = Buffer.from(text);
  const segment = Buffer.alloc(4 + comment.length);
  segment.writeUInt16BE(0xfffe, 0);
  segment.writeUInt16BE(comment.length + 2, 2);
  comment.copy(segment, 4);
  return Buffer.concat([jpeg.subarray(0, 2), segment, jpeg.subarray(2)]);
}

const photo = (data: Buffer): BenchPhoto => ({
  data,
  sha256: createHash('sha256').update(data).digest('hex'),
});

async function corpusSources(): Promise<{ data: Buffer; megapixels: number }[]> {
  const files = await photoCorpus().catch(() => undefined);
  const sources = await Promise.all(
    (files ?? []).map(async (file) => {
      const { width, height } = await sharp(file).metadata();
      return { data: await readFile(file), megapixels: (width * height) / 1e6 };
    }),
  );
  return sources.filter((s) => s.megapixels >= MIN_MEGAPIXELS && s.megapixels <= MAX_MEGAPIXELS);
}

/** `count` unique photos: copies of the corpus's 2-5 MP photographs, or generated ones. */
export async function benchPhotos(count: number): Promise<BenchPhotos> {
  const sources = await corpusSources();
  if (sources.length === 0) {
    const photos = await Promise.all(
      Array.from({ length: count }, async (_, i) => photo(await testPhoto(i, 2048, 1536))),
    );
    return {
      photos,
      description:
        `${count} generated 2048×1536 JPEGs (3.1 MP). NOTE: no photo corpus, so not real photographs; ` +
        'run ../shared/tools/photo-corpus.sh or set FLICKR_PHOTO_CORPUS for those',
    };
  }
  const photos = Array.from({ length: count }, (_, i) => {
    const source = sources[i % sources.length] as (typeof sources)[number];
    return photo(withComment(source.data, `flickr-kit bench copy ${i}`));
  });
  const megapixels = sources.map((s) => s.megapixels);
  const bytes = photos.reduce((sum, p) => sum + p.data.length, 0);
  return {
    photos,
    description:
      `${count} copies of ${sources.length} real JPEG photographs of ` +
      `${Math.min(...megapixels).toFixed(1)}-${Math.max(...megapixels).toFixed(1)} MP ` +
      `(${(bytes / 2 ** 20).toFixed(0)} MiB), each made unique with a JPEG comment`,
  };
}
