import type { Cache } from '../../ports/cache.ts';

interface Entry {
  value: unknown;
  expiresAt: number;
}

/** An in-process LRU cache with per-entry expiry: the embedded default. */
export class LruCache implements Cache {
  readonly #entries = new Map<string, Entry>();
  readonly #capacity: number;
  readonly #now: () => number;

  constructor(capacity = 10_000, now: () => number = Date.now) {
    this.#capacity = capacity;
    this.#now = now;
  }

  async get<T>(key: string): Promise<T | undefined> {
    return this.peek<T>(key);
  }

  peek<T>(key: string): T | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.#now()) {
      this.#entries.delete(key);
      return undefined;
    }
    // Re-insert to mark it most recently used.
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    return entry.value as T;
  }

  async set<T>(key: string, value: T, ttlMs: number): Promise<void> {
    this.#put(key, value, ttlMs);
  }

  /** Atomic in one process: the check and the set run without an await between them. */
  async add<T>(key: string, value: T, ttlMs: number): Promise<boolean> {
    if (this.peek(key) !== undefined) return false;
    this.#put(key, value, ttlMs);
    return true;
  }

  async delete(key: string): Promise<void> {
    this.#entries.delete(key);
  }

  #put(key: string, value: unknown, ttlMs: number): void {
    this.#entries.delete(key);
    this.#entries.set(key, { value, expiresAt: this.#now() + ttlMs });
    while (this.#entries.size > this.#capacity) {
      const oldest = this.#entries.keys().next().value;
      if (oldest === undefined) break;
      this.#entries.delete(oldest);
    }
  }
}
