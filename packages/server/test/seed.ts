// Seeds photo rows straight into the metadata store, for tests and
// benchmarks that need many photos without uploading each one.
import { createHash } from 'node:crypto';
import { uuidv7 } from '../src/domain/ids.ts';
import type { MetadataStore, PhotoRecord } from '../src/ports/metadata-store.ts';

export function photoRecord(ownerId: string, overrides: Partial<PhotoRecord> = {}): PhotoRecord {
  const id = overrides.id ?? uuidv7();
  const now = new Date().toISOString();
  return {
    id,
    ownerId,
    albumId: null,
    sha256: createHash('sha256').update(id).digest('hex'),
    bytes: 1000,
    originalName: `${id}.jpg`,
    title: '',
    description: '',
    tags: [],
    visibility: 'public',
    commentsEnabled: true,
    favoriteCount: 0,
    status: 'ready',
    statusReason: null,
    format: 'jpeg',
    width: 640,
    height: 480,
    capturedAt: null,
    camera: null,
    latitude: null,
    longitude: null,
    locationVisibility: null,
    locationEdited: false,
    placeholder: null,
    originalKey: null,
    blobFolder: null,
    createdAt: now,
    updatedAt: now,
    deletedAt: null,
    ...overrides,
  };
}

/** Inserts `count` ready photos for an owner, oldest first; returns their ids in that order. */
export async function seedPhotos(
  store: MetadataStore,
  ownerId: string,
  count: number,
  overrides: Partial<PhotoRecord> = {},
): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const photo = photoRecord(ownerId, overrides);
    await store.photos.insertUnlessDuplicate(photo);
    ids.push(photo.id);
  }
  return ids;
}
