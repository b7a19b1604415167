/**
 * Deadline-aware scheduling lab (reference): Niyama's scheduler (Goel et al., arXiv 2503.22562) on
 * Sarathi-Serve's mixed batching. Read labs/deadline/README.md for the rules the grader checks.
 *
 * Given by the engine (DeadlineReplicaScheduler): tiers and TTFT deadlines, `waiting` kept sorted by
 * `comparePrefills`, `relegate()`, the prefill-throughput EMA, recorded batches and the refit hook.
 */
import type { Batch } from '../../sim/entities/batch.js';
import type { Request } from '../../sim/entities/request.js';
import { byArrival } from '../../sim/policies/replica/replica-scheduler.js';
import {
  leastSquares,
  LOW_MEMORY_CHUNK_SIZES,
  CHUNK_SIZES,
  predictBatchTime,
  regressors,
  SPLIT_TOKENS,
  type BatchSample,
  type BatchTimeModel,
  type Coefficients,
} from '../../sim/policies/replica/deadline/batch-time-model.js';
import { DeadlineReplicaScheduler } from '../../sim/policies/replica/deadline/deadline-replica-scheduler.js';

/**
 * Fits the batch-time model on recorded batches: ordinary least squares (use the given
 * `leastSquares`) of `seconds` on the six regressors, separately for batches of at most
 * SPLIT_TOKENS tokens and for larger ones. A side with fewer samples than `minSamples` keeps
 * `fallback`'s coefficients.
 */
export function fitBatchTimeModel(
  samples: readonly BatchSample[],
  fallback: BatchTimeModel,
  minSamples = 12,
): BatchTimeModel {
  const fit = (side: readonly BatchSample[], keep: Coefficients): Coefficients => {
    if (side.length < minSamples) return keep;
    const beta = leastSquares(
      side.map((s) => regressors(s)),
      side.map((s) => s.seconds),
    );
    return beta?.every(Number.isFinite) ? (beta as unknown as Coefficients) : keep;
  };
  return {
    small: fit(
      samples.filter((s) => s.numTokens <= SPLIT_TOKENS),
      fallback.small,
    ),
    large: fit(
      samples.filter((s) => s.numTokens > SPLIT_TOKENS),
      fallback.large,
    ),
  };
}

export class DeadlineScheduler extends DeadlineReplicaScheduler {
  // ---- given: the refit hook (keep it) -------------------------------------------------------

  protected override fitModel(samples: readonly BatchSample[]): BatchTimeModel | undefined {
    return fitBatchTimeModel(samples, this.batchTimeModel);
  }

  // ---- your part ------------------------------------------------------------------------------

  /**
   * Hybrid priority: requests not relegated before relegated ones; then the smaller
   * arrival + TTFT deadline + α × remaining prompt tokens; ties by arrival, then id.
   */
  comparePrefills(a: Request, b: Request): number {
    const ra = this.isRelegated(a);
    if (ra !== this.isRelegated(b)) return ra ? 1 : -1;
    return this.#hybridKey(a) - this.#hybridKey(b) || byArrival(a, b);
  }

  #hybridKey(r: Request): number {
    return r.arrivedAt + this.ttftDeadline(r) + this.deadline.hybridAlpha * (r.prefillTarget - r.numProcessedTokens);
  }

  /**
   * When the request's next token is due: arrival + max(actual TTFT, TTFT deadline) + TBT target ×
   * (tokens generated so far + 1). Before its prefill completes, the actual TTFT counts as 0.
   */
  tokenDeadline(r: Request): number {
    const actualTtft = r.prefillCompletedAt !== undefined ? r.prefillCompletedAt - r.arrivedAt : 0;
    return r.arrivedAt + Math.max(actualTtft, this.ttftDeadline(r)) + this.tbtTarget(r) * (r.numGeneratedTokens + 1);
  }

  /** Decode order: the least slack (token deadline − now) first; ties by arrival, then id. */
  compareDecodes(a: Request, b: Request, now: number): number {
    return this.tokenDeadline(a) - now - (this.tokenDeadline(b) - now) || byArrival(a, b);
  }

  /**
   * Eager relegation: a waiting request that was never relegated and holds no KV blocks, whose
   * remaining prompt cannot finish by its TTFT deadline at the estimated prefill throughput.
   */
  shouldRelegate(r: Request, now: number): boolean {
    if (this.isRelegated(r) || this.kv.holds(r.id)) return false;
    return now + (r.prefillTarget - r.numProcessedTokens) / this.prefillThroughput > r.arrivedAt + this.ttftDeadline(r);
  }

  /**
   * Dynamic chunking: the prompt tokens this iteration may take. T is the largest batch size in the
   * search space with chunkSafetyFactor × predicted time ≤ minSlack (binary search), where the
   * prediction is for `decodes` plus T − decodes fresh prompt tokens; the smallest size when none
   * fits; the largest when there are no decodes. Returns max(0, T − number of decodes).
   */
  prefillSizeBySlack(minSlack: number, decodes: readonly Request[], freeBlocks: number): number {
    const sizes = (freeBlocks * this.kv.blockSize) / 32 < 1000 ? LOW_MEMORY_CHUNK_SIZES : CHUNK_SIZES;
    const d = decodes.length;
    if (d === 0) return sizes[sizes.length - 1]!;
    let decodeContext = 0;
    for (const r of decodes) decodeContext += r.numProcessedTokens;
    const fits = (t: number): boolean => {
      const prefill = Math.max(0, t - d);
      const predicted = predictBatchTime(this.batchTimeModel, {
        numTokens: Math.max(t, d),
        numPrefillTokens: prefill,
        numDecodeTokens: d,
        decodeContext,
        prefillContext: prefill,
      });
      return this.deadline.chunkSafetyFactor * predicted <= minSlack;
    };
    let lo = -1; // sizes[lo] is the largest known to fit
    let hi = sizes.length; // sizes[hi..] are known not to
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (fits(sizes[mid]!)) lo = mid;
      else hi = mid;
    }
    return Math.max(0, sizes[Math.max(lo, 0)]! - d);
  }

  /**
   * One iteration: decodes most urgent first while the batch has fewer than chunkSize tokens (a
   * decode with no block for its next token is preempted by recompute); then prompt chunks in
   * comparePrefills order up to prefillSizeBySlack(smallest decode slack), merging prompts in
   * progress with the head of `waiting`; a waiting request is relegated (once) when shouldRelegate
   * says so, else admitted with its whole prompt's blocks if they fit — if not, admission closes
   * for the iteration while prompts in progress keep their chunks.
   */
  protected override getNextBatch(now: number): Batch | undefined {
    const requests: Request[] = [];
    const numTokens: number[] = [];
    const decodes = this.running.filter((r) => r.isPrefillComplete).sort((a, b) => this.compareDecodes(a, b, now));
    const partials = this.running.filter((r) => !r.isPrefillComplete).sort((a, b) => this.comparePrefills(a, b));
    this.running = [];
    const taken: Request[] = [];
    let minSlack = Number.POSITIVE_INFINITY;
    for (const r of decodes) {
      if (taken.length >= this.limits.chunkSize) {
        this.running.push(r);
        continue;
      }
      if (!this.canAllocate(r)) {
        this.preemptByRecompute(r);
        continue;
      }
      this.allocate(r);
      taken.push(r);
      requests.push(r);
      numTokens.push(1);
      minSlack = Math.min(minSlack, this.tokenDeadline(r) - now);
    }
    const limit = this.prefillSizeBySlack(minSlack, taken, this.kv.numFreeBlocks);
    let used = 0;
    let p = 0;
    let admitting = true;
    while (used < limit) {
      const partial = partials[p];
      const head = admitting ? this.waiting[0] : undefined;
      if (partial === undefined && head === undefined) break;
      let r: Request;
      if (head === undefined || (partial !== undefined && this.comparePrefills(partial, head) <= 0)) {
        r = partial!;
        p++;
      } else {
        if (this.shouldRelegate(head, now)) {
          this.relegate(head); // moves behind every request not relegated; looked at again in order
          continue;
        }
        if (this.kv.numRequestsWithBlocks >= this.limits.batchSizeCap || !this.canAllocate(head)) {
          admitting = false;
          continue;
        }
        r = this.waiting.shift()!;
        this.allocate(r);
      }
      const chunk = Math.min(r.remainingPrefillTokens, limit - used);
      requests.push(r);
      numTokens.push(chunk);
      used += chunk;
    }
    for (; p < partials.length; p++) this.running.push(partials[p]!);
    return this.makeBatch(requests, numTokens);
  }
}
