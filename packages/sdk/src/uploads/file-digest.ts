/**
 * A file's identity as the server sees it: what uploads dedup and resume by.
 * Declared here rather than re-exported from thumbnail-core so the SDK's
 * public types do not change when that package's do.
 */
export interface FileDigest {
  /** Lowercase hex SHA-256 of the whole content. */
  sha256: string;
  /** Content length in bytes. */
  bytes: number;
}
