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
import type {
  MetadataStore,
  PhotoRecord,
  UploadOutcome,
  UploadRecord,
  UserSettingsRecord,
} from '../ports/metadata-store.ts';
import type { UploadStaging } from '../ports/upload-staging.ts';
import { extensionFor, folderFor } from './blob-keys.ts';
import { checkClientThumbnail } from './client-thumbnail.ts';
import { DomainError, notFound } from './errors.ts';
import { uuidv7 } from './ids.ts';
import type { PhotoService } from './photos.ts';
import type { Principal } from './principal.ts';
import type { RenditionPolicy } from './rendition-policy.ts';

export interface UploadSettings {
  maxUploadBytes: number;
  /** How long an upload lives after its last activity, and a finished one's record after it finished. */
  uploadExpiryHours: number;
  pixelLimit: number;
  uploadsPerUser: number;
  originalDownloadsPerUser: number;
  freeTierPhotos: number;
  registration: 'open' | 'closed';
}

/** A complete upload, as the pivot receives it. */
export interface CompleteUpload {
  record: UploadRecord;
  /** SHA-256 computed while the bytes arrived, when this process saw every one of them. */
  sha256?: string | undefined;
  /** The image probed from its first bytes while the rest arrived, when there is one. */
  earlyProbe?: Promise<ImageProbe | undefined> | undefined;
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

  /**
   * Admission of a new upload: valid metadata, a size within limits (when
   * declared), room in the quota. A partial upload (tus concatenation) is
   * bytes only: its size is checked, the rest waits for the final upload.
   */
  async admit(
    principal: Principal,
    metadata: Record<string, string | null>,
    size: number | undefined,
    partial = false,
  ): Promise<void> {
    this.checkSize(size);
    if (partial) return;
    const parsed = parseMetadata(metadata);
    // A file the user already has costs no quota: the pivot will answer with the existing photo.
    const known = parsed.sha256
      ? await this.#store.photos.byHashes(principal.user.id, [parsed.sha256])
      : [];
    if (known.length === 0) await this.#checkQuota(this.#store, principal.user.id);
  }

  /** Refuses a size over the limit. */
  checkSize(size: number | undefined): void {
    if (size !== undefined && size > this.#settings.maxUploadBytes) {
      throw new DomainError(
        'payload_too_large',
        `The file is ${size} bytes; the limit is ${this.#settings.maxUploadBytes}`,
      );
    }
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
   * The saga's pivot. Verifies the bytes, then in one transaction records
   * the photo, the saga's first event and the upload's outcome, and only
   * then answers. A file the owner already has answers with the existing
   * photo. A refused file is recorded as refused (a retry hears the same
   * problem) and its bytes are removed; any other failure leaves the upload
   * as it was, for a retry to complete. An upload finished already (a
   * retried last request, here or in another process) answers with the
   * outcome recorded then.
   */
  async complete(upload: CompleteUpload): Promise<UploadOutcome> {
    try {
      return await this.#complete(upload);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      const refused: UploadOutcome = { kind: 'refused', code: error.code, detail: error.message };
      const now = Date.now();
      if (await this.#store.uploads.finish(upload.record.id, refused, iso(now), this.#expiry(now)))
        await this.#staging.remove(upload.record.id);
      throw error;
    }
  }

  async #complete({ record: upload, sha256: received, earlyProbe }: CompleteUpload) {
    const metadata = parseMetadata(upload.metadata);
    const sha256 = received ?? (await hashFile(await this.#staging.read(upload.id))).sha256;
    if (metadata.sha256 && sha256 !== metadata.sha256) {
      throw new DomainError(
        'hash_mismatch',
        `The received file's SHA-256 is ${sha256}, not the declared ${metadata.sha256}: nothing was kept, upload it again`,
      );
    }
    const image = (await earlyProbe) ?? (await this.#probeStaged(upload.id));
    const clientThumbnail = await checkClientThumbnail(metadata, image, this.#renditions);
    if (clientThumbnail.status === 'accepted') {
      await this.#staging.putThumbnail(upload.id, clientThumbnail.data);
    }

    const now = Date.now();
    const at = iso(now);
    const pivot = await this.#store.transaction(async (tx) => {
      // One pivot per user at a time: the quota check and the insert it allows are one step.
      // An account deleted meanwhile gets no photo: its upload is refused as gone.
      if (!(await tx.users.lockLive(upload.ownerId))) throw notFound('Upload');
      const current = await tx.uploads.byId(upload.id);
      if (!current) throw notFound('Upload');
      // Finished meanwhile, by a retry of the same request here or in another process.
      if (current.outcome) return { outcome: current.outcome, decidedHere: false };
      const existing = (await tx.photos.byHashes(upload.ownerId, [sha256]))[0];
      if (existing) {
        const outcome = duplicateOf(existing.id);
        await tx.uploads.finish(upload.id, outcome, at, this.#expiry(now));
        return { outcome, decidedHere: true };
      }
      await this.#checkQuota(tx, upload.ownerId);
      const settings = await tx.settings.get(upload.ownerId);
      const album = metadata.album
        ? await tx.albums.findOrCreate({
            id: uuidv7(),
            ownerId: upload.ownerId,
            name: metadata.album,
            createdAt: at,
          })
        : undefined;
      const photo = newPhoto(upload, metadata, sha256, image, album?.id ?? null, at, settings);
      // The owner lock rules out a concurrent twin; the constraint still decides, without an error.
      const stored = await tx.photos.insertUnlessDuplicate(photo);
      const outcome: UploadOutcome = stored.inserted
        ? {
            kind: 'photo',
            photoId: photo.id,
            duplicate: false,
            clientThumbnail: clientThumbnail.status,
          }
        : duplicateOf(stored.photo.id);
      if (stored.inserted) {
        await tx.outbox.enqueue({
          id: uuidv7(),
          photoId: photo.id,
          step: 'store_original',
          payload: { uploadId: upload.id, clientThumbnail: clientThumbnail.status === 'accepted' },
          availableAt: at,
          createdAt: at,
        });
      }
      // From here the staged bytes of a new photo are the saga's, which removes them once stored.
      await tx.uploads.finish(upload.id, outcome, at, this.#expiry(now));
      return { outcome, decidedHere: true };
    });

    const { outcome } = pivot;
    if (pivot.decidedHere && outcome.kind === 'photo') {
      if (outcome.duplicate) await this.#staging.remove(upload.id);
      else this.#bus.notify();
    }
    return outcome;
  }

  /** When a finished upload's record goes: its client may ask about it until then. */
  #expiry(now: number): string {
    return iso(now + this.#settings.uploadExpiryHours * 3_600_000);
  }

  async #probeStaged(uploadId: string): Promise<ImageProbe> {
    const file = await this.#staging.localFile(uploadId);
    try {
      return await probeUpload(file.path, this.#settings.pixelLimit);
    } finally {
      await file.release();
    }
  }

  /**
   * What a finished upload answers: the photo, as the owner sees it now, or
   * the problem it was refused with.
   */
  async result(outcome: UploadOutcome, ownerId: string): Promise<UploadResult> {
    if (outcome.kind === 'refused') throw new DomainError(outcome.code, outcome.detail);
    if (outcome.kind !== 'photo') throw notFound('Upload');
    const photo = await this.#store.photos.byId(outcome.photoId);
    if (!photo || photo.deletedAt) throw notFound('Photo');
    return {
      photo: await this.#photos.view(photo, ownerId),
      duplicate: outcome.duplicate,
      clientThumbnail: outcome.clientThumbnail,
    };
  }
}

const iso = (ms: number) => new Date(ms).toISOString();

const duplicateOf = (photoId: string): UploadOutcome => ({
  kind: 'photo',
  photoId,
  duplicate: true,
  clientThumbnail: 'absent',
});

/** The photo a new upload becomes at the pivot: `processing` until the saga is done. */
function newPhoto(
  upload: UploadRecord,
  metadata: UploadMetadata,
  sha256: string,
  image: ImageProbe,
  albumId: string | null,
  at: string,
  settings: UserSettingsRecord,
): PhotoRecord {
  return {
    id: uuidv7(),
    ownerId: upload.ownerId,
    albumId,
    sha256,
    bytes: upload.length ?? 0,
    originalName: metadata.filename ?? `${upload.id}.${extensionFor(image.format)}`,
    title: metadata.title ?? '',
    description: metadata.description ?? '',
    tags: parseTags(metadata.tags),
    visibility: metadata.visibility ?? 'private',
    // The owner's choice for new photos; each can be switched on its own later.
    commentsEnabled: settings.commentsEnabledByDefault,
    favoriteCount: 0,
    status: 'processing',
    statusReason: null,
    format: image.format,
    width: image.displayWidth,
    height: image.displayHeight,
    capturedAt: image.capturedAt ?? null,
    camera: [image.camera?.make, image.camera?.model].filter(Boolean).join(' ') || null,
    latitude: image.gps?.latitude ?? null,
    longitude: image.gps?.longitude ?? null,
    locationVisibility: null,
    locationEdited: false,
    placeholder: null,
    originalKey: null,
    // Every file the saga writes goes here, wherever the photo moves meanwhile.
    blobFolder: folderFor(upload.ownerId, albumId),
    createdAt: at,
    updatedAt: at,
    deletedAt: null,
  };
}

/**
 * Reads Upload-Metadata into the contract's fields. Uppy and other browser
 * clients name the file `name` (and its type `type`): taken as `filename`
 * and `filetype` when those are absent.
 */
export function parseMetadata(metadata: Record<string, string | null>): UploadMetadata {
  const present = Object.fromEntries(
    Object.entries(metadata).filter(([, value]) => value !== null && value !== ''),
  );
  const { name, type, ...fields } = present;
  const result = UploadMetadataSchema.safeParse({
    ...(name === undefined ? {} : { filename: name }),
    ...(type === undefined ? {} : { filetype: type }),
    ...fields,
  });
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
