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
  /**
   * Stored size, before the orientation is applied. For HEIC, the size
   * before its rotation and mirroring (`irot`, `imir`), after its crop.
   */
  width: number;
  height: number;
  /**
   * The EXIF orientation that turns the stored image upright. For HEIC, the
   * one that does what its `irot` and `imir` boxes do: those, not the EXIF
   * Orientation tag that iPhones also write, are what decoders apply.
   */
  orientation: Orientation;
  /** Size as displayed, after the orientation is applied. */
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
  const { orientation } = header;
  return {
    format: source.format,
    width: header.storedWidth,
    height: header.storedHeight,
    orientation: isOrientation(orientation) ? orientation : 1,
    displayWidth: header.width,
    displayHeight: header.height,
    hasAlpha: header.hasAlpha,
    animated: header.frames > 1,
    frames: header.frames,
    colorSpace: header.colorSpace,
    hasIccProfile: header.hasIccProfile,
    ...readExifFields(header.exif),
  };
}

function isOrientation(value: number | undefined): value is Orientation {
  return value !== undefined && Number.isInteger(value) && value >= 1 && value <= 8;
}
