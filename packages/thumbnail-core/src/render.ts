import sharp, { type Sharp } from 'sharp';
import type { DecodeOptions } from './decode-options.ts';
import type { ImageInput } from './image-input.ts';
import {
  DEFAULT_RENDITION_SPECS,
  type RenditionFormat,
  type RenditionSpec,
  type ResolvedRenditionSpec,
  resolveSpecs,
  scaleFor,
} from './rendition-spec.ts';
import { openSource, type SourceImage } from './source-image.ts';

/** One rendered rendition. */
export interface Rendition {
  name: string;
  data: Buffer;
  format: RenditionFormat;
  width: number;
  height: number;
  bytes: number;
}

const WHITE = { r: 255, g: 255, b: 255 };

/**
 * Renders every spec from one decode of the source: upright (EXIF
 * orientation applied), sRGB, 8 bits, every metadata block stripped, first
 * frame only, never enlarged, aspect ratio kept.
 *
 * With one spec the source goes straight through libvips with shrink-on-load
 * (JPEG and WebP decode at 1/2, 1/4 or 1/8 scale), exactly as a hand-written
 * sharp call would. With several, the source
 * is decoded once at the size the largest spec needs and each rendition is
 * resized from those pixels. Output is a function of the input bytes, the
 * spec list and {@link RENDER_SPEC_VERSION}: the same on every machine.
 *
 * @throws {UnsupportedFormatError | CorruptImageError | ImageTooLargeError}
 */
export async function renderRenditions(
  input: ImageInput,
  specs: readonly RenditionSpec[] = DEFAULT_RENDITION_SPECS,
  options?: DecodeOptions,
): Promise<Rendition[]> {
  const resolved = resolveSpecs(specs);
  const source = await openSource(input, options);
  try {
    const [only] = resolved;
    if (only && resolved.length === 1) return [await encode(source.pipeline(), only)];
    return await renderFromSharedDecode(source, resolved);
  } catch (error) {
    throw await source.fail(error);
  }
}

async function renderFromSharedDecode(
  source: SourceImage,
  specs: ResolvedRenditionSpec[],
): Promise<Rendition[]> {
  const upright = await source.header();
  // Rounding up keeps every spec's target within the intermediate, so none is enlarged.
  const scale = Math.max(...specs.map((spec) => scaleFor(spec, upright.width, upright.height)));
  const width = Math.ceil(upright.width * scale);
  const height = Math.ceil(upright.height * scale);
  let decode = source.pipeline();
  if (scale < 1) decode = decode.resize({ width, height, fit: 'fill' });
  const { data, info } = await decode
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  const raw = { width: info.width, height: info.height, channels: info.channels };
  const renditions: Rendition[] = [];
  for (const spec of specs) {
    renditions.push(await encode(sharp(data, { raw }), spec));
  }
  return renditions;
}

async function encode(image: Sharp, spec: ResolvedRenditionSpec): Promise<Rendition> {
  let pipeline = image
    .resize({
      ...(spec.width === undefined ? {} : { width: spec.width }),
      ...(spec.height === undefined ? {} : { height: spec.height }),
      fit: spec.fit,
      position: 'centre',
      withoutEnlargement: true,
    })
    .toColourspace('srgb');
  switch (spec.format) {
    case 'jpeg':
      pipeline = pipeline.flatten({ background: WHITE }).jpeg({
        quality: spec.quality,
        chromaSubsampling: '4:2:0',
        progressive: false,
        mozjpeg: false,
      });
      break;
    case 'webp':
      pipeline = pipeline.webp({ quality: spec.quality, effort: 4 });
      break;
    case 'png':
      pipeline = pipeline.png({ compressionLevel: 9, adaptiveFiltering: true, palette: false });
      break;
    case 'avif':
      pipeline = pipeline.avif({ quality: spec.quality, effort: 4 });
      break;
  }
  const { data, info } = await pipeline.toBuffer({ resolveWithObject: true });
  return {
    name: spec.name,
    data,
    format: spec.format,
    width: info.width,
    height: info.height,
    bytes: data.byteLength,
  };
}
