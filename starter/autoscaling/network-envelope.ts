/**
 * Autoscaling lab, part 2.1–2.2: InferLine's traffic envelope over tokens (labs/autoscaling/README.md).
 *
 * getMaxRequestRate(t, W, L) is the largest number of tokens (prompt + output) that arrived in any
 * window of W seconds lying inside the last L seconds, divided by W:
 *
 *     R(t, W, L) = (1/W) · max over s in [t − L, t − W] of  Σ tokens of the requests with s < arrivedAt ≤ s + W
 *
 * - windows are open on the left and closed on the right: an arrival at t − L is outside the look-back,
 *   one at t is inside;
 * - never divide a partial window by a shorter duration;
 * - W ≤ 0 (or L ≤ 0) gives 0; W > L is treated as W = L; no arrivals gives 0.
 *
 * Calls come in time order: arrivals in non-decreasing `arrivedAt`, and a query at time t comes after
 * every arrival at or before t and before any later one. Query times never decrease. The autoscaler
 * asks about a few (W, L) pairs over and over, so you may keep state per pair.
 *
 * Cost (checked, 0 points): the work per arrival and per query, averaged over a run, must not grow with
 * the number of requests (O(1) amortised). Scanning every stored arrival on each query does.
 */

/** What the envelope reads of a request. */
export interface ArrivingRequest {
  readonly arrivedAt: number;
  readonly numPrefillTokens: number;
  readonly numDecodeTokens: number;
}

export class NetworkEnvelope {
  onRequestArrival(_request: ArrivingRequest): void {
    throw new Error('not implemented: NetworkEnvelope.onRequestArrival in starter/autoscaling/network-envelope.ts');
  }

  /** Tokens per second: see the definition at the top of this file. */
  getMaxRequestRate(_time: number, _windowSize: number, _lookBackTime: number): number {
    throw new Error('not implemented: NetworkEnvelope.getMaxRequestRate in starter/autoscaling/network-envelope.ts');
  }
}
