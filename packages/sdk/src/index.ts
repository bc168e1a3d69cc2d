export { type ClientOptions, FlickrClient } from './client.ts';
export * from './contract/index.ts';
export { PageIterator } from './core/pagination.ts';
export type { FetchFunction, RequestOptions } from './core/transport.ts';
export type { DownloadOptions, DownloadResult, Resolution } from './downloads/download-file.ts';
export type {
  DownloadManyEvent,
  DownloadManyOptions,
  DownloadReportEntry,
} from './downloads/download-many.ts';
export * from './errors.ts';
export type { CommentListQuery } from './resources/comments.ts';
export type { FavoriteListQuery } from './resources/favorites.ts';
export type { FollowListQuery } from './resources/follows.ts';
export type {
  NotificationListQuery,
  NotificationStreamOptions,
} from './resources/notifications.ts';
export type { ListQuery } from './resources/photo-listing.ts';
export {
  PhotoFailedError,
  type WaitOptions,
  type WaitReportEntry,
} from './resources/photos.ts';
export type { SearchFilters } from './resources/search.ts';
export type { FileDigest } from './uploads/file-digest.ts';
export { hashFile } from './uploads/hash-file.ts';
export type {
  UploadManyEvent,
  UploadManyFile,
  UploadManyOptions,
  UploadReportEntry,
} from './uploads/many/upload-many.ts';
export {
  DEFAULT_RESUMABLE_THRESHOLD,
  type PhotoMetadata,
  type TransferOptions,
  type UploadFileOptions,
  type UploadFileResult,
} from './uploads/upload-file.ts';
export {
  defaultUploadStateDir,
  FileUploadStateStore,
  MemoryUploadStateStore,
  type UploadStateStore,
} from './uploads/upload-state-store.ts';
export { SDK_VERSION } from './version.ts';
