/**
 * Vidur's reduction of a batch to the keys its operator tables are indexed by
 * (vidur/execution_time_predictor/sklearn_execution_time_predictor.py, vidur/entities/batch.py):
 * shared by the profile-table and roofline models so both see a batch the same way.
 */
import type { BatchShape } from './execution-time-model.js';

/** Vidur's kv_cache_prediction_granularity. */
export const KV_GRANULARITY = 64;

export const ceil8 = (n: number): number => Math.ceil(n / 8) * 8;
export const ceilKv = (n: number): number => Math.ceil(n / KV_GRANULARITY) * KV_GRANULARITY;

/** Scratch space reused across calls so the hot path does not allocate. */
export class BatchKeys {
  /** Σ tokens this iteration (KV-cache save is keyed by the exact sum). */
  totalTokens = 0;
  /** Σ tokens rounded up to a multiple of 8: the key of every token-count operator and of the all-reduce. */
  roundedTokens = 0;
  decodeCount = 0;
  /** ceil64 of the truncated mean KV length of the decode requests. */
  decodeKv = 0;
  prefillCount = 0;
  /** Σ over prefill requests of ceil64(KV length before the chunk). */
  prefillKv = 0;
  /** round(√Σ chunk²): one chunk with the same quadratic attention work. */
  prefillChunk = 0;

  read(batch: BatchShape): this {
    const requests = batch.requests;
    const tokens = batch.numTokens;
    const n = requests.length;
    let total = 0;
    let decodeCount = 0;
    let decodeKvSum = 0;
    let prefillCount = 0;
    let prefillKv = 0;
    let chunkSquares = 0;
    for (let i = 0; i < n; i++) {
      const r = requests[i]!;
      const t = tokens[i]!;
      total += t;
      if (r.isPrefillComplete) {
        decodeCount++;
        decodeKvSum += r.numProcessedTokens;
      } else {
        prefillCount++;
        prefillKv += ceilKv(r.numProcessedTokens);
        chunkSquares += t * t;
      }
    }
    this.totalTokens = total;
    this.roundedTokens = ceil8(total);
    this.decodeCount = decodeCount;
    this.decodeKv = decodeCount > 0 ? ceilKv(Math.trunc(decodeKvSum / decodeCount)) : 0;
    this.prefillCount = prefillCount;
    this.prefillKv = prefillKv;
    this.prefillChunk = prefillCount > 0 ? Math.round(Math.sqrt(chunkSquares)) : 0;
    return this;
  }
}
