/** A small key-value cache with expiry: in-process by default, Redis when shared. */
export interface Cache {
  get<T>(key: string): Promise<T | undefined>;
  set<T>(key: string, value: T, ttlMs: number): Promise<void>;
  /**
   * Sets the key only when it holds nothing (or only something expired), as
   * one atomic step, and says whether it did: of several callers racing for
   * one key, exactly one gets true (Redis: `SET key value NX PX ttl`).
   */
  add<T>(key: string, value: T, ttlMs: number): Promise<boolean>;
  delete(key: string): Promise<void>;
  /**
   * The same as `get`, answered synchronously: an in-process cache offers it,
   * a shared one (over the network) leaves it out. The CDN tier's hot path
   * reads through it.
   */
  peek?<T>(key: string): T | undefined;
}
