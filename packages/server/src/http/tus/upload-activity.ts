/** An upload active this recently needs no new expiry before a write: it moves by at most this. */
const RECENT_MS = 10_000;
/** Entries are only a shortcut (none: the store touches as before), so a full map is simply cleared. */
const MAX_ENTRIES = 10_000;

interface Known {
  /** Last activity in ms, or null once the upload is finished (it has no expiry to move). */
  activeAt: number | null;
  size: number | undefined;
}

/**
 * What a request's `getUpload` (or `create`) just read of an upload, for the
 * `write` that follows it in the same request: whether the expiry updates
 * around the write would change anything. The SDK creates an upload and
 * sends its bytes within milliseconds, in one PATCH that completes it; both
 * updates were then no-ops, two SQL writes (WAL appends on the event loop)
 * on the pivot's critical path, ~0.25 ms per upload in the sdk bench.
 */
export class UploadActivity {
  readonly #known = new Map<string, Known>();

  saw(id: string, lastActivity: Date | undefined, size: number | undefined): void {
    if (this.#known.size >= MAX_ENTRIES) this.#known.clear();
    this.#known.set(id, { activeAt: lastActivity?.getTime() ?? null, size });
  }

  /** Whether bytes about to arrive should move the expiry first; forgets the upload's entry. */
  take(id: string): { touchBefore: boolean; completes: (end: number) => boolean } {
    const known = this.#known.get(id);
    this.#known.delete(id);
    const now = Date.now();
    return {
      touchBefore: !known || (known.activeAt !== null && now - known.activeAt > RECENT_MS),
      // The pivot then finishes the upload (no expiry) or removes it: no new expiry is needed.
      completes: (end) => known?.size !== undefined && end === known.size,
    };
  }

  forget(id: string): void {
    this.#known.delete(id);
  }
}
