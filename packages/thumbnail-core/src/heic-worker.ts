// The worker thread that decodes HEIC with libheif compiled to WebAssembly
// (libheif-js). libheif decodes synchronously, about 80 ms per megapixel on
// one core: on the caller's thread a 12 MP photo would stall its event loop
// for a second. Here it stalls nothing, and a decode past its time limit is
// stopped by ending the thread, which also frees the WebAssembly memory.

import { createRequire } from 'node:module';
import { parentPort } from 'node:worker_threads';
import type { HeicRequest, HeicResponse } from './heic-protocol.ts';
import { pixelTiffLayout } from './pixel-tiff.ts';

/** The part of libheif-js's embind interface used here (its own typings leave results `any`). */
interface Libheif {
  heif_context_alloc(): HeifObject;
  heif_context_free(context: HeifObject): void;
  heif_context_read_from_memory(context: HeifObject, bytes: Uint8Array): HeifError;
  heif_js_context_get_primary_image_handle(context: HeifObject): HeifObject | HeifError;
  heif_image_handle_get_width(handle: HeifObject): number;
  heif_image_handle_get_height(handle: HeifObject): number;
  heif_image_handle_has_alpha_channel(handle: HeifObject): number;
  heif_image_handle_release(handle: HeifObject): void;
  heif_js_decode_image2(
    handle: HeifObject,
    colorspace: unknown,
    chroma: unknown,
  ): DecodedImage | HeifError;
  heif_image_release(image: HeifObject): void;
  heif_colorspace: { heif_colorspace_RGB: unknown };
  heif_chroma: { heif_chroma_interleaved_RGB: unknown; heif_chroma_interleaved_RGBA: unknown };
  heif_channel: { heif_channel_interleaved: unknown };
}

type HeifObject = { delete(): void };

interface HeifError {
  code: { value: number };
  subcode: { value: number };
  message: string;
}

interface DecodedImage {
  image: HeifObject;
  channels: { id: unknown; width: number; height: number; stride: number; data: Uint8Array }[];
}

// libheif's heif_error_code and heif_suberror_code values.
const UNSUPPORTED_FILETYPE = 3;
const UNSUPPORTED_FEATURE = 4;

const isError = (value: object): value is HeifError => 'code' in value && 'message' in value;

// Loaded on the first request, once per worker: the module is 1.4 MB of
// WebAssembly, compiled in about 100 ms.
let libheif: Promise<Libheif> | undefined;
const load = (): Promise<Libheif> => {
  const factory = createRequire(import.meta.url)('libheif-js/libheif-wasm/libheif.js') as (
    options?: object,
  ) => Promise<Libheif>;
  // Emscripten prints to the console by default; errors reach the caller as replies instead.
  return factory({ print: () => {}, printErr: () => {} });
};

async function decode(request: HeicRequest): Promise<HeicResponse> {
  const { id } = request;
  libheif ??= load();
  const heif = await libheif;
  const context = heif.heif_context_alloc();
  try {
    const read = heif.heif_context_read_from_memory(context, request.bytes);
    if (read.code.value !== 0) return failure(id, read, 'cannot read the file');
    const handle = heif.heif_js_context_get_primary_image_handle(context);
    if (isError(handle)) return failure(id, handle, 'no primary image');
    try {
      const width = heif.heif_image_handle_get_width(handle);
      const height = heif.heif_image_handle_get_height(handle);
      // Checked before by the caller from the boxes; again here, from libheif's own reading.
      if (width * height > request.pixelLimit) {
        return { id, ok: false, kind: 'too-large', message: 'too large', width, height };
      }
      const channels = heif.heif_image_handle_has_alpha_channel(handle) ? 4 : 3;
      const image = heif.heif_js_decode_image2(
        handle,
        heif.heif_colorspace.heif_colorspace_RGB,
        channels === 4
          ? heif.heif_chroma.heif_chroma_interleaved_RGBA
          : heif.heif_chroma.heif_chroma_interleaved_RGB,
      );
      if (isError(image)) return failure(id, image, 'cannot decode the image');
      try {
        const plane = image.channels.find(
          (c) => c.id === heif.heif_channel.heif_channel_interleaved,
        );
        if (!plane) return { id, ok: false, kind: 'corrupt', message: 'decoded to no pixels' };
        return { id, ok: true, ...toTiff(plane, channels, request.iccProfile) };
      } finally {
        heif.heif_image_release(image.image);
      }
    } finally {
      heif.heif_image_handle_release(handle);
    }
  } finally {
    heif.heif_context_free(context);
  }
}

/** Copies the pixels out of WebAssembly memory, once, straight into the TIFF that carries them. */
function toTiff(
  plane: DecodedImage['channels'][number],
  channels: 3 | 4,
  iccProfile: Uint8Array | undefined,
): { tiff: Uint8Array; width: number; height: number } {
  const { width, height, stride, data } = plane;
  const layout = pixelTiffLayout(width, height, channels, iccProfile);
  const tiff = new Uint8Array(layout.bytes);
  tiff.set(layout.head);
  const rowBytes = width * channels;
  if (stride === rowBytes) tiff.set(data.subarray(0, rowBytes * height), layout.head.length);
  else {
    for (let y = 0; y < height; y++) {
      tiff.set(data.subarray(y * stride, y * stride + rowBytes), layout.head.length + y * rowBytes);
    }
  }
  return { tiff, width, height };
}

/**
 * libheif's own security limits (tile counts, memory, a coded picture larger
 * than its header says) make corrupt files too: the pixel limit is ours, and
 * checked before.
 */
function failure(id: number, error: HeifError, what: string): HeicResponse {
  const code = error.code.value;
  const message = `${what}: ${error.message}`;
  if (code === UNSUPPORTED_FILETYPE || code === UNSUPPORTED_FEATURE) {
    return { id, ok: false, kind: 'unsupported', message };
  }
  return { id, ok: false, kind: 'corrupt', message };
}

const port = parentPort;
if (!port) throw new Error('heic-worker.ts runs as a worker thread');
port.on('message', async (request: HeicRequest) => {
  let response: HeicResponse;
  try {
    response = await decode(request);
  } catch (error) {
    // A WebAssembly trap or an out-of-memory abort: libheif's state is not to be trusted after it.
    const message = error instanceof Error ? error.message : String(error);
    response = { id: request.id, ok: false, kind: 'corrupt', message, fatal: true };
  }
  port.postMessage(response, response.ok ? [response.tiff.buffer as ArrayBuffer] : []);
  if (!response.ok && response.fatal) process.exit(1);
});
