/**
 * At most `slots` transfers hold a permit at once, first come first served.
 * uploadMany prepares the next upload (its creation request, which the
 * server does not count against the per-user transfer limit) while the
 * current one sends its bytes; the gate makes the prepared one's PATCH wait
 * for a free slot instead of drawing a 429.
 */
export class TransferGate {
  #free: number;
  readonly #waiting: (() => void)[] = [];

  constructor(slots: number) {
    this.#free = slots;
  }

  /** Resolves with a release function once a slot is free; release is idempotent. */
  async acquire(): Promise<() => void> {
    if (this.#free > 0) this.#free--;
    else await new Promise<void>((resolve) => this.#waiting.push(resolve));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#waiting.shift();
      if (next) next();
      else this.#free++;
    };
  }
}
