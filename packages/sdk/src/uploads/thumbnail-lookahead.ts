/** A file waiting for its transfer, whose thumbnail could be rendered meanwhile. */
export interface LookaheadItem {
  key: number;
  bytes: number;
  render: () => Promise<Record<string, string>>;
}

/** Weight of the newest measurement in the running rates. */
const SMOOTHING = 0.3;

const smooth = (old: number | undefined, value: number) =>
  old === undefined ? value : old + SMOOTHING * (value - old);

/**
 * Renders client thumbnails only while rendering stays ahead of the
 * transfers, and never makes a transfer wait for one. It compares how fast
 * it renders with how fast the network takes bytes (both per byte of
 * original): on a slow link every file gets its thumbnail rendered here
 * while earlier files travel; on a fast one (loopback, a LAN) the transfers
 * outpace it, rendering stops after the first measurements, and the server
 * renders the rest, instead of the client's CPU competing with the transfer.
 */
export class ThumbnailLookahead {
  readonly #waiting: LookaheadItem[] = [];
  readonly #rendered = new Map<number, Record<string, string>>();
  readonly #taken = new Set<number>();
  readonly #now: () => number;
  #busy = false;
  /** Bytes of original per millisecond of rendering, and of transfer. */
  #renderRate: number | undefined;
  #sendRate: number | undefined;

  constructor(now: () => number = () => performance.now()) {
    this.#now = now;
  }

  /** A file joined the transfer queue. */
  queued(item: LookaheadItem): void {
    this.#waiting.push(item);
    this.#pump();
  }

  /** Its transfer starts now: the thumbnail fields if they are ready, else none. */
  take(key: number): Record<string, string> {
    const index = this.#waiting.findIndex((item) => item.key === key);
    if (index >= 0) this.#waiting.splice(index, 1);
    this.#taken.add(key);
    const fields = this.#rendered.get(key) ?? {};
    this.#rendered.delete(key);
    return fields;
  }

  /** A transfer finished: how fast the network goes. */
  sent(bytes: number, ms: number): void {
    this.#sendRate = smooth(this.#sendRate, bytes / Math.max(ms, 1));
    this.#pump();
  }

  /** Whether rendering is expected to keep up with the transfers (unknown at first: measure). */
  get rendering(): boolean {
    return (
      this.#renderRate === undefined ||
      this.#sendRate === undefined ||
      this.#renderRate > this.#sendRate
    );
  }

  #pump(): void {
    if (this.#busy || !this.rendering) return;
    // The first waiting file whose render should end before its transfer starts.
    let bytesAhead = 0;
    for (const item of this.#waiting) {
      const lead =
        this.#sendRate === undefined ? Number.POSITIVE_INFINITY : bytesAhead / this.#sendRate;
      const needs = this.#renderRate === undefined ? 0 : item.bytes / this.#renderRate;
      if (!this.#rendered.has(item.key) && lead >= needs) {
        this.#render(item);
        return;
      }
      bytesAhead += item.bytes;
    }
  }

  #render(item: LookaheadItem): void {
    this.#busy = true;
    const started = this.#now();
    void item
      .render()
      .catch(() => ({}))
      .then((fields) => {
        this.#renderRate = smooth(
          this.#renderRate,
          item.bytes / Math.max(this.#now() - started, 1),
        );
        // A transfer that started without it went on without it: the server renders that one.
        if (!this.#taken.has(item.key)) this.#rendered.set(item.key, fields);
        this.#busy = false;
        this.#pump();
      });
  }
}
