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
import { jpegShrinkOnLoad, type ResizeRequest, type StoredSize } from './shrink-on-load.ts';
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
 * A progressive JPEG that libvips decodes at 1/8 scale is read through a
 * DC-only copy (dc-only-jpeg.ts): byte-identical renditions, several times
 * faster, since at that scale the AC scans never reach a pixel.
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
    if (only && resolved.length === 1) {
      const resize = resizeFor(only);
      const rendition = await fromDcOnlyCopy(
        source,
        (stored) => decodesAtEighth(source, stored, resize),
        (decode) => encode(decode, only),
      );
      return [rendition];
    }
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
  const resize: ResizeRequest = { width, height, fit: 'fill', withoutEnlargement: false };
  const decodeAll = (decode: Sharp) =>
    (scale < 1 ? decode.resize({ width, height, fit: 'fill' }) : decode)
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
  const { data, info } =
    scale < 1
      ? await fromDcOnlyCopy(source, (stored) => decodesAtEighth(source, stored, resize), decodeAll)
      : await decodeAll(await source.pipeline());
  const raw = { width: info.width, height: info.height, channels: info.channels };
  const renditions: Rendition[] = [];
  for (const spec of specs) {
    renditions.push(await encode(sharp(data, { raw }), spec));
  }
  return renditions;
}

/**
 * Whether libvips will decode the source at 1/8 scale for this resize.
 * Which axis a target applies to depends on the EXIF orientation (sharp
 * swaps the targets of an image it turns by 90°); when the answer is the
 * same either way, as it is for most photographs and the default thumbnail,
 * the orientation is not needed, else libvips' header read says.
 */
async function decodesAtEighth(
  source: SourceImage,
  stored: StoredSize,
  resize: ResizeRequest,
): Promise<boolean> {
  const plain = jpegShrinkOnLoad(stored, resize, false) === 8;
  if (plain === (jpegShrinkOnLoad(stored, resize, true) === 8)) return plain;
  const { storedWidth, storedHeight, width } = await source.header();
  return (
    stored.width === storedWidth &&
    stored.height === storedHeight &&
    jpegShrinkOnLoad(stored, resize, width !== storedWidth) === 8
  );
}

/**
 * Runs `render` over the source's DC-only copy when it has one for this
 * decode, else over the source itself. A copy that fails (libjpeg warned
 * about the data it kept, or anything else but a timeout) is abandoned for
 * the source, so a file damaged there gets the outcome it always got. Damage
 * in the AC scans left out goes unseen: see the package README.
 */
async function fromDcOnlyCopy<T>(
  source: SourceImage,
  decodesAtEighth: (stored: StoredSize) => Promise<boolean>,
  render: (decode: Sharp) => Promise<T>,
): Promise<T> {
  const copy = await source.dcOnlyPipeline(decodesAtEighth);
  if (copy) {
    try {
      return await render(copy);
    } catch (error) {
      // Decoding the source would only take longer.
      if (error instanceof Error && /timeout/i.test(error.message)) throw error;
      // Otherwise the normal path below decides, and reports its own error.
    }
  }
  return render(await source.pipeline());
}

/** The resize `encode` applies for a spec, as the shrink-on-load prediction needs it. */
function resizeFor(spec: ResolvedRenditionSpec): ResizeRequest {
  return { width: spec.width, height: spec.height, fit: spec.fit, withoutEnlargement: true };
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
