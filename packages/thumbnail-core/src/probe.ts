import type { DecodeOptions } from './decode-options.ts';
import { type CameraInfo, type GpsPosition, readExifFields } from './exif-fields.ts';
import type { ImageInput } from './image-input.ts';
import type { SourceFormat } from './source-format.ts';
import { openSource } from './source-image.ts';

/** EXIF orientation: 1 is upright; 2-8 are the mirrored and rotated variants. */
export type Orientation = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8;

/** What can be known of an image from its header, without decoding its pixels. */
export interface ImageProbe {
  format: SourceFormat;
  /** Stored size, before the EXIF orientation is applied. */
  width: number;
  height: number;
  orientation: Orientation;
  /** Size as displayed, after the EXIF orientation is applied. */
  displayWidth: number;
  displayHeight: number;
  hasAlpha: boolean;
  /** More than one frame (animated GIF or WebP); renditions use the first. */
  animated: boolean;
  frames: number;
  /** libvips' name of the colour space, e.g. `srgb`, `cmyk`, `b-w`, `rgb16`. */
  colorSpace: string;
  hasIccProfile: boolean;
  capturedAt?: string;
  camera?: CameraInfo;
  gps?: GpsPosition;
}

/**
 * Reads format, size, orientation and the EXIF fields flickr-kit shows, from
 * the header only: cheap enough to run on every upload before accepting it.
 *
 * @throws {UnsupportedFormatError | CorruptImageError | ImageTooLargeError}
 */
export async function probe(input: ImageInput, options?: DecodeOptions): Promise<ImageProbe> {
  const source = await openSource(input, options);
  const header = await source.header();
  const { metadata } = header;
  const frames = metadata.pages ?? 1;
  const orientation = metadata.orientation;
  return {
    format: source.format,
    width: metadata.width,
    height: metadata.height,
    orientation: isOrientation(orientation) ? orientation : 1,
    displayWidth: header.width,
    displayHeight: header.height,
    hasAlpha: metadata.hasAlpha,
    animated: frames > 1,
    frames,
    colorSpace: metadata.space,
    hasIccProfile: metadata.hasProfile,
    ...readExifFields(metadata.exif),
  };
}

function isOrientation(value: number | undefined): value is Orientation {
  return value !== undefined && Number.isInteger(value) && value >= 1 && value <= 8;
}
