/**
 * Fair-scheduling lab, part 1: what a request's work costs in VTC's service units.
 *
 * The VTC paper (Sheng et al., OSDI'24) measures the service a client receives as a weighted count
 * of tokens: w_p per prompt (prefill) token computed and w_q per output (decode) token generated,
 * with w_p = 1 and w_q = 2 (see labs/fairness/README.md, "The rules", "Service cost").
 *
 * Untouched, each function runs a default so that the schedulers' methods, which charge with these
 * functions, can be written and checked first. A default scores nothing: it records its name in
 * STARTER_DEFAULTS, and a check of that function whose call used it fails with "not written yet".
 * Replace each default (and its STARTER_DEFAULTS.add line) with your code.
 */

/** The defaults that ran (see the top of this file); the grader reads it. Keep the export. */
export const STARTER_DEFAULTS = new Set<string>();

/** Service cost of computing `numTokens` prompt (prefill) tokens. 0.25 points. */
export function getPrefillTokenServiceCost(numTokens: number): number {
  STARTER_DEFAULTS.add('getPrefillTokenServiceCost'); // default: w_p = 1
  return numTokens;
}

/** Service cost of generating one output (decode) token. 0.25 points with getServiceCost. */
export function getDecodeTokenServiceCost(): number {
  STARTER_DEFAULTS.add('getDecodeTokenServiceCost'); // default: w_q = 2
  return 2;
}

/** Service cost of a whole request: its prompt plus every output token. Use the two functions above. */
export function getServiceCost(numPrefillTokens: number, numDecodeTokens: number): number {
  STARTER_DEFAULTS.add('getServiceCost'); // default: the two functions above
  return getPrefillTokenServiceCost(numPrefillTokens) + numDecodeTokens * getDecodeTokenServiceCost();
}
