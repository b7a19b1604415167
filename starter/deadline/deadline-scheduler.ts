/**
 * Deadline-aware scheduling lab: Niyama's scheduler (Goel et al., arXiv 2503.22562) on
 * Sarathi-Serve's mixed batching. Read labs/deadline/README.md for the rules the grader checks.
 *
 * Untouched, every method runs a simple default (Sarathi's batching in arrival order with a static
 * chunk, no relegation, the fallback model), so `npm run sim` and `npm run try -- deadline` work while
 * you write the methods one at a time. A default scores nothing: it records its name in
 * STARTER_DEFAULTS, and a check whose run used one fails with "not written yet". Replace each default
 * (and its STARTER_DEFAULTS.add line) with your code. Each method's comment says what it must do and
 * how many points it carries. A method's points are its own rubric item:
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
import { OrderedSarathiScheduler } from '../../sim/policies/replica/deadline/ordered-sarathi.js';
import { byArrival } from '../../sim/policies/replica/replica-scheduler.js';

/** The starter's defaults that ran (see the top of this file); the grader reads it. Keep the export. */
export const STARTER_DEFAULTS = new Set<string>();

/**
 * Fits the batch-time model on recorded batches: ordinary least squares (use the given
 * `leastSquares`) of `seconds` on the six regressors, separately for batches of at most
 * SPLIT_TOKENS tokens and for larger ones. A side with fewer samples than `minSamples` keeps
 * `fallback`'s coefficients. 2 points.
 */
export function fitBatchTimeModel(
  _samples: readonly BatchSample[],
  fallback: BatchTimeModel,
  _minSamples = 12,
): BatchTimeModel {
  STARTER_DEFAULTS.add('fitBatchTimeModel'); // default: keep the fallback
  return fallback;
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
    STARTER_DEFAULTS.add('comparePrefills'); // default: arrival order
    return byArrival(a, b);
  }

  /**
   * When the request's next token is due: arrival + max(actual TTFT, TTFT deadline) + TBT target ×
   * (tokens generated so far + 1). Before its prefill completes, the actual TTFT counts as 0. 1 point.
   */
  tokenDeadline(r: Request): number {
    STARTER_DEFAULTS.add('tokenDeadline'); // default: the TTFT deadline, for every token
    return r.arrivedAt + this.ttftDeadline(r);
  }

  /** Decode order: the least slack (token deadline − now) first; ties by arrival, then id. 1 point. */
  compareDecodes(a: Request, b: Request, _now: number): number {
    STARTER_DEFAULTS.add('compareDecodes'); // default: arrival order
    return byArrival(a, b);
  }

  /**
   * Eager relegation: a waiting request that was never relegated and holds no KV blocks, whose
   * remaining prompt cannot finish by its TTFT deadline at the estimated prefill throughput. 2 points.
   */
  shouldRelegate(_r: Request, _now: number): boolean {
    STARTER_DEFAULTS.add('shouldRelegate'); // default: never relegate
    return false;
  }

  /**
   * Dynamic chunking: the prompt tokens this iteration may take. T is the largest batch size in the
   * search space with chunkSafetyFactor × predicted time ≤ minSlack (binary search), where the
   * prediction is for `decodes` plus T − decodes fresh prompt tokens; the smallest size when none
   * fits; the largest when there are no decodes. Returns max(0, T − number of decodes). 3 points
   * (README, "What you implement", item 6, gives the exact features of the prediction).
   */
  prefillSizeBySlack(_minSlack: number, decodes: readonly Request[], _freeBlocks: number): number {
    STARTER_DEFAULTS.add('prefillSizeBySlack'); // default: the static chunk
    return Math.max(0, this.limits.chunkSize - decodes.length);
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
    STARTER_DEFAULTS.add('getNextBatch'); // default: the engine's Sarathi FCFS iteration, using your comparePrefills
    return (
      OrderedSarathiScheduler.prototype as unknown as {
        getNextBatch(this: DeadlineScheduler, now: number): Batch | undefined;
      }
    ).getNextBatch.call(this, now);
  }
}
