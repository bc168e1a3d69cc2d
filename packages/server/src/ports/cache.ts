/** A small key-value cache with expiry: in-process by default, Redis when shared. */
export interface Cache {
  get<T>(key: string): Promise<T | undefined>;
  set<T>(key: string, value: T, ttlMs: number): Promise<void>;
  delete(key: string): Promise<void>;
  /**
   * The same as `get`, answered synchronously: an in-process cache offers it,
   * a shared one (over the network) leaves it out. The CDN tier's hot path
   * reads through it.
   */
  peek?<T>(key: string): T | undefined;
}
