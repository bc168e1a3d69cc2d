import { DomainError } from './errors.ts';

/** How long a request waits for the one before it to let go of an upload. */
const WAIT_MS = 10_000;
/** How often a waiting request asks the holder again whether it has gone idle. */
const ASK_EVERY_MS = 250;

interface Holder {
  released: Promise<void>;
  /** Asks the holder to stop; unset while it must not be interrupted (the pivot). */
  preempt: (() => void) | undefined;
}

/** A held upload lock. */
export interface UploadLock {
  /**
   * While set, a request waiting for the upload calls `stop` (again and
   * again, while it waits); the holder decides whether to give way.
   */
  onPreempt(stop: (() => void) | undefined): void;
  release(): void;
}

/**
 * One request at a time per upload, in this process. A client whose
 * connection died retries while the server may not yet have noticed that
 * the first request's body stopped (with no request timeout, not for a long
 * while): a waiting request asks the holder to give way, and a holder whose
 * body has gone idle stops receiving (what it wrote stays), as @tus/server's
 * locker has it. A holder still receiving, or in the pivot, is waited for:
 * two live requests never cut each other off.
 */
export class UploadLocks {
  readonly #holders = new Map<string, Holder>();

  async acquire(uploadId: string, waitMs = WAIT_MS): Promise<UploadLock> {
    const deadline = Date.now() + waitMs;
    for (let holder = this.#holders.get(uploadId); holder; holder = this.#holders.get(uploadId)) {
      if (Date.now() >= deadline) {
        throw new DomainError(
          'upload_conflict',
          'Another request is still sending to this upload: retry shortly',
          { retryAfterSeconds: 1 },
        );
      }
      holder.preempt?.();
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        holder.released,
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, Math.min(ASK_EVERY_MS, Math.max(0, deadline - Date.now())));
        }),
      ]);
      clearTimeout(timer);
    }
    let release!: () => void;
    const holder: Holder = {
      released: new Promise<void>((resolve) => {
        release = resolve;
      }),
      preempt: undefined,
    };
    this.#holders.set(uploadId, holder);
    let held = true;
    return {
      onPreempt: (stop) => {
        holder.preempt = stop;
      },
      release: () => {
        if (!held) return;
        held = false;
        if (this.#holders.get(uploadId) === holder) this.#holders.delete(uploadId);
        release();
      },
    };
  }
}
