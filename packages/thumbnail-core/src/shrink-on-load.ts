/**
 * A resize as sharp's pipeline receives it. `width`/`height` are in upright
 * (displayed) pixels, as given to `.resize()`; undefined means "auto".
 */
export interface ResizeRequest {
  width?: number | undefined;
  height?: number | undefined;
  fit: 'inside' | 'cover' | 'fill';
  withoutEnlargement: boolean;
}

/** An image's size as libvips' JPEG loader sees it: stored, before EXIF rotation. */
export interface StoredSize {
  width: number;
  height: number;
}

/**
 * The shrink-on-load factor (1, 2, 4 or 8) that sharp 0.35 asks libvips'
 * JPEG loader for, for this resize of this image: a transcription of
 * `pipeline.cc` (the `jpegShrinkOnLoad` block) and `ResolveShrink` in
 * `common.cc`, for what this package's pipelines use (fastShrinkOnLoad on,
 * the default; no trim, extract, gamma or pipeline colourspace, which would
 * disable shrink-on-load).
 *
 * `swapsAxes` says whether EXIF auto-orientation turns the image by 90° or
 * 270° (orientations 5-8): sharp then swaps the target width and height
 * before comparing them with the stored size.
 *
 * Arithmetic is IEEE double throughout, as in the C++, so the boundaries
 * (a shrink of exactly 9, say) fall the same way. The tests check this
 * function against libvips' actual choice around every boundary.
 */
export function jpegShrinkOnLoad(
  stored: StoredSize,
  resize: ResizeRequest,
  swapsAxes: boolean,
): 1 | 2 | 4 | 8 {
  let targetWidth = resize.width ?? 0;
  let targetHeight = resize.height ?? 0;
  if (swapsAxes) [targetWidth, targetHeight] = [targetHeight, targetWidth];
  if (!(targetWidth > 0 || targetHeight > 0)) return 1;
  const [hshrink, vshrink] = resolveShrink(stored, targetWidth, targetHeight, resize);
  const shrink = Math.min(hshrink, vshrink);
  let factor: 1 | 2 | 4 | 8 = shrink >= 8 ? 8 : shrink >= 4 ? 4 : shrink >= 2 ? 2 : 1;
  // sharp: "Lower shrink-on-load for known libjpeg rounding errors".
  if (factor > 1 && Math.trunc(shrink) === factor) factor = (factor / 2) as 1 | 2 | 4;
  return factor;
}

/** `sharp::ResolveShrink` for the canvases `inside` (MAX), `cover` (CROP) and `fill` (IGNORE_ASPECT). */
function resolveShrink(
  { width, height }: StoredSize,
  targetWidth: number,
  targetHeight: number,
  { fit, withoutEnlargement }: ResizeRequest,
): [number, number] {
  let hshrink = 1;
  let vshrink = 1;
  if (targetWidth > 0 && targetHeight > 0) {
    hshrink = width / targetWidth;
    vshrink = height / targetHeight;
    if (fit === 'cover') {
      hshrink = vshrink = Math.min(hshrink, vshrink);
    } else if (fit === 'inside') {
      hshrink = vshrink = Math.max(hshrink, vshrink);
    }
  } else if (targetWidth > 0) {
    hshrink = width / targetWidth;
    if (fit !== 'fill') vshrink = hshrink;
  } else {
    vshrink = height / targetHeight;
    if (fit !== 'fill') hshrink = vshrink;
  }
  if (withoutEnlargement) {
    hshrink = Math.max(1, hshrink);
    vshrink = Math.max(1, vshrink);
  }
  // "We don't want to shrink so much that we send an axis to 0".
  return [Math.min(hshrink, width), Math.min(vshrink, height)];
}
