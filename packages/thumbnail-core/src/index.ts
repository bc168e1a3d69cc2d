export { type BytePatch, patchChunk, type ReadAt } from './byte-patch.ts';
export { DEFAULT_PIXEL_LIMIT, type DecodeOptions } from './decode-options.ts';
export {
  CorruptImageError,
  ImageTooLargeError,
  ThumbnailError,
  type ThumbnailErrorCode,
  UnsupportedFormatError,
} from './errors.ts';
export type { CameraInfo, GpsPosition } from './exif-fields.ts';
export { gpsPatches } from './gps-patches.ts';
export { type FileDigest, type HashFileOptions, type HashSource, hashFile } from './hash-file.ts';
export type { ImageInput } from './image-input.ts';
export { jpegHeaderLength } from './jpeg-header-length.ts';
export { placeholder } from './placeholder.ts';
export { type ImageProbe, type Orientation, probe } from './probe.ts';
export { imageHeaderLength, probeHead } from './probe-head.ts';
export { type Rendition, renderRenditions } from './render.ts';
export {
  DEFAULT_RENDITION_SPECS,
  RENDER_SPEC_VERSION,
  type RenditionFormat,
  type RenditionSpec,
  renditionSize,
  THUMBNAIL_SPEC,
} from './rendition-spec.ts';
export { detectFormat, SOURCE_FORMATS, type SourceFormat } from './source-format.ts';
