import { createRequire } from 'node:module';
import sharp from 'sharp';

/** Output formats a rendition can be encoded in. */
export type RenditionFormat = 'jpeg' | 'webp' | 'png' | 'avif';

/**
 * One rendition size, as data, so a server can configure more sizes. At
 * least one of `width` and `height` is required; `cover` needs both.
 */
export interface RenditionSpec {
  /** Lowercase name used in paths and APIs, e.g. `thumbnail`, `medium`. */
  name: string;
  /** Target width in pixels. */
  width?: number;
  /** Target height in pixels. */
  height?: number;
  /**
   * `inside` (default) keeps the whole picture within width × height;
   * `cover` fills width × height exactly, cropping around the centre.
   */
  fit?: 'inside' | 'cover';
  /** Default `jpeg`. Formats without alpha are flattened onto white. */
  format?: RenditionFormat;
  /** Encoder quality, 1-100. Default 80. */
  quality?: number;
}

/** A spec with every default filled in. */
export type ResolvedRenditionSpec = Required<Omit<RenditionSpec, 'width' | 'height'>> &
  Pick<RenditionSpec, 'width' | 'height'>;

/**
 * The grid thumbnail: 50 px wide. The height cap (10× the width) only bites
 * for extreme panoramas standing on end, which would otherwise make a
 * "thumbnail" thousands of pixels tall.
 */
export const THUMBNAIL_SPEC: Readonly<RenditionSpec> = Object.freeze({
  name: 'thumbnail',
  width: 50,
  height: 500,
  fit: 'inside',
  format: 'jpeg',
  quality: 80,
});

/** What {@link renderRenditions} renders when given no specs. */
export const DEFAULT_RENDITION_SPECS: readonly Readonly<RenditionSpec>[] = Object.freeze([
  THUMBNAIL_SPEC,
]);

/**
 * Bumped by hand whenever this package changes how pixels are produced
 * (pipeline, defaults, encoder settings).
 */
const PIPELINE_REVISION = 1;

/** libheif-js decodes HEIC (heic-worker.ts); its version is libheif's. */
const LIBHEIF_VERSION = (
  createRequire(import.meta.url)('libheif-js/package.json') as { version: string }
).version;

/**
 * Identifies the exact renderer: same input + same specs + same version ⇒
 * byte-identical output on every machine. It names the pipeline revision and
 * the sharp, libvips and libheif builds, because a new decoder can change
 * bytes too; a server compares it with a client's before keeping a
 * client-rendered thumbnail.
 */
export const RENDER_SPEC_VERSION = `${PIPELINE_REVISION}+sharp${sharp.versions.sharp}+vips${sharp.versions.vips}+libheif${LIBHEIF_VERSION}`;

const NAME = /^[a-z0-9][a-z0-9-]{0,31}$/;
const MAX_DIMENSION = 16_384;

/**
 * Fills defaults and checks a spec list; a bad spec is a programming or
 * configuration error, reported as a `RangeError` that names the spec.
 */
export function resolveSpecs(specs: readonly RenditionSpec[]): ResolvedRenditionSpec[] {
  if (specs.length === 0) throw new RangeError('At least one rendition spec is required');
  const seen = new Set<string>();
  return specs.map((spec) => {
    const where = `rendition spec ${JSON.stringify(spec.name)}`;
    if (!NAME.test(spec.name)) {
      throw new RangeError(`${where}: name must match ${NAME} (lowercase letters, digits, dashes)`);
    }
    if (seen.has(spec.name)) throw new RangeError(`${where}: name is used twice`);
    seen.add(spec.name);
    for (const [key, value] of [
      ['width', spec.width],
      ['height', spec.height],
    ] as const) {
      if (
        value !== undefined &&
        !(Number.isInteger(value) && value >= 1 && value <= MAX_DIMENSION)
      ) {
        throw new RangeError(`${where}: ${key} must be an integer from 1 to ${MAX_DIMENSION}`);
      }
    }
    const fit = spec.fit ?? 'inside';
    if (spec.width === undefined && spec.height === undefined) {
      throw new RangeError(`${where}: needs a width, a height or both`);
    }
    if (fit === 'cover' && (spec.width === undefined || spec.height === undefined)) {
      throw new RangeError(`${where}: fit "cover" needs both width and height`);
    }
    const quality = spec.quality ?? 80;
    if (!(Number.isInteger(quality) && quality >= 1 && quality <= 100)) {
      throw new RangeError(`${where}: quality must be an integer from 1 to 100`);
    }
    const format = spec.format ?? 'jpeg';
    if (!['jpeg', 'webp', 'png', 'avif'].includes(format)) {
      throw new RangeError(`${where}: format must be jpeg, webp, png or avif`);
    }
    return { ...spec, name: spec.name, fit, format, quality };
  });
}

/**
 * The scale factor (at most 1: never enlarge) that a spec applies to an
 * upright source of the given size.
 */
export function scaleFor(spec: ResolvedRenditionSpec, width: number, height: number): number {
  const sx = spec.width === undefined ? Number.POSITIVE_INFINITY : spec.width / width;
  const sy = spec.height === undefined ? Number.POSITIVE_INFINITY : spec.height / height;
  const scale = spec.fit === 'cover' ? Math.max(sx, sy) : Math.min(sx, sy);
  return Math.min(1, scale);
}

/**
 * The size a spec renders for an upright source of the given size, as
 * libvips rounds it (±1 px at the edges of rounding): what a server checks a
 * client-rendered thumbnail against, and what a client can lay out before
 * the thumbnail arrives.
 */
export function renditionSize(
  spec: RenditionSpec,
  width: number,
  height: number,
): { width: number; height: number } {
  const [resolved] = resolveSpecs([spec]);
  if (!resolved) throw new RangeError('no spec');
  if (resolved.fit === 'cover') {
    return {
      width: Math.min(resolved.width ?? width, width),
      height: Math.min(resolved.height ?? height, height),
    };
  }
  const scale = scaleFor(resolved, width, height);
  return {
    width: Math.max(1, Math.round(width * scale)),
    height: Math.max(1, Math.round(height * scale)),
  };
}
