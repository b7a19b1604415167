/**
 * Fair-scheduling lab, part 1: what a request's work costs in VTC's service units.
 *
 * The VTC paper (Sheng et al., OSDI'24) measures the service a client receives as a weighted count
 * of tokens: w_p per prompt (prefill) token computed and w_q per output (decode) token generated,
 * with w_p = 1 and w_q = 2 (see labs/fairness/README.md, "The rules", "Service cost").
 */

/** Service cost of computing `numTokens` prompt (prefill) tokens. */
export function getPrefillTokenServiceCost(numTokens: number): number {
  throw new Error(`not implemented: getPrefillTokenServiceCost in starter/fairness/service-cost.ts (asked for ${numTokens} tokens)`);
}

/** Service cost of generating one output (decode) token. */
export function getDecodeTokenServiceCost(): number {
  throw new Error('not implemented: getDecodeTokenServiceCost in starter/fairness/service-cost.ts');
}

/** Service cost of a whole request: its prompt plus every output token. Use the two functions above. */
export function getServiceCost(numPrefillTokens: number, numDecodeTokens: number): number {
  throw new Error(`not implemented: getServiceCost in starter/fairness/service-cost.ts (asked for ${numPrefillTokens}/${numDecodeTokens})`);
}
