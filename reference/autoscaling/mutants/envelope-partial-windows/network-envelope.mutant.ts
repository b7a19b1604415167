/**
 * MUTANT (envelope-partial-windows): the reference structure with two classic mistakes: windows closed
 * on the left ([s, s + W] instead of (s, s + W]), and, while the traffic is younger than W, dividing by
 * the time since the first arrival instead of by W (the partial window inflates the rate).
 * Loses: envelope.
 */

/** What the envelope reads of a request. */
export interface ArrivingRequest {
  readonly arrivedAt: number;
  readonly numPrefillTokens: number;
  readonly numDecodeTokens: number;
}

/** Per-(W, L) incremental state. */
class WindowState {
  /** Next arrival index not yet turned into a right-edge window. */
  next = 0;
  /** First arrival inside (a_next−1 − W, a_next−1]. */
  tail = 0;
  windowSum = 0;
  /** Deque of right-edge windows, as arrival indices and their sums; [head, times.length) is live. */
  readonly edges: number[] = [];
  readonly sums: number[] = [];
  head = 0;
  /** The leftmost window (t − L, t − L + W]: arrivals [lo, hi). */
  lo = 0;
  hi = 0;
  leftSum = 0;

  constructor(
    readonly windowSize: number,
    readonly lookBackTime: number,
  ) {}
}

export class NetworkEnvelope {
  readonly #times: number[] = [];
  readonly #tokens: number[] = [];
  readonly #states = new Map<string, WindowState>();

  onRequestArrival(request: ArrivingRequest): void {
    this.#times.push(request.arrivedAt);
    this.#tokens.push(request.numPrefillTokens + request.numDecodeTokens);
  }

  getMaxRequestRate(time: number, windowSize: number, lookBackTime: number): number {
    if (!(windowSize > 0) || !(lookBackTime > 0)) return 0;
    const w = Math.min(windowSize, lookBackTime);
    const key = `${w}:${lookBackTime}`;
    let state = this.#states.get(key);
    if (state === undefined) {
      state = new WindowState(w, lookBackTime);
      this.#states.set(key, state);
    }
    const first = this.#times[0];
    const span = first === undefined ? w : Math.min(w, Math.max(time - first, 1e-9));
    return this.#query(state, time) / span;
  }

  /** The largest token count of a window of the pair's size inside (time − L, time]. */
  #query(s: WindowState, time: number): number {
    const times = this.#times;
    const tokens = this.#tokens;
    const n = times.length;
    const w = s.windowSize;
    // 1. New arrivals become right-edge windows (a_j − W, a_j].
    for (; s.next < n; s.next++) {
      const edge = times[s.next]!;
      s.windowSum += tokens[s.next]!;
      const start = edge - w;
      while (times[s.tail]! < start) s.windowSum -= tokens[s.tail++]!;
      while (s.sums.length > s.head && s.sums[s.sums.length - 1]! <= s.windowSum) {
        s.sums.pop();
        s.edges.pop();
      }
      s.edges.push(s.next);
      s.sums.push(s.windowSum);
    }
    // 2. Right-edge windows that start before the look-back are gone for good (time only grows).
    const from = time - s.lookBackTime;
    while (s.head < s.sums.length && times[s.edges[s.head]!]! - w < from) s.head++;
    if (s.head > 1024 && s.head * 2 > s.sums.length) {
      s.edges.splice(0, s.head);
      s.sums.splice(0, s.head);
      s.head = 0;
    }
    // 3. The leftmost window (from, from + W].
    const leftEnd = from + w;
    while (s.hi < n && times[s.hi]! <= leftEnd) s.leftSum += tokens[s.hi++]!;
    while (s.lo < s.hi && times[s.lo]! <= from) s.leftSum -= tokens[s.lo++]!;
    const best = s.head < s.sums.length ? s.sums[s.head]! : 0;
    return Math.max(best, s.leftSum);
  }
}
