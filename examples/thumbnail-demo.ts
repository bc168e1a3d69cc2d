// Renders a folder of photos into 50 px thumbnails with thumbnail-core and
// prints what it found: the same engine the server's workers and the SDK use.
//
//   pnpm start [FOLDER] [OUT]
//
// FOLDER defaults to the shared camera fixtures when present, else to a few
// photos generated on the spot; OUT defaults to ./data/thumbnail-demo.
import { existsSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type ImageInput,
  probe,
  RENDER_SPEC_VERSION,
  renderRenditions,
  ThumbnailError,
} from '@flickr-kit/thumbnail-core';

const root = fileURLToPath(new URL('..', import.meta.url));
const fixtures = join(root, '..', 'shared', 'fixtures', 'images', 'cameras');
const [folderArg, outArg] = process.argv.slice(2);
const out = resolve(outArg ?? join(root, 'data', 'thumbnail-demo'));

async function inputs(): Promise<{ name: string; input: ImageInput }[]> {
  const folder = folderArg ? resolve(folderArg) : existsSync(fixtures) ? fixtures : undefined;
  if (folder) {
    const names = (await readdir(folder)).filter((n) =>
      /\.(jpe?g|png|gif|webp|tiff?|avif|heic)$/i.test(n),
    );
    return names.sort().map((name) => ({ name, input: join(folder, name) }));
  }
  // No photos at hand: paint a few with sharp, which thumbnail-core already depends on.
  const { default: sharp } = await import('sharp');
  const paint = (width: number, height: number, hue: number) =>
    sharp({ create: { width, height, channels: 3, background: `hsl(${hue}, 70%, 50%)` } })
      .jpeg()
      .toBuffer();
  return [
    { name: 'landscape.jpg', input: await paint(4000, 3000, 200) },
    { name: 'portrait.jpg', input: await paint(1080, 1920, 30) },
    { name: 'panorama.jpg', input: await paint(12000, 2000, 120) },
  ];
}

const photos = await inputs();
await mkdir(out, { recursive: true });
console.log(
  `Rendering ${photos.length} photos with thumbnail-core ${RENDER_SPEC_VERSION} into ${out}\n`,
);

const rows = [];
const started = performance.now();
for (const { name, input } of photos) {
  const t0 = performance.now();
  try {
    const info = await probe(input);
    const [thumbnail] = await renderRenditions(input);
    if (!thumbnail) throw new Error('no rendition');
    await writeFile(join(out, `${basename(name, extname(name))}.thumbnail.jpg`), thumbnail.data);
    rows.push({
      photo: name,
      source: `${info.format} ${info.displayWidth}×${info.displayHeight}`,
      camera: [info.camera?.make, info.camera?.model].filter(Boolean).join(' ') || '-',
      taken: info.capturedAt ?? '-',
      gps: info.gps ? `${info.gps.latitude.toFixed(4)}, ${info.gps.longitude.toFixed(4)}` : '-',
      thumbnail: `${thumbnail.width}×${thumbnail.height}, ${thumbnail.bytes} B`,
      ms: Math.round(performance.now() - t0),
    });
  } catch (error) {
    if (!(error instanceof ThumbnailError)) throw error;
    rows.push({ photo: name, source: `refused: ${error.code}`, thumbnail: error.message });
  }
}
console.table(rows);
console.log(
  `\n${photos.length} photos in ${Math.round(performance.now() - started)} ms; thumbnails are in ${out}`,
);
