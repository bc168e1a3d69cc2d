import type { Readable } from 'node:stream';
import type { UploadOutcome, UploadRecord } from '../ports/metadata-store.ts';
import { DomainError } from './errors.ts';
import type { BodyChecksum } from './upload-checksum.ts';

// What the tus model says about an upload and asks of a request, apart from
// how it is carried out (resumable-uploads.ts) or spoken (http/tus).

/** tus concatenation: a part of a file, or the file made of parts (their upload ids, in order). */
export type Concatenation = { kind: 'partial' } | { kind: 'final'; parts: string[] };

export interface NewUpload {
  /** Undefined when deferred (creation-defer-length), and for a final upload (its parts' sum). */
  length: number | undefined;
  metadata: Record<string, string | null>;
  concat?: Concatenation | undefined;
  /** The `Idempotency-Key` the creation came with, if any. */
  idempotencyKey?: string | undefined;
}

/** What a client may know of an upload (tus HEAD). */
export interface UploadStatus {
  id: string;
  length: number | undefined;
  offset: number;
  metadata: Record<string, string | null>;
  concat: Concatenation | undefined;
  /** When an unfinished upload expires; undefined once finished. */
  expiresAt: Date | undefined;
  /** Set once the upload is finished: the pivot's answer, the same for every retry. */
  outcome: UploadOutcome | undefined;
}

export interface AppendInput {
  /** Where the client says its bytes start (tus Upload-Offset). */
  offset: number;
  /** A deferred length, declared now (tus Upload-Length on a PATCH). */
  length?: number | undefined;
  body: Readable;
  /** The body's size when the request declared it. */
  bodyBytes?: number | undefined;
  checksum?: BodyChecksum | undefined;
}

/** The client's offset is not the server's: nothing was written, and here is where to go on. */
export class OffsetMismatchError extends DomainError {
  readonly offset: number;

  constructor(offset: number, sent: number) {
    super(
      'upload_conflict',
      `The upload holds ${offset} bytes, not ${sent}: resume from Upload-Offset ${offset}`,
    );
    this.offset = offset;
  }
}

export const gone = () =>
  new DomainError('gone', 'The upload expired or its bytes are gone: start it again');

/** The record's `concat` column, as the model sees it. */
export const parseConcat = (value: string | null): Concatenation | undefined => {
  if (value === null) return undefined;
  if (value === 'partial') return { kind: 'partial' };
  return { kind: 'final', parts: value.slice('final;'.length).split(' ').filter(Boolean) };
};

export const formatConcat = (concat: Concatenation | undefined): string | null =>
  concat === undefined
    ? null
    : concat.kind === 'partial'
      ? 'partial'
      : `final;${concat.parts.join(' ')}`;

/** An upload's status, from its record and the bytes held. */
export function statusOf(record: UploadRecord, offset: number, expiresAt?: string): UploadStatus {
  return {
    id: record.id,
    length: record.length ?? undefined,
    offset,
    metadata: record.metadata,
    concat: parseConcat(record.concat),
    expiresAt: record.outcome ? undefined : new Date(expiresAt ?? record.expiresAt),
    outcome: record.outcome ?? undefined,
  };
}
