/**
 * The linear batch-time model Niyama's dynamic chunking predicts with (Goel et al., arXiv 2503.22562, and
 * its research code, microsoft/sarathi-serve branch `niyama_asplos2026`):
 *
 *   t = b0 + b1·N_tot + b2·N_prefill + b3·N_decode + b4·ctx_decode + b5·ctx_prefill
 *
 * with one coefficient set for batches of at most 512 tokens and one for larger batches. The paper's
 * coefficients (A100, Llama-3-8B, fitted on real batches of ≤ 1 s) are the starting point; the
 * deadline schedulers refit them on the batches the simulator records, so the prediction follows
 * whatever execution-time model the run uses.
 */
import type { Batch } from '../../../entities/batch.js';

/** What the model reads from one batch. Contexts are KV tokens attended: a decode's whole cache, a prompt chunk's cache after the chunk. */
export interface BatchFeatures {
  readonly numTokens: number;
  readonly numPrefillTokens: number;
  readonly numDecodeTokens: number;
  readonly decodeContext: number;
  readonly prefillContext: number;
}

/** A recorded batch: its features and how long it took (seconds). */
export interface BatchSample extends BatchFeatures {
  readonly seconds: number;
}

/** [b0, b1, b2, b3, b4, b5] */
export type Coefficients = readonly [number, number, number, number, number, number];

export interface BatchTimeModel {
  /** For batches of at most `splitTokens` tokens. */
  readonly small: Coefficients;
  /** For larger batches. */
  readonly large: Coefficients;
}

/** Batches up to this many tokens use the `small` coefficients. */
export const SPLIT_TOKENS = 512;

/** The research code's fit (its published coefficients). */
export const NIYAMA_BATCH_TIME_MODEL: BatchTimeModel = {
  small: [0.014936, 5.882475e-5, 2.247956e-5, 3.634519e-5, 1.111258e-7, 7.554773e-7],
  large: [0.005004, 2.71905e-5, 6.863043e-5, -4.143993e-5, 1.663409e-7, 2.727223e-6],
};

/** The row of regressors of a batch: [1, N_tot, N_prefill, N_decode, ctx_decode, ctx_prefill]. */
export function regressors(f: BatchFeatures): Coefficients {
  return [1, f.numTokens, f.numPrefillTokens, f.numDecodeTokens, f.decodeContext, f.prefillContext];
}

export function predictBatchTime(model: BatchTimeModel, f: BatchFeatures): number {
  const b = f.numTokens <= SPLIT_TOKENS ? model.small : model.large;
  const x = regressors(f);
  let t = 0;
  for (let i = 0; i < 6; i++) t += b[i]! * x[i]!;
  return t;
}

/** The features of a batch that has just ended (its requests have advanced; call from `onBatchEnd`). */
export function batchFeatures(batch: Batch): BatchFeatures {
  let prefill = 0;
  let decode = 0;
  let decodeContext = 0;
  let prefillContext = 0;
  for (let i = 0; i < batch.requests.length; i++) {
    const r = batch.requests[i]!;
    const n = batch.numTokens[i]!;
    const after = r.numProcessedTokens;
    // Called after the requests advanced. A decode started with its prompt and first token done;
    // the chunk that completed a prompt also added the first output token to the count.
    if (r.isPrefillComplete && after - n >= r.prefillTarget + 1) {
      decode += n;
      decodeContext += after;
    } else {
      prefill += n;
      prefillContext += r.isPrefillComplete ? r.prefillTarget : after;
    }
  }
  return {
    numTokens: prefill + decode,
    numPrefillTokens: prefill,
    numDecodeTokens: decode,
    decodeContext,
    prefillContext,
  };
}

/**
 * Least squares with a vanishing ridge: columns are scaled to unit norm, then (XᵀX + λI)β = Xᵀy is
 * solved by Gaussian elimination with partial pivoting. The ridge makes collinear regressors (here
 * N_tot = N_prefill + N_decode always) solvable; the fitted predictions are those of ordinary least
 * squares to within ~1e-9 relative, which is all a batch-time model needs. Returns undefined when
 * there are no rows.
 */
export function leastSquares(
  rows: readonly (readonly number[])[],
  targets: readonly number[],
  ridge = 1e-10,
): number[] | undefined {
  if (rows.length === 0) return undefined;
  const k = rows[0]!.length;
  const scale = new Array<number>(k).fill(0);
  for (const row of rows) for (let j = 0; j < k; j++) scale[j]! += row[j]! * row[j]!;
  for (let j = 0; j < k; j++) scale[j] = scale[j]! > 0 ? Math.sqrt(scale[j]!) : 1;
  const a = Array.from({ length: k }, () => new Array<number>(k + 1).fill(0));
  rows.forEach((row, n) => {
    for (let i = 0; i < k; i++) {
      const xi = row[i]! / scale[i]!;
      for (let j = 0; j < k; j++) a[i]![j]! += xi * (row[j]! / scale[j]!);
      a[i]![k]! += xi * targets[n]!;
    }
  });
  for (let i = 0; i < k; i++) a[i]![i]! += ridge;
  for (let col = 0; col < k; col++) {
    let pivot = col;
    for (let r = col + 1; r < k; r++) if (Math.abs(a[r]![col]!) > Math.abs(a[pivot]![col]!)) pivot = r;
    [a[col], a[pivot]] = [a[pivot]!, a[col]!];
    const p = a[col]![col]!;
    if (p === 0) continue;
    for (let r = 0; r < k; r++) {
      if (r === col) continue;
      const factor = a[r]![col]! / p;
      if (factor === 0) continue;
      for (let c = col; c <= k; c++) a[r]![c]! -= factor * a[col]![c]!;
    }
  }
  return a.map((row, i) => (row[i]! === 0 ? 0 : row[k]! / row[i]! / scale[i]!));
}

/** Batch sizes dynamic chunking chooses from (tokens, decodes included): 128, 256…2048 by 256, 2552. */
export const CHUNK_SIZES: readonly number[] = [128, 256, 512, 768, 1024, 1280, 1536, 1792, 2048, 2552];
/** The search space when free KV memory is low (free blocks × block size / 32 < 1000). */
export const LOW_MEMORY_CHUNK_SIZES: readonly number[] = [128, 256, 384, 512];
