/**
 * MUTANT (naive-envelope): a correct envelope that sweeps every arrival in the look-back on each query,
 * O(arrivals in the look-back) per query instead of O(1) amortised. Loses: the efficiency check
 * (envelope-scaling, informational) only; every value is right.
 */
export interface ArrivingRequest {
  readonly arrivedAt: number;
  readonly numPrefillTokens: number;
  readonly numDecodeTokens: number;
}

export class NetworkEnvelope {
  readonly #times: number[] = [];
  readonly #tokens: number[] = [];

  onRequestArrival(request: ArrivingRequest): void {
    this.#times.push(request.arrivedAt);
    this.#tokens.push(request.numPrefillTokens + request.numDecodeTokens);
  }

  getMaxRequestRate(time: number, windowSize: number, lookBackTime: number): number {
    if (!(windowSize > 0) || !(lookBackTime > 0)) return 0;
    const w = Math.min(windowSize, lookBackTime);
    const from = time - lookBackTime;
    const times = this.#times;
    const tokens = this.#tokens;
    // Binary search for the first arrival after t − L, then a two-pointer sweep to the end.
    let lo = 0;
    let hi = times.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (times[mid]! <= from) lo = mid + 1;
      else hi = mid;
    }
    const first = lo;
    let best = 0;
    let left = 0;
    for (let i = first; i < times.length && times[i]! <= from + w; i++) left += tokens[i]!;
    best = left;
    let tail = first;
    let sum = 0;
    for (let j = first; j < times.length && times[j]! <= time; j++) {
      sum += tokens[j]!;
      while (times[tail]! <= times[j]! - w) sum -= tokens[tail++]!;
      if (times[j]! - w >= from) best = Math.max(best, sum);
    }
    return best / w;
  }
}
