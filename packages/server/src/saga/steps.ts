import { buffer } from 'node:stream/consumers';
import type { SagaStep } from '@flickr-kit/sdk/contract';
import { placeholder, probe, renderRenditions, ThumbnailError } from '@flickr-kit/thumbnail-core';
import { originalKey, renditionKey } from '../domain/blob-keys.ts';
import { fanOutNewPhoto } from '../domain/follower-fan-out.ts';
import type { RenditionPolicy } from '../domain/rendition-policy.ts';
import type { BlobStore } from '../ports/blob-store.ts';
import type {
  OutboxEvent,
  PhotoRecord,
  RenditionRecord,
  Repositories,
} from '../ports/metadata-store.ts';
import {
  type MadeRendition,
  type SagaEvent,
  type StepPayload,
  StepPayloads,
} from '../ports/saga-events.ts';
import type { UploadStaging } from '../ports/upload-staging.ts';
import type { Doorbell } from '../support/doorbell.ts';
import { PermanentStepError } from './step-error.ts';

export interface StepContext {
  /** Private storage of originals and renditions. */
  blobs: BlobStore;
  /** The CDN tier's storage: what it serves, it serves from here. */
  cdn: BlobStore;
  staging: UploadStaging;
  renditions: RenditionPolicy;
  pixelLimit: number;
  /** Where the fan-out reads followers and writes notifications, batch by batch. */
  store: Pick<Repositories, 'follows' | 'notifications' | 'users'>;
  /** Wakes this process's notification streams once a fan-out is done. */
  wakeup: Doorbell;
}

/**
 * What a step decided. Its database writes and the next event commit in one
 * transaction with the removal of the current event; `afterCommit` runs
 * only once that has happened.
 */
export interface StepOutcome {
  next?: SagaEvent;
  write?: (tx: Repositories) => Promise<void>;
  afterCommit?: () => Promise<void>;
}

export type Step = (
  context: StepContext,
  photo: PhotoRecord,
  event: OutboxEvent,
) => Promise<StepOutcome>;

/**
 * The event's payload, read through its step's schema. One that does not
 * fit (written by other code, or damaged) cannot succeed on a retry: the
 * event is parked with the reason.
 */
function payloadOf<S extends SagaStep>(step: S, event: OutboxEvent): StepPayload<S> {
  const read = StepPayloads[step].safeParse(event.payload);
  if (read.success) return read.data as StepPayload<S>;
  const issues = read.error.issues.map(
    (issue) => `${issue.path.join('.') || 'payload'}: ${issue.message}`,
  );
  throw new PermanentStepError(`its payload does not fit ${step}: ${issues.join('; ')}`);
}

/**
 * Where the original lives: recorded with the first step's transition. Its
 * folder, like every other file's, is the one fixed at the pivot, so a photo
 * moved to another album mid-saga keeps one set of files in one place.
 */
const storedOriginal = (photo: PhotoRecord) => photo.originalKey ?? originalKey(photo);

/** Copies the staged upload (and a kept client thumbnail) into the blob store. */
const storeOriginal: Step = async ({ blobs, staging }, photo, event) => {
  const { uploadId, clientThumbnail } = payloadOf('store_original', event);
  const key = storedOriginal(photo);
  const stored = await blobs.stat(key);
  if (stored?.bytes !== photo.bytes) {
    const file = await staging.localFile(uploadId).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT')
        throw new PermanentStepError(`the staged upload ${uploadId} is gone`, { cause: error });
      throw error;
    });
    try {
      const info = await blobs.putFile(key, file.path);
      if (info.bytes !== photo.bytes) {
        throw new PermanentStepError(`stored ${info.bytes} bytes of a ${photo.bytes}-byte upload`);
      }
    } finally {
      await file.release();
    }
  }
  if (clientThumbnail) {
    const thumbnailKey = renditionKey(photo, 'thumbnail', 'jpeg');
    if (!(await blobs.stat(thumbnailKey))) {
      const thumbnail = await staging.readThumbnail(uploadId);
      if (!thumbnail)
        throw new PermanentStepError(`the client thumbnail of upload ${uploadId} is gone`);
      await blobs.put(thumbnailKey, thumbnail);
    }
  }
  return {
    next: { step: 'publish_original', payload: { clientThumbnail } },
    write: (tx) => tx.photos.update(photo.id, { originalKey: key }),
    afterCommit: () => staging.remove(uploadId),
  };
};

const publishOriginal: Step = async ({ blobs, cdn }, photo, event) => {
  const payload = payloadOf('publish_original', event);
  await blobs.copyTo(storedOriginal(photo), cdn);
  return { next: { step: 'render_renditions', payload } };
};

/** Thumbnail first and alone (as clients render it), then the other sizes from one decode. */
const renderStep: Step = async ({ blobs, renditions, pixelLimit }, photo, event) => {
  const { clientThumbnail } = payloadOf('render_renditions', event);
  const source = await blobs.localFile(storedOriginal(photo));
  try {
    const made: MadeRendition[] = [];
    const thumbnailKey = renditionKey(
      photo,
      renditions.thumbnail.name,
      renditions.thumbnail.format ?? 'jpeg',
    );
    if (clientThumbnail) {
      const data = await buffer(await blobs.read(thumbnailKey));
      const info = await probe(data);
      made.push({
        name: renditions.thumbnail.name,
        key: thumbnailKey,
        width: info.width,
        height: info.height,
        bytes: data.length,
        format: 'jpeg',
        renderedBy: 'client',
      });
    }
    const specs = clientThumbnail ? [] : [[renditions.thumbnail]];
    if (renditions.others.length > 0) specs.push(renditions.others);
    // A HEIC has no cheap scaled decode: each call decodes it whole (about a second per
    // 12 MP). One call makes every size from one decode; phones send the HEIC itself,
    // so no client thumbnail has to match this one byte for byte.
    if (photo.format === 'heic' && specs.length > 1) specs.splice(0, specs.length, specs.flat());
    for (const group of specs) {
      for (const rendition of await renderRenditions(source.path, group, { pixelLimit })) {
        const key = renditionKey(photo, rendition.name, rendition.format);
        await blobs.put(key, rendition.data);
        made.push({
          name: rendition.name,
          key,
          width: rendition.width,
          height: rendition.height,
          bytes: rendition.bytes,
          format: rendition.format,
          renderedBy: 'server',
        });
      }
    }
    const preview = await placeholder(source.path, { pixelLimit });
    return {
      next: { step: 'publish_renditions', payload: { renditions: made, placeholder: preview } },
    };
  } catch (error) {
    if (error instanceof ThumbnailError)
      throw new PermanentStepError(error.message, { cause: error });
    throw error;
  } finally {
    await source.release();
  }
};

const publishRenditions: Step = async ({ blobs, cdn }, _photo, event) => {
  const payload = payloadOf('publish_renditions', event);
  for (const rendition of payload.renditions) await blobs.copyTo(rendition.key, cdn);
  return { next: { step: 'finalize', payload } };
};

/** Records the renditions and marks the photo ready, in the same transaction that ends the saga. */
const finalize: Step = async ({ renditions }, photo, event) => {
  const payload = payloadOf('finalize', event);
  const now = new Date().toISOString();
  const rows: RenditionRecord[] = payload.renditions.map((made) => ({
    photoId: photo.id,
    name: made.name,
    path: made.key,
    width: made.width,
    height: made.height,
    bytes: made.bytes,
    format: made.format,
    renderedBy: made.renderedBy,
    specVersion: renditions.specVersion,
    createdAt: now,
  }));
  return {
    next: { step: 'notify_followers', payload: {} },
    write: async (tx) => {
      await tx.photos.putRenditions(photo.id, rows);
      await tx.photos.update(photo.id, {
        status: 'ready',
        statusReason: null,
        placeholder: payload.placeholder,
        updatedAt: now,
      });
    },
  };
};

/**
 * Tells the owner's followers about the ready photo: one step, retried like
 * any other, whose batches each commit on their own and add only what is
 * missing (domain/follower-fan-out.ts), so a crash mid-way repeats nobody.
 */
const notifyFollowers: Step = async ({ store, wakeup }, photo) => {
  await fanOutNewPhoto(store, photo);
  return { afterCommit: async () => wakeup.ring() };
};

export const STEPS: Record<SagaStep, Step> = {
  store_original: storeOriginal,
  publish_original: publishOriginal,
  render_renditions: renderStep,
  publish_renditions: publishRenditions,
  finalize,
  notify_followers: notifyFollowers,
};
