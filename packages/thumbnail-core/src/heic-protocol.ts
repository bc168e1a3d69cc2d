// The messages between heic-decoder.ts and the worker thread that runs libheif.

/** Decode the primary image of one HEIC file. */
export interface HeicRequest {
  readonly id: number;
  /** The whole file: libheif reads from memory. */
  readonly bytes: Uint8Array;
  readonly pixelLimit: number;
  /** Attached to the pixels, for libvips to convert them to sRGB. */
  readonly iccProfile: Uint8Array | undefined;
}

export type HeicResponse =
  | {
      readonly id: number;
      readonly ok: true;
      /** The upright pixels as an uncompressed TIFF (pixel-tiff.ts). */
      readonly tiff: Uint8Array;
      readonly width: number;
      readonly height: number;
    }
  | {
      readonly id: number;
      readonly ok: false;
      /** What the failure is about, for the typed error the caller makes of it. */
      readonly kind: 'corrupt' | 'unsupported' | 'too-large';
      readonly message: string;
      readonly width?: number;
      readonly height?: number;
      /** libheif failed in a way that may leave it unusable: the worker exits after replying. */
      readonly fatal?: boolean;
    };
