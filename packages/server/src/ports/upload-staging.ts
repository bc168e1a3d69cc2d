import type { ImageProbe } from '@flickr-kit/thumbnail-core';

/**
 * Where resumable uploads accumulate until the saga stores them: the tus
 * data store's folder. The pivot reads a finished upload from here, and the
 * saga's first step moves it into the blob store.
 */
export interface UploadStaging {
  /** The bytes received for an upload. */
  filePath(uploadId: string): string;
  /** A client-rendered thumbnail kept beside the upload until the saga stores it. */
  thumbnailPath(uploadId: string): string;
  /**
   * The image's probe, made from its first bytes while the rest arrived, if
   * this process saw them and they held the whole header; taken once. The
   * pivot probes the complete file otherwise.
   */
  earlyProbe(uploadId: string): Promise<ImageProbe | undefined>;
  /** Forgets an upload: its bytes, its thumbnail and its tus state. */
  remove(uploadId: string): Promise<void>;
}
