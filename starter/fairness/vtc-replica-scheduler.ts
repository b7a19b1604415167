/**
 * Fair-scheduling lab, part 1: the Virtual Token Counter (VTC, Sheng et al., OSDI'24) on top of the
 * vLLM-style replica scheduler. Read labs/fairness/README.md first: it states every rule the grader
 * checks (when counters are lifted and charged, ties, what "does not fit" means).
 *
 * Charge with the functions of service-cost.ts (import them from './service-cost.js').
 *
 * Untouched, this scheduler throws "not implemented" from the first request on.
 */
import type { Batch } from '../../sim/entities/batch.js';
import type { Request } from '../../sim/entities/request.js';
import { VllmReplicaScheduler } from '../../sim/policies/replica/vllm.js';

/** A waiting request chosen by `selectNextRequest`, and its position in `this.waiting`. */
export interface VtcSelection {
  readonly request: Request;
  readonly index: number;
}

export class VtcReplicaScheduler extends VllmReplicaScheduler {
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

  /**
   * Counter lift, called when `request` arrives, before it joins `this.waiting` (README, "The rules",
   * "Arrival"). 1.5 points: 1 in its own visible item, 0.5 in a hidden scenario item.
   */
  updateCounterOnArrival(request: Request): void {
    throw new Error(
      `not implemented: VtcReplicaScheduler.updateCounterOnArrival in starter/fairness/vtc-replica-scheduler.ts (request ${request.id} of client ${request.clientId})`,
    );
  }

  /**
   * Charges the output tokens `batch` generated, divided by each client's weight (`this.clientWeight(c)`);
   * called when the batch ends, after its requests advanced (README, "The rules",
   * "Charging"). 1 point.
   */
  updateCounterOnBatchCompletion(batch: Batch): void {
    throw new Error(
      `not implemented: VtcReplicaScheduler.updateCounterOnBatchCompletion in starter/fairness/vtc-replica-scheduler.ts (batch of ${batch.size} requests)`,
    );
  }

  /**
   * The waiting request to admit next, and its index in `this.waiting`; undefined if nothing waits.
   * Must not change any state (README, "The rules", "Selection"). 1 point.
   */
  selectNextRequest(): VtcSelection | undefined {
    throw new Error(
      'not implemented: VtcReplicaScheduler.selectNextRequest in starter/fairness/vtc-replica-scheduler.ts',
    );
  }

  /**
   * vLLM's prefill-prioritising iteration with VTC choosing whom to admit, charging prompts as they
   * are admitted (README, "The rules", "Part 1, forming a batch"). Useful: `this.nextTokens(r)`,
   * `this.canAllocate(r)`, `this.allocate(r)`, `this.decodeAll()`, `this.makeBatch(...)`,
   * `r.newPromptTokens(n)`. 3.5 points: 1.5 in its own visible item, 2 in the hidden scenario items
   * (overload, weights) that run your whole scheduler.
   */
  protected override getNextBatch(now: number): Batch | undefined {
    throw new Error(
      `not implemented: VtcReplicaScheduler.getNextBatch in starter/fairness/vtc-replica-scheduler.ts (at t=${now})`,
    );
  }
}
