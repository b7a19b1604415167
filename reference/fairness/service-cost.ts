/**
 * Fair-scheduling lab, part 1: what a request's work costs in VTC's service units.
 *
 * The VTC paper (Sheng et al., OSDI'24) weighs output tokens more than prompt tokens, because
 * generating a token costs a whole iteration while prompt tokens are computed in parallel:
 * service = w_p · prompt tokens + w_q · output tokens, with w_p = 1 and w_q = 2.
 */

/** Service cost of computing `numTokens` prompt (prefill) tokens. */
export function getPrefillTokenServiceCost(numTokens: number): number {
  return 1 * numTokens;
}

/** Service cost of generating one output (decode) token. */
export function getDecodeTokenServiceCost(): number {
  return 2;
}

/** Service cost of a whole request: its prompt plus every output token. */
export function getServiceCost(numPrefillTokens: number, numDecodeTokens: number): number {
  return getPrefillTokenServiceCost(numPrefillTokens) + numDecodeTokens * getDecodeTokenServiceCost();
}
