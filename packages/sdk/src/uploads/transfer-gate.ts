/** A transfer slot, held from a PATCH's start to its answer. */
export interface Permit {
  /** The transfer's bytes have begun to flow; idempotent. */
  started(): void;
  /** Frees the slot (and counts the transfer as started); idempotent. */
  release(): void;
}

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
  /** Permits granted whose bytes have not begun to flow yet. */
  #starting = 0;
  readonly #onSending: (() => void)[] = [];

  constructor(slots: number) {
    this.#free = slots;
  }

  /** Resolves with a permit once a slot is free. */
  async acquire(): Promise<Permit> {
    if (this.#free > 0) this.#free--;
    else await new Promise<void>((resolve) => this.#waiting.push(resolve));
    this.#starting++;
    let started = false;
    let released = false;
    const start = () => {
      if (started) return;
      started = true;
      this.#starting--;
      if (this.#starting === 0) for (const resolve of this.#onSending.splice(0)) resolve();
    };
    return {
      started: start,
      release: () => {
        start();
        if (released) return;
        released = true;
        const next = this.#waiting.shift();
        if (next) next();
        else this.#free++;
      },
    };
  }

  /**
   * Resolves once every granted transfer is sending. A transfer's first
   * moments (its fetch, its first read) are on the critical path, and the
   * next upload's preparation, started when the slot changed hands, used to
   * compete with them for the event loop: ~0.5 ms of each transfer's start.
   */
  async sending(): Promise<void> {
    if (this.#starting > 0) await new Promise<void>((resolve) => this.#onSending.push(resolve));
  }
}
