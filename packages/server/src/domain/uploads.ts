import { writeFile } from 'node:fs/promises';
import {
  type CheckHashesResponse,
  CLIENT_THUMBNAIL_MAX_BYTES,
  type Limits,
  MAX_HASHES_PER_CHECK,
  TUS_PATH,
  type UploadMetadata,
  UploadMetadata as UploadMetadataSchema,
  type UploadResult,
} from '@flickr-kit/sdk/contract';
import { hashFile, type ImageProbe, probe, ThumbnailError } from '@flickr-kit/thumbnail-core';
import type { EventBus } from '../ports/event-bus.ts';
import type { MetadataStore, PhotoRecord } from '../ports/metadata-store.ts';
import type { UploadStaging } from '../ports/upload-staging.ts';
import { folderFor } from './blob-keys.ts';
import { checkClientThumbnail } from './client-thumbnail.ts';
import { DomainError } from './errors.ts';
import { nowIso, uuidv7 } from './ids.ts';
import type { PhotoService } from './photos.ts';
import type { Principal } from './principal.ts';
import type { RenditionPolicy } from './rendition-policy.ts';

export interface UploadSettings {
  maxUploadBytes: number;
  pixelLimit: number;
  uploadsPerUser: number;
  originalDownloadsPerUser: number;
  freeTierPhotos: number;
  registration: 'open' | 'closed';
}

/** A finished tus upload, as the pivot receives it. */
export interface FinishedUpload {
  id: string;
  ownerId: string;
  size: number;
  metadata: Record<string, string | null>;
  /** SHA-256 computed while the bytes streamed in, when the server saw every byte itself. */
  sha256?: string | undefined;
}

const MAX_TAGS = 50;

function parseTags(tags: string | undefined): string[] {
  if (!tags) return [];
  const unique = new Set(
    tags
      .split(',')
      .map((tag) => tag.trim())
      .filter((tag) => tag.length > 0 && tag.length <= 100),
  );
  return [...unique].slice(0, MAX_TAGS);
}

/** Dedup checks, upload admission and the saga's pivot. */
export class UploadService {
  readonly #store: MetadataStore;
  readonly #staging: UploadStaging;
  readonly #bus: EventBus;
  readonly #settings: UploadSettings;
  readonly #renditions: RenditionPolicy;
  readonly #photos: PhotoService;

  constructor(
    store: MetadataStore,
    staging: UploadStaging,
    bus: EventBus,
    settings: UploadSettings,
    renditions: RenditionPolicy,
    photos: PhotoService,
  ) {
    this.#photos = photos;
    this.#store = store;
    this.#staging = staging;
    this.#bus = bus;
    this.#settings = settings;
    this.#renditions = renditions;
  }

  limits(): Limits {
    const spec = (s: RenditionPolicy['thumbnail']) => ({
      name: s.name,
      ...(s.width === undefined ? {} : { width: s.width }),
      ...(s.height === undefined ? {} : { height: s.height }),
      fit: s.fit ?? 'inside',
      format: s.format ?? 'jpeg',
      quality: s.quality ?? 80,
    });
    return {
      maxUploadBytes: this.#settings.maxUploadBytes,
      pixelLimit: this.#settings.pixelLimit,
      uploadsInFlightPerUser: this.#settings.uploadsPerUser,
      originalDownloadsInFlightPerUser: this.#settings.originalDownloadsPerUser,
      freeTierPhotos: this.#settings.freeTierPhotos,
      maxHashesPerCheck: MAX_HASHES_PER_CHECK,
      registration: this.#settings.registration,
      tusEndpoint: `${TUS_PATH}/`,
      clientRendering: {
        specVersion: this.#renditions.specVersion,
        maxBytes: CLIENT_THUMBNAIL_MAX_BYTES,
        spec: spec(this.#renditions.thumbnail),
      },
      renditions: [this.#renditions.thumbnail, ...this.#renditions.others].map(spec),
    };
  }

  async checkHashes(principal: Principal, hashes: readonly string[]): Promise<CheckHashesResponse> {
    const unique = [...new Set(hashes)];
    const found = await this.#store.photos.byHashes(principal.user.id, unique);
    const known = new Map(found.map((photo) => [photo.sha256, photo]));
    return {
      existing: found.map((photo) => ({
        sha256: photo.sha256,
        photoId: photo.id,
        status: photo.status,
      })),
      missing: unique.filter((hash) => !known.has(hash)),
    };
  }

  /** Admission of a new upload: valid metadata, a size within limits, room in the quota. */
  async admit(
    principal: Principal,
    metadata: Record<string, string | null>,
    size: number | undefined,
  ): Promise<UploadMetadata> {
    const parsed = parseMetadata(metadata);
    if (size !== undefined && size > this.#settings.maxUploadBytes) {
      throw new DomainError(
        'payload_too_large',
        `The file is ${size} bytes; the limit is ${this.#settings.maxUploadBytes}`,
      );
    }
    // A file the user already has costs no quota: the pivot will answer with the existing photo.
    const known = await this.#store.photos.byHashes(principal.user.id, [parsed.sha256]);
    if (known.length === 0) await this.#checkQuota(this.#store, principal.user.id);
    return parsed;
  }

  async #checkQuota(store: Pick<MetadataStore, 'photos'>, ownerId: string): Promise<void> {
    const count = await store.photos.countLive(ownerId);
    if (count >= this.#settings.freeTierPhotos) {
      throw new DomainError(
        'quota_exceeded',
        `You have ${count} photos, the most this server's free tier keeps (${this.#settings.freeTierPhotos})`,
      );
    }
  }

  /**
   * The saga's pivot. Verifies the bytes, then records the photo and the
   * saga's first event in one transaction, and only then answers. A file the
   * owner already has returns the existing photo; a refused file leaves
   * nothing behind.
   */
  async complete(upload: FinishedUpload): Promise<UploadResult> {
    try {
      return await this.#complete(upload);
    } catch (error) {
      await this.#staging.remove(upload.id);
      throw error;
    }
  }

  async #complete(upload: FinishedUpload): Promise<UploadResult> {
    const metadata = parseMetadata(upload.metadata);
    const path = this.#staging.filePath(upload.id);
    const sha256 = upload.sha256 ?? (await hashFile(path)).sha256;
    if (sha256 !== metadata.sha256) {
      throw new DomainError(
        'hash_mismatch',
        `The received file's SHA-256 is ${sha256}, not the declared ${metadata.sha256}: nothing was kept, upload it again`,
      );
    }
    const image =
      (await this.#staging.earlyProbe(upload.id)) ??
      (await probeUpload(path, this.#settings.pixelLimit));
    const clientThumbnail = await checkClientThumbnail(metadata, image, this.#renditions);
    if (clientThumbnail.status === 'accepted') {
      await writeFile(this.#staging.thumbnailPath(upload.id), clientThumbnail.data);
    }

    const now = nowIso();
    const { photo, inserted } = await this.#store.transaction(async (tx) => {
      const album = metadata.album
        ? await tx.albums.findOrCreate({
            id: uuidv7(),
            ownerId: upload.ownerId,
            name: metadata.album,
            createdAt: now,
          })
        : undefined;
      const record: PhotoRecord = {
        id: uuidv7(),
        ownerId: upload.ownerId,
        albumId: album?.id ?? null,
        sha256,
        bytes: upload.size,
        originalName: metadata.filename,
        title: metadata.title ?? '',
        description: metadata.description ?? '',
        tags: parseTags(metadata.tags),
        visibility: metadata.visibility ?? 'private',
        commentsEnabled: true,
        status: 'processing',
        statusReason: null,
        format: image.format,
        width: image.displayWidth,
        height: image.displayHeight,
        capturedAt: image.capturedAt ?? null,
        camera: [image.camera?.make, image.camera?.model].filter(Boolean).join(' ') || null,
        latitude: image.gps?.latitude ?? null,
        longitude: image.gps?.longitude ?? null,
        placeholder: null,
        originalKey: null,
        // Every file the saga writes goes here, wherever the photo moves meanwhile.
        blobFolder: folderFor(upload.ownerId, album?.id ?? null),
        createdAt: now,
        updatedAt: now,
        deletedAt: null,
      };
      const existing = (await tx.photos.byHashes(upload.ownerId, [sha256]))[0];
      if (existing) return { photo: existing, inserted: false };
      await this.#checkQuota(tx, upload.ownerId);
      const result = await tx.photos.insertUnlessDuplicate(record);
      if (result.inserted) {
        await tx.outbox.enqueue({
          id: uuidv7(),
          photoId: record.id,
          step: 'store_original',
          payload: { uploadId: upload.id, clientThumbnail: clientThumbnail.status === 'accepted' },
          availableAt: now,
          createdAt: now,
        });
        // From here the staged bytes are the saga's: expiry must not remove them, however
        // long the saga is backed up or parked.
        await tx.uploads.finish(upload.id);
      }
      return result;
    });

    if (inserted) this.#bus.notify();
    else await this.#staging.remove(upload.id);
    return {
      photo: await this.#photos.view(photo, upload.ownerId),
      duplicate: !inserted,
      clientThumbnail: inserted ? clientThumbnail.status : 'absent',
    };
  }
}

export function parseMetadata(metadata: Record<string, string | null>): UploadMetadata {
  const present = Object.fromEntries(
    Object.entries(metadata).filter(([, value]) => value !== null && value !== ''),
  );
  const result = UploadMetadataSchema.safeParse(present);
  if (!result.success) {
    const issues = result.error.issues
      .map((issue) => `${issue.path.join('.')}: ${issue.message}`)
      .join('; ');
    throw new DomainError('validation_failed', `Invalid Upload-Metadata: ${issues}`);
  }
  return result.data;
}

/** What the header tells is refused at completion: not an image, an unsupported format, too many pixels. */
async function probeUpload(path: string, pixelLimit: number): Promise<ImageProbe> {
  try {
    return await probe(path, { pixelLimit });
  } catch (error) {
    if (!(error instanceof ThumbnailError)) throw error;
    const code = {
      unsupported_format: 'unsupported_image',
      corrupt_image: 'corrupt_image',
      image_too_large: 'image_too_large',
    } as const;
    throw new DomainError(code[error.code], `${error.message}: nothing was kept`, { cause: error });
  }
}
