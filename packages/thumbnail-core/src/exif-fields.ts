import exifReader from 'exif-reader';

/** Where a photo was taken, in decimal degrees (WGS 84). */
export interface GpsPosition {
  latitude: number;
  longitude: number;
  /** Metres above sea level, negative below. */
  altitude?: number;
}

export interface CameraInfo {
  make?: string;
  model?: string;
  lens?: string;
}

/** The EXIF fields flickr-kit shows; anything unreadable is simply absent. */
export interface ExifFields {
  /** Capture time as written by the camera: local wall-clock time, with the offset when recorded. */
  capturedAt?: string;
  camera?: CameraInfo;
  gps?: GpsPosition;
}

/**
 * Extracts capture time, camera and GPS position from a raw EXIF block.
 * Broken EXIF is common in real photographs and must never fail an upload,
 * so a block that cannot be parsed yields no fields rather than an error.
 */
export function readExifFields(raw: Buffer | undefined): ExifFields {
  if (!raw) return {};
  let exif: exifReader.Exif;
  try {
    exif = exifReader(raw);
  } catch {
    return {};
  }
  const fields: ExifFields = {};
  const capturedAt = formatCaptureTime(
    exif.Photo?.DateTimeOriginal ?? exif.Image?.DateTime,
    text(exif.Photo?.OffsetTimeOriginal),
  );
  if (capturedAt) fields.capturedAt = capturedAt;

  const camera: CameraInfo = {};
  const make = text(exif.Image?.Make);
  const model = text(exif.Image?.Model);
  const lens = text(exif.Photo?.LensModel);
  if (make) camera.make = make;
  if (model) camera.model = model;
  if (lens) camera.lens = lens;
  if (make || model || lens) fields.camera = camera;

  const gps = readGps(exif.GPSInfo);
  if (gps) fields.gps = gps;
  return fields;
}

function text(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  // Cameras pad fixed-size fields with NULs and spaces.
  const cleaned = value.replace(/\0/g, '').trim();
  return cleaned.length > 0 ? cleaned : undefined;
}

function formatCaptureTime(value: unknown, offset: string | undefined): string | undefined {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) return undefined;
  // exif-reader reads the zone-less EXIF time as UTC, so the UTC fields are the wall clock.
  const wallClock = value.toISOString().slice(0, 19);
  return offset && /^[+-]\d{2}:\d{2}$/.test(offset) ? `${wallClock}${offset}` : wallClock;
}

function readGps(gps: exifReader.Exif['GPSInfo']): GpsPosition | undefined {
  if (!gps) return undefined;
  const latitude = toDegrees(gps.GPSLatitude, gps.GPSLatitudeRef, 'S');
  const longitude = toDegrees(gps.GPSLongitude, gps.GPSLongitudeRef, 'W');
  if (latitude === undefined || longitude === undefined) return undefined;
  if (Math.abs(latitude) > 90 || Math.abs(longitude) > 180) return undefined;
  const position: GpsPosition = { latitude, longitude };
  const altitude = gps.GPSAltitude;
  if (typeof altitude === 'number' && Number.isFinite(altitude)) {
    position.altitude = gps.GPSAltitudeRef === 1 ? -altitude : altitude;
  }
  return position;
}

function toDegrees(value: unknown, ref: unknown, negative: string): number | undefined {
  if (!Array.isArray(value) || value.length !== 3) return undefined;
  const [degrees, minutes, seconds] = value as unknown[];
  if (
    ![degrees, minutes, seconds].every((part) => typeof part === 'number' && Number.isFinite(part))
  ) {
    return undefined;
  }
  const decimal = (degrees as number) + (minutes as number) / 60 + (seconds as number) / 3600;
  const sign = typeof ref === 'string' && ref.trim().toUpperCase() === negative ? -1 : 1;
  return Math.round(sign * decimal * 1e7) / 1e7;
}
