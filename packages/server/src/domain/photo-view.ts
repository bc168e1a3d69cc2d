import type { LocationPrivacy, Photo } from '@flickr-kit/sdk/contract';
import type { AlbumRecord, PhotoRecord, RenditionRecord } from '../ports/metadata-store.ts';
import { ANYONE, type UrlSigner } from './url-signer.ts';

/** Signs the URLs of the photos one response shows, all with one expiry. */
export interface UrlContext {
  signer: UrlSigner;
  /** The user the URLs are for; public photos get URLs anyone may use. */
  viewerId: string | undefined;
  expires: number;
  /** Owners whose profile is private: their public photos are signed for the caller, as private ones are. */
  privateProfiles?: ReadonlySet<string>;
}

/** What the caller may know of a photo's location. */
export interface LocationView {
  /** Whether the owner shows the location to the caller. */
  shown: boolean;
  /** Who sees it: for the owner and administrators only. */
  privacy: LocationPrivacy | null;
  /** Whether the caller gets the original as uploaded, GPS fields included. */
  originalGps: boolean;
  /**
   * The SHA-256 of the copy without GPS the caller gets otherwise, once the
   * CDN tier has worked it out (domain/original-scrubs.ts).
   */
  copySha256?: string | undefined;
}

/** Where the photo was taken, as the API says it; null without a location. */
export const locationOf = (photo: Pick<PhotoRecord, 'latitude' | 'longitude'>) =>
  photo.latitude !== null && photo.longitude !== null
    ? { latitude: photo.latitude, longitude: photo.longitude }
    : null;

/** The API's view of a photo record, with signed URLs for the caller. */
export function toPhoto(
  photo: PhotoRecord,
  album: AlbumRecord | undefined,
  renditions: RenditionRecord[],
  urls: UrlContext,
  /** Whether the caller has it among their favorites. */
  favorited: boolean,
  geo: LocationView,
): Photo {
  const caller = urls.viewerId ?? ANYONE;
  // A public photo's renditions are signed for anyone, so every viewer (and every
  // shared cache) gets the same URLs. Its original is signed for the caller: the
  // CDN tier limits original downloads per URL viewer, and keys a URL for anyone
  // by client address, which many users behind one NAT share.
  const shared =
    photo.visibility === 'public' && !urls.privateProfiles?.has(photo.ownerId) ? ANYONE : caller;
  const sign = (key: string, viewer: string) => urls.signer.url(key, viewer, urls.expires);
  return {
    id: photo.id,
    ownerId: photo.ownerId,
    album: album ? { id: album.id, name: album.name } : null,
    sha256: photo.sha256,
    bytes: photo.bytes,
    originalName: photo.originalName,
    title: photo.title,
    description: photo.description,
    tags: photo.tags,
    visibility: photo.visibility,
    commentsEnabled: photo.commentsEnabled,
    favoriteCount: photo.favoriteCount,
    favorited,
    status: photo.status,
    statusReason: photo.statusReason,
    format: photo.format,
    width: photo.width,
    height: photo.height,
    capturedAt: photo.capturedAt,
    camera: photo.camera,
    location: geo.shown ? locationOf(photo) : null,
    locationPrivacy: geo.privacy,
    placeholder: photo.placeholder,
    renditions: renditions.map(
      ({ name, width, height, bytes, format, renderedBy, specVersion, path }) => ({
        name,
        width,
        height,
        bytes,
        format,
        renderedBy,
        specVersion,
        url: sign(path, shared),
      }),
    ),
    originalUrl: photo.originalKey ? sign(photo.originalKey, caller) : null,
    originalSha256: geo.originalGps ? photo.sha256 : (geo.copySha256 ?? null),
    urlsExpireAt: new Date(urls.expires * 1000).toISOString(),
    createdAt: photo.createdAt,
    updatedAt: photo.updatedAt,
  };
}
