import { randomUUID } from 'node:crypto';
import { type UploadResult, UploadResult as UploadResultSchema } from '../contract/uploads.ts';
import { withRetries } from '../core/retry.ts';
import type { RequestOptions, Transport } from '../core/transport.ts';
import { ConflictError, NotFoundError, ResponseValidationError } from '../errors.ts';
import { bodyOf, counted, discard, type FileBytes } from './file-body.ts';
import type { Permit } from './transfer-gate.ts';

const TUS = { 'tus-resumable': '1.0.0' } as const;
const OFFSET_CONTENT_TYPE = 'application/offset+octet-stream';
/** RFC 7240: the pivot's result in the last answer, where tus would answer a bare 204. */
const PREFER = { prefer: 'return=representation' } as const;

/** One file to send over tus 1.0. */
export interface TusUpload {
  /** The tus endpoint, absolute. */
  endpoint: string;
  file: FileBytes;
  size: number;
  metadata: Record<string, string>;
  /** An upload URL an earlier attempt stored: resumed from the offset the server holds. */
  url?: string | undefined;
  /**
   * Create the upload with an empty request and hand its URL to `onUrl`
   * before any byte leaves; otherwise the bytes travel in the creation
   * request (one round trip, nothing to store).
   */
  createFirst: boolean;
  /** Bytes per PATCH (default: all that is left, in one). */
  chunkSize?: number | undefined;
  /** The upload's URL once known, to store; undefined when it is gone and must be forgotten. */
  onUrl?: ((url: string | undefined) => Promise<void>) | undefined;
  /** Bytes of the file the server holds or has been sent. */
  onProgress?: ((sent: number, total: number) => void) | undefined;
  /** A transfer slot, held by each request that carries bytes while it sends. */
  acquire?: (() => Promise<Permit>) | undefined;
  /** Milliseconds each PATCH took, from its slot to its answer. */
  onPatchTime?: ((ms: number) => void) | undefined;
}

/**
 * Sends a file over tus with the client's one transport and retry policy.
 * Each attempt asks the server where the upload stands (unless this process
 * knows) and sends the rest; a failed attempt is retried as the policy says,
 * resuming, never starting over while the upload exists. The request that
 * completes it answers with the pivot's result; a resume that finds every
 * byte there (the last answer was lost) sends that request again, and the
 * server answers it the same.
 */
export async function sendOverTus(
  transport: Transport,
  upload: TusUpload,
  options: RequestOptions = {},
): Promise<UploadResult> {
  // Requests inside an attempt go once: the attempt is what the policy retries.
  const once: RequestOptions = { ...options, maxRetries: 0 };
  // One key for every attempt at the creation: a retry after a lost answer is answered with the
  // upload the first one made, instead of making a second.
  const creation: RequestOptions = { ...once, idempotencyKey: `sdk-${randomUUID()}` };
  let url = upload.url;
  /** Where the server's bytes end, when this process knows; undefined: ask. */
  let offset: number | undefined = url ? undefined : 0;

  const create = async (): Promise<UploadResult | undefined> => {
    const headers = {
      ...TUS,
      'upload-length': String(upload.size),
      'upload-metadata': encodeMetadata(upload.metadata),
    };
    if (upload.createFirst) {
      const created = await transport.send(upload.endpoint, { method: 'POST', headers }, creation);
      await drain(created);
      url = locationOf(created, upload.endpoint);
      await upload.onUrl?.(url);
      offset = 0;
      return undefined;
    }
    const created = await sendBytes(
      upload,
      upload.endpoint,
      'POST',
      headers,
      0,
      transport,
      creation,
    );
    url = locationOf(created, upload.endpoint);
    offset = Number(created.headers.get('upload-offset') ?? 0);
    if (offset === upload.size) return resultOf(created);
    await drain(created);
    return undefined;
  };

  const resume = async (at: string): Promise<UploadResult> => {
    for (;;) {
      const from = offset as number;
      const answer = await sendBytes(
        upload,
        at,
        'PATCH',
        { ...TUS, 'upload-offset': String(from) },
        from,
        transport,
        once,
      );
      offset = Number(answer.headers.get('upload-offset') ?? from);
      if (answer.status === 200) return resultOf(answer);
      await drain(answer);
      if (offset >= upload.size)
        throw new ResponseValidationError('The upload finished without its result', []);
    }
  };

  return withRetries(
    transport.retrySettings(options),
    async () => {
      // Once, a 409 (another offset than ours) or a vanished upload sets us right within the attempt.
      for (let resynced = false; ; resynced = true) {
        try {
          if (!url) {
            const done = await create();
            if (done) return done;
          }
          const at = url as string;
          offset ??= await offsetOf(transport, at, once);
          return await resume(at);
        } catch (error) {
          offset = undefined;
          if (resynced) throw error;
          if (error instanceof NotFoundError && url) {
            // Expired or terminated: start a new upload.
            url = undefined;
            offset = 0;
            await upload.onUrl?.(undefined);
          } else if (!(error instanceof ConflictError && error.retryAfterSeconds === undefined))
            throw error;
        }
      }
    },
    options.signal,
  );
}

/** A request carrying the file's bytes from `from`, in a slot, with progress. */
async function sendBytes(
  upload: TusUpload,
  at: string,
  method: 'POST' | 'PATCH',
  headers: Record<string, string>,
  from: number,
  transport: Transport,
  options: RequestOptions,
): Promise<Response> {
  const end = upload.chunkSize ? Math.min(upload.size, from + upload.chunkSize) : upload.size;
  // Made before the slot is waited for: the first MiB is read meanwhile.
  const body = bodyOf(upload.file, from, end);
  const permit = end > from ? await upload.acquire?.() : undefined;
  const started = performance.now();
  try {
    return await transport.send(
      at,
      {
        method,
        headers: {
          ...headers,
          ...PREFER,
          'content-type': OFFSET_CONTENT_TYPE,
          // Known ahead, so the server can refuse a body too long before reading it.
          'content-length': String(end - from),
        },
        body: counted(
          body,
          (sent) => upload.onProgress?.(from + sent, upload.size),
          () => {
            permit?.started();
            // Where this request starts: what the server held already counts as sent.
            upload.onProgress?.(from, upload.size);
          },
        ),
        timeoutMode: 'idle',
      },
      options,
    );
  } catch (error) {
    discard(body);
    throw error;
  } finally {
    permit?.release();
    if (method === 'PATCH') upload.onPatchTime?.(performance.now() - started);
  }
}

async function offsetOf(
  transport: Transport,
  url: string,
  options: RequestOptions,
): Promise<number> {
  const answer = await transport.send(url, { method: 'HEAD', headers: { ...TUS } }, options);
  await drain(answer);
  const offset = Number(answer.headers.get('upload-offset'));
  if (!Number.isSafeInteger(offset) || offset < 0)
    throw new ResponseValidationError('HEAD answered no Upload-Offset', []);
  return offset;
}

async function resultOf(answer: Response): Promise<UploadResult> {
  const json: unknown = await answer.json().catch(() => undefined);
  const parsed = UploadResultSchema.safeParse(json);
  if (!parsed.success)
    throw new ResponseValidationError(
      'The upload finished but its result does not match the contract',
      parsed.error.issues,
    );
  return parsed.data;
}

/** Reads an answer's (empty) body to its end, so its connection goes back to the pool at once. */
async function drain(answer: Response): Promise<void> {
  await answer.arrayBuffer();
}

function locationOf(answer: Response, endpoint: string): string {
  const location = answer.headers.get('location');
  if (!location) throw new ResponseValidationError('The creation answered no Location', []);
  return new URL(location, endpoint).toString();
}

/** `Upload-Metadata`: comma-separated `key base64(value)` pairs. */
export function encodeMetadata(metadata: Record<string, string>): string {
  return Object.entries(metadata)
    .map(([key, value]) => `${key} ${Buffer.from(value).toString('base64')}`)
    .join(',');
}
