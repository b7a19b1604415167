/**
 * A binary min-heap of simulation events keyed by (time, priority, sequence number).
 *
 * The sequence number is assigned on push from a counter owned by the queue (not a module-level
 * counter, so two simulations in one process never share state). Equal (time, priority) pairs
 * therefore leave in creation order, which makes every run deterministic.
 *
 * Keys live in parallel typed arrays so that sift operations touch no objects; the payload array
 * holds the events themselves.
 */
export const EventPriority = {
  /** Setup work that must precede anything else at the same instant. */
  urgent: 0,
  normal: 1,
} as const;
export type EventPriority = (typeof EventPriority)[keyof typeof EventPriority];

export class EventQueue<T> {
  #times: Float64Array;
  #ranks: Float64Array; // priority * 2^40 + sequence number: one compare instead of two
  #items: (T | undefined)[];
  #size = 0;
  #nextSeq = 0;

  constructor(initialCapacity = 1024) {
    this.#times = new Float64Array(initialCapacity);
    this.#ranks = new Float64Array(initialCapacity);
    this.#items = new Array<T | undefined>(initialCapacity);
  }

  get size(): number {
    return this.#size;
  }

  /** Number of events ever pushed; a cheap operation counter for benchmarks. */
  get pushed(): number {
    return this.#nextSeq;
  }

  push(time: number, item: T, priority: EventPriority = EventPriority.normal): void {
    if (!Number.isFinite(time)) throw new RangeError(`event time must be finite, got ${time}`);
    if (this.#size === this.#times.length) this.#grow();
    const rank = priority * 2 ** 40 + this.#nextSeq++;
    let i = this.#size++;
    // Sift up: move parents down until the new key's slot is found.
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.#less(time, rank, this.#times[parent]!, this.#ranks[parent]!)) break;
      this.#times[i] = this.#times[parent]!;
      this.#ranks[i] = this.#ranks[parent]!;
      this.#items[i] = this.#items[parent];
      i = parent;
    }
    this.#times[i] = time;
    this.#ranks[i] = rank;
    this.#items[i] = item;
  }

  /** Time of the earliest event, or undefined when empty. */
  peekTime(): number | undefined {
    return this.#size > 0 ? this.#times[0] : undefined;
  }

  /** Removes the earliest event; returns undefined when empty. `lastTime` holds its time. */
  pop(): T | undefined {
    if (this.#size === 0) return undefined;
    const top = this.#items[0];
    this.lastTime = this.#times[0]!;
    const last = --this.#size;
    const time = this.#times[last]!;
    const rank = this.#ranks[last]!;
    const item = this.#items[last];
    this.#items[last] = undefined;
    if (last > 0) {
      let i = 0;
      const half = last >> 1;
      while (i < half) {
        let child = 2 * i + 1;
        const right = child + 1;
        if (
          right < last &&
          this.#less(this.#times[right]!, this.#ranks[right]!, this.#times[child]!, this.#ranks[child]!)
        ) {
          child = right;
        }
        if (!this.#less(this.#times[child]!, this.#ranks[child]!, time, rank)) break;
        this.#times[i] = this.#times[child]!;
        this.#ranks[i] = this.#ranks[child]!;
        this.#items[i] = this.#items[child];
        i = child;
      }
      this.#times[i] = time;
      this.#ranks[i] = rank;
      this.#items[i] = item;
    }
    return top;
  }

  /** Time of the event most recently returned by pop(). */
  lastTime = Number.NaN;

  #less(t1: number, r1: number, t2: number, r2: number): boolean {
    return t1 < t2 || (t1 === t2 && r1 < r2);
  }

  #grow(): void {
    const capacity = this.#times.length * 2;
    const times = new Float64Array(capacity);
    times.set(this.#times);
    const ranks = new Float64Array(capacity);
    ranks.set(this.#ranks);
    this.#times = times;
    this.#ranks = ranks;
    this.#items.length = capacity;
  }
}
