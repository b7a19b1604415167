/**
 * Deadline-aware scheduling lab: Niyama's scheduler (Goel et al., arXiv 2503.22562) on
 * Sarathi-Serve's mixed batching. Read labs/deadline/README.md for the rules the grader checks.
 *
 * Untouched, this scheduler throws "not implemented" from the first request on; each method's comment
 * says what it must do and how many points it carries. A method's points are its own rubric item:
 * `npm run check -- deadline` runs the public cases; the grade also counts hidden variants of them
 * (drawn from the hidden seed), and getNextBatch's comment names the hidden items that run it.
 *
 * Given by the engine (DeadlineReplicaScheduler): tiers and TTFT deadlines, `waiting` kept sorted by
 * `comparePrefills`, `relegate()`, the prefill-throughput EMA, recorded batches and the refit hook.
 */
import type { Batch } from '../../sim/entities/batch.js';
import type { Request } from '../../sim/entities/request.js';
// Useful: byArrival from '../../sim/policies/replica/replica-scheduler.js'; leastSquares, regressors,
// predictBatchTime, SPLIT_TOKENS, CHUNK_SIZES, LOW_MEMORY_CHUNK_SIZES and the Coefficients type from
// '../../sim/policies/replica/deadline/batch-time-model.js'.
import type { BatchSample, BatchTimeModel } from '../../sim/policies/replica/deadline/batch-time-model.js';
import { DeadlineReplicaScheduler } from '../../sim/policies/replica/deadline/deadline-replica-scheduler.js';

/**
 * Fits the batch-time model on recorded batches: ordinary least squares (use the given
 * `leastSquares`) of `seconds` on the six regressors, separately for batches of at most
 * SPLIT_TOKENS tokens and for larger ones. A side with fewer samples than `minSamples` keeps
 * `fallback`'s coefficients. 2 points.
 */
export function fitBatchTimeModel(samples: readonly BatchSample[], fallback: BatchTimeModel, minSamples = 12): BatchTimeModel {
  throw new Error(`not implemented: fitBatchTimeModel in starter/deadline/deadline-scheduler.ts (${samples.length} samples, fallback ${fallback.small.length}+${fallback.large.length} coefficients, min ${minSamples})`);
}

export class DeadlineScheduler extends DeadlineReplicaScheduler {
  // ---- given: the refit hook (keep it) -------------------------------------------------------

  protected override fitModel(samples: readonly BatchSample[]): BatchTimeModel | undefined {
    return fitBatchTimeModel(samples, this.batchTimeModel);
  }

  // ---- your part ------------------------------------------------------------------------------

  /**
   * Hybrid priority: requests not relegated before relegated ones; then the smaller
   * arrival + TTFT deadline + α × remaining prompt tokens; ties by arrival, then id. 2 points.
   */
  comparePrefills(a: Request, b: Request): number {
    throw new Error(`not implemented: DeadlineScheduler.comparePrefills in starter/deadline/deadline-scheduler.ts (requests ${a.id} and ${b.id})`);
  }

  /**
   * When the request's next token is due: arrival + max(actual TTFT, TTFT deadline) + TBT target ×
   * (tokens generated so far + 1). Before its prefill completes, the actual TTFT counts as 0. 1 point.
   */
  tokenDeadline(r: Request): number {
    throw new Error(`not implemented: DeadlineScheduler.tokenDeadline in starter/deadline/deadline-scheduler.ts (request ${r.id})`);
  }

  /** Decode order: the least slack (token deadline − now) first; ties by arrival, then id. 1 point. */
  compareDecodes(a: Request, b: Request, now: number): number {
    throw new Error(`not implemented: DeadlineScheduler.compareDecodes in starter/deadline/deadline-scheduler.ts (requests ${a.id} and ${b.id} at t=${now})`);
  }

  /**
   * Eager relegation: a waiting request that was never relegated and holds no KV blocks, whose
   * remaining prompt cannot finish by its TTFT deadline at the estimated prefill throughput. 2 points.
   */
  shouldRelegate(r: Request, now: number): boolean {
    throw new Error(`not implemented: DeadlineScheduler.shouldRelegate in starter/deadline/deadline-scheduler.ts (request ${r.id} at t=${now})`);
  }

  /**
   * Dynamic chunking: the prompt tokens this iteration may take. T is the largest batch size in the
   * search space with chunkSafetyFactor × predicted time ≤ minSlack (binary search), where the
   * prediction is for `decodes` plus T − decodes fresh prompt tokens; the smallest size when none
   * fits; the largest when there are no decodes. Returns max(0, T − number of decodes). 3 points
   * (README, "What you implement", item 6, gives the exact features of the prediction).
   */
  prefillSizeBySlack(minSlack: number, decodes: readonly Request[], freeBlocks: number): number {
    throw new Error(`not implemented: DeadlineScheduler.prefillSizeBySlack in starter/deadline/deadline-scheduler.ts (slack ${minSlack}, ${decodes.length} decodes, ${freeBlocks} free blocks)`);
  }

  /**
   * One iteration: decodes most urgent first while the batch has fewer than chunkSize tokens (a
   * decode with no block for its next token is preempted by recompute); then prompt chunks in
   * comparePrefills order up to prefillSizeBySlack(smallest decode slack), merging prompts in
   * progress with the head of `waiting`; a waiting request is relegated (once) when shouldRelegate
   * says so, else admitted with its whole prompt's blocks if they fit — if not, admission closes
   * for the iteration while prompts in progress keep their chunks. 4 points here, and the capacity
   * and overload items (5 points) run it on hidden workloads.
   */
  protected override getNextBatch(now: number): Batch | undefined {
    throw new Error(`not implemented: DeadlineScheduler.getNextBatch in starter/deadline/deadline-scheduler.ts (at t=${now})`);
  }
}
