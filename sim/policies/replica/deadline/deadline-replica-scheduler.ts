/**
 * The base of servelab's deadline-aware replica schedulers (Niyama, Goel et al., arXiv 2503.22562;
 * research code: microsoft/sarathi-serve branch `niyama_asplos2026`). It owns what every ordering
 * shares, so a policy only says who goes first and how the iteration is filled:
 *
 * - per-request SLA state: tier, TTFT deadline (batch tiers derive theirs from the last-token
 *   deadline), relegation;
 * - `waiting` kept sorted by the policy's `comparePrefills` at all times (binary insertion on
 *   arrival, on recompute preemption and on relegation), so forming a batch reads its head instead
 *   of sorting thousands of queued requests every iteration;
 * - the prefill-throughput EMA that eager relegation reads, updated on simulated time;
 * - every finished batch recorded as a sample for the linear batch-time model, refit every
 *   `refitEvery` batches through the policy's `fitModel` (none in the baselines).
 *
 * Iterations are never fast-forwarded: every batch is a sample and may change the EMA.
 */
import type { Batch } from '../../../entities/batch.js';
import type { Request } from '../../../entities/request.js';
import { InputError } from '../../../errors.js';
import { ReplicaScheduler, type ReplicaSchedulerInit } from '../replica-scheduler.js';
import { batchFeatures, NIYAMA_BATCH_TIME_MODEL, type BatchSample, type BatchTimeModel } from './batch-time-model.js';
import { DEFAULT_DEADLINE_OPTIONS, type DeadlineOptions } from './deadline-options.js';

/** Batches longer than this are not used to fit the model (the research fit used batches of ≤ 1 s). */
const MAX_SAMPLE_SECONDS = 1;

export abstract class DeadlineReplicaScheduler extends ReplicaScheduler {
  readonly deadline: DeadlineOptions;
  /** Estimated prefill throughput, tokens per second of batch time (EMA over batches with prompt tokens). */
  prefillThroughput: number;
  /** The batch-time model dynamic chunking predicts with: the research fit until the first refit. */
  batchTimeModel: BatchTimeModel = NIYAMA_BATCH_TIME_MODEL;
  /** The newest recorded batches (at most `maxSamples`), oldest first. */
  readonly batchSamples: BatchSample[] = [];
  /** Requests relegated so far (each at most once). */
  numRelegations = 0;
  /** Refits that produced a usable model. */
  numRefits = 0;
  readonly #relegated = new Set<number>();
  #samplesSinceFit = 0;

  constructor(init: ReplicaSchedulerInit, options: DeadlineOptions = DEFAULT_DEADLINE_OPTIONS) {
    super(init);
    this.deadline = options;
    this.prefillThroughput = this.deadline.throughputInit;
  }

  // ---- the policy ---------------------------------------------------------------------------

  /** Prefill order: negative when `a` goes before `b`. `waiting` is kept sorted by it. */
  abstract comparePrefills(a: Request, b: Request): number;

  /** A batch-time model fitted on `samples`, or undefined to keep the current one (the default). */
  protected fitModel(_samples: readonly BatchSample[]): BatchTimeModel | undefined {
    return undefined;
  }

  // ---- SLA state ------------------------------------------------------------------------------

  /** The request's tier (0 when it has none). */
  tierOf(request: Request): number {
    return request.tier ?? 0;
  }

  /** Tier 0 (interactive) or a batch tier. */
  isInteractive(request: Request): boolean {
    return this.tierOf(request) === 0;
  }

  /**
   * Seconds after arrival by which the prefill should complete. Tier 0: its deadline. Batch tiers:
   * the last-token deadline minus the predicted output length at the batch TBT target
   * (600 − 15 × 0.4 = 594 s with the defaults).
   */
  ttftDeadline(request: Request): number {
    const tier = this.tierOf(request);
    const d = this.deadline.tierDeadlines[tier]!;
    return tier === 0 ? d : d - this.deadline.outputLenPrediction * this.deadline.batchTbt;
  }

  /** The target time between tokens of the request's tier, seconds. */
  tbtTarget(request: Request): number {
    return this.isInteractive(request) ? this.deadline.interactiveTbt : this.deadline.batchTbt;
  }

  isRelegated(request: Request): boolean {
    return this.#relegated.has(request.id);
  }

  /**
   * Marks a waiting request relegated and moves it to its new place in `waiting` (behind every
   * request that is not). Relegating twice, or a request that holds KV blocks, is an error.
   */
  relegate(request: Request): void {
    if (this.#relegated.has(request.id))
      throw new Error(`request ${request.id} is already relegated; relegate a request at most once`);
    if (this.kv.holds(request.id))
      throw new Error(`request ${request.id} holds KV blocks; relegate only before its first chunk`);
    const index = this.waiting.indexOf(request);
    if (index < 0) throw new Error(`request ${request.id} is not waiting; relegate only waiting requests`);
    this.waiting.splice(index, 1);
    this.#relegated.add(request.id);
    this.numRelegations++;
    this.insertWaiting(request);
  }

  // ---- queue upkeep -----------------------------------------------------------------------------

  override addRequest(request: Request, now: number): void {
    const tier = this.tierOf(request);
    if (!Number.isInteger(tier) || tier < 0 || tier >= this.deadline.tierDeadlines.length) {
      throw new InputError(
        `request ${request.id} has tier ${tier}, but ${this.deadline.tierDeadlines.length} tier deadlines are configured (${this.deadline.tierDeadlines.join(', ')} s)`,
      );
    }
    super.addRequest(request, now);
    this.waiting.pop();
    this.insertWaiting(request);
  }

  /** Puts a request into `waiting` after every request that does not compare after it (stable for ties). */
  protected insertWaiting(request: Request): void {
    const w = this.waiting;
    let lo = 0;
    let hi = w.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.comparePrefills(w[mid]!, request) <= 0) lo = mid + 1;
      else hi = mid;
    }
    w.splice(lo, 0, request);
  }

  protected override preemptByRecompute(request: Request): void {
    super.preemptByRecompute(request); // puts it at the front of waiting
    this.waiting.shift();
    this.insertWaiting(request);
  }

  // ---- what every batch teaches -----------------------------------------------------------------

  override decodeRunLength(): number {
    return 1;
  }

  override onBatchEnd(batch: Batch, now: number): void {
    const features = batchFeatures(batch);
    if (features.numPrefillTokens > 0 && batch.duration > 0) {
      const decay = this.deadline.throughputDecay;
      this.prefillThroughput =
        decay * this.prefillThroughput + (1 - decay) * (features.numPrefillTokens / batch.duration);
    }
    if (batch.duration <= MAX_SAMPLE_SECONDS) {
      this.batchSamples.push({ ...features, seconds: batch.duration });
      // Over the cap by one, as a rule: shift, which V8 does without moving the other samples in an
      // array this size, where splice moved all of them (a fifth of a deadline sweep's CPU time).
      while (this.batchSamples.length > this.deadline.maxSamples) this.batchSamples.shift();
      if (this.deadline.refitEvery > 0 && ++this.#samplesSinceFit >= this.deadline.refitEvery) {
        this.#samplesSinceFit = 0;
        const model = this.fitModel(this.batchSamples);
        if (model !== undefined && [...model.small, ...model.large].every(Number.isFinite)) {
          this.batchTimeModel = model;
          this.numRefits++;
        }
      }
    }
    super.onBatchEnd(batch, now);
  }
}
