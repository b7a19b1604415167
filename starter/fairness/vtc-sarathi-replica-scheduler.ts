/**
 * Fair-scheduling lab, part 2: VTC on Sarathi-Serve's chunked prefills (Agrawal et al., OSDI'24).
 * Read labs/fairness/README.md, part 2, for the rules the grader checks.
 *
 * Charge with the functions of service-cost.ts (import them from './service-cost.js').
 *
 * Untouched, this scheduler throws "not implemented" from the first request on.
 */
import type { Batch } from '../../sim/entities/batch.js';
import type { Request } from '../../sim/entities/request.js';
import { SarathiReplicaScheduler } from '../../sim/policies/replica/sarathi.js';

/** The request chosen by `selectNextRequest`: a partial prefill (index into `runningPrefills`) or a waiting request (index into `this.waiting`). */
export interface VtcSarathiSelection {
  readonly request: Request;
  readonly index: number;
  readonly isRunningPrefill: boolean;
}

export class VtcSarathiReplicaScheduler extends SarathiReplicaScheduler {
  // ---- given: state and hooks (keep these) ------------------------------------------------

  /** Each client's virtual token counter, in weighted service units; a client not in the map is at 0. */
  readonly virtualCounters = new Map<number, number>();
  /** The client whose last waiting request was most recently admitted (undefined until that happens). */
  lastClientScheduled: number | undefined = undefined;

  /** A client's counter (0 if it has none yet). */
  protected counterOf(clientId: number): number {
    return this.virtualCounters.get(clientId) ?? 0;
  }

  override addRequest(request: Request, now: number): void {
    this.updateCounterOnArrival(request);
    super.addRequest(request, now);
  }

  override onBatchEnd(batch: Batch, now: number): void {
    this.updateCounterOnBatchCompletion(batch);
    super.onBatchEnd(batch, now);
  }

  /** VTC charges every iteration's tokens at its end, so the engine must not run decode iterations back to back. */
  override decodeRunLength(): number {
    return 1;
  }

  // ---- your part --------------------------------------------------------------------------

  /** The counter lift of part 1, unchanged (you may share code with vtc-replica-scheduler.ts). Not graded on its own here. */
  updateCounterOnArrival(request: Request): void {
    throw new Error(
      `not implemented: VtcSarathiReplicaScheduler.updateCounterOnArrival in starter/fairness/vtc-sarathi-replica-scheduler.ts (request ${request.id} of client ${request.clientId})`,
    );
  }

  /** Charges the output tokens `batch` generated; prompt chunks were charged when placed (README, "The rules", "Charging"). 1 point. */
  updateCounterOnBatchCompletion(batch: Batch): void {
    throw new Error(
      `not implemented: VtcSarathiReplicaScheduler.updateCounterOnBatchCompletion in starter/fairness/vtc-sarathi-replica-scheduler.ts (batch of ${batch.size} requests)`,
    );
  }

  /**
   * The next request to give a prompt chunk: a prompt in progress from `runningPrefills` or a waiting
   * request; undefined if there is none. Must not change any state (README, "The rules", "Part 2,
   * selection"). 2 points.
   */
  selectNextRequest(runningPrefills: readonly Request[]): VtcSarathiSelection | undefined {
    throw new Error(
      `not implemented: VtcSarathiReplicaScheduler.selectNextRequest in starter/fairness/vtc-sarathi-replica-scheduler.ts (${runningPrefills.length} running prefills)`,
    );
  }

  /**
   * Sarathi's stall-free iteration with VTC choosing who gets the prompt budget, chunk by chunk
   * (README, "The rules", "Part 2, forming a batch"). Useful: `this.takeRunning(cap)`,
   * `this.canAllocate(r)`, `this.allocate(r)`, `this.makeBatch(...)`, `r.remainingPrefillTokens`,
   * `r.newPromptTokens(n)`. 4.5 points: 2 in its own visible item, 2.5 in the hidden scenario items
   * that run your whole scheduler.
   */
  protected override getNextBatch(now: number): Batch | undefined {
    throw new Error(
      `not implemented: VtcSarathiReplicaScheduler.getNextBatch in starter/fairness/vtc-sarathi-replica-scheduler.ts (at t=${now})`,
    );
  }
}
