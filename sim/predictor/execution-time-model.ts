/**
 * The contract between the engine and anything that predicts how long an iteration takes.
 *
 * The engine asks once per batch, before the batch's requests advance: each request's
 * `numProcessedTokens` is then its KV-cache length before the iteration, `isPrefillComplete`
 * says whether its tokens are prefill (chunk) or a decode token, and `numTokens[i]` is its token count.
 */
export interface BatchShape {
  readonly requests: readonly { readonly numProcessedTokens: number; readonly isPrefillComplete: boolean }[];
  readonly numTokens: readonly number[];
}

export interface ExecutionTimeModel {
  /** Short identifier recorded in outputs (e.g. "roofline", "profile:llama-2-7b"). */
  readonly name: string;
  /** Duration of one forward pass over the batch, in seconds. */
  batchTime(batch: BatchShape): number;
  /**
   * Optional fast path for a decode run (every request in decode, one token each): fills `out[s]`
   * with `batchTime` of the batch after every request has gained `s` more KV tokens, for
   * s = 0..steps−1. Must give exactly what `batchTime` would, bit for bit.
   */
  decodeRunTimes?(batch: BatchShape, steps: number, out: Float64Array): void;
}
