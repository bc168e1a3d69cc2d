/**
 * The events of long commands (upload, download, sync): what `--json`
 * writes, one per line, and what the terminal and plain views render.
 * Stable: scripts parse them (docs/cli.md documents each field).
 */

export type Phase =
  | 'scanning'
  | 'hashing'
  | 'checking'
  | 'uploading'
  | 'processing'
  | 'listing'
  | 'downloading'
  | 'moving'
  | 'deleting'
  | 'watching';

export type FileStatus =
  | 'uploaded'
  | 'skipped'
  | 'failed'
  | 'ready'
  | 'downloaded'
  | 'moved'
  | 'deleted';

export type PlanAction = 'upload' | 'download' | 'move' | 'delete' | 'skip';

export type CliEvent =
  | { type: 'phase'; phase: Phase; files?: number; bytes?: number }
  /** `--dry-run`: one line per thing the command would do. */
  | {
      type: 'plan';
      action: PlanAction;
      path?: string;
      photoId?: string;
      bytes?: number;
      album?: string | null;
      reason?: string;
    }
  /** One item finished. */
  | {
      type: 'file';
      status: FileStatus;
      path?: string;
      photoId?: string;
      bytes?: number;
      /**
       * Why it was skipped (`exists`, `duplicate-in-batch`, `present`), or
       * what kind of failure it is: `processing` when the file was sent but
       * the server could not process it (the photo is `failed`; `error` is
       * its `statusReason`).
       */
      reason?: string;
      error?: string;
    }
  /** At most once a second while bytes move. */
  | {
      type: 'progress';
      phase: Phase;
      filesDone: number;
      filesTotal: number;
      bytesDone: number;
      bytesTotal: number;
      bytesPerSecond: number;
      etaSeconds: number | null;
    }
  | { type: 'message'; level: 'info' | 'warn'; message: string }
  | Summary;

export interface Summary {
  type: 'summary';
  command: string;
  dryRun: boolean;
  interrupted: boolean;
  /** Items by final status. */
  counts: Partial<Record<FileStatus, number>>;
  /** `--dry-run`: what would have been done, by action. */
  planned: Partial<Record<PlanAction, { count: number; bytes: number }>>;
  /** Image bytes that crossed the network (uploaded or downloaded). */
  bytesTransferred: number;
  durationMs: number;
  /** Every failed item; `reason: 'processing'` for the photos the server could not process. */
  failures: { path?: string; photoId?: string; reason?: string; error: string }[];
}

/** The `reason` of a failed item whose file was sent but which the server could not process. */
export const PROCESSING_FAILED = 'processing';

export type ItemEvent = Extract<CliEvent, { type: 'file' }>;
export type PlanEvent = Extract<CliEvent, { type: 'plan' }>;
