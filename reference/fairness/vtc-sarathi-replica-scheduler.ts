/**
 * Fair-scheduling lab, part 2: VTC on Sarathi-Serve's chunked prefills (Agrawal et al., OSDI'24).
 *
 * Sarathi fills each iteration's token budget (`chunkSize`) with every running decode first, then
 * with prompt chunks. Here VTC decides who gets the prompt budget, chunk by chunk: the client with
 * the smallest counter among those with an unfinished prompt in progress or a request waiting. A
 * long prompt of a client that has had a lot of service thus pauses between chunks while a client
 * with less service goes ahead: fairness at chunk granularity.
 */
import type { Batch } from '../../sim/entities/batch.js';
import type { Request } from '../../sim/entities/request.js';
import { SarathiReplicaScheduler } from '../../sim/policies/replica/sarathi.js';
import { getDecodeTokenServiceCost, getPrefillTokenServiceCost } from './service-cost.js';
import { isBefore } from './vtc-replica-scheduler.js';

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

  /** The counter lift of part 1, unchanged. */
  updateCounterOnArrival(request: Request): void {
    const u = request.clientId;
    let othersMin = Number.POSITIVE_INFINITY;
    for (const r of this.waiting) {
      if (r.clientId === u) return;
      othersMin = Math.min(othersMin, this.counterOf(r.clientId));
    }
    const own = this.counterOf(u);
    if (othersMin < Number.POSITIVE_INFINITY) this.virtualCounters.set(u, Math.max(own, othersMin));
    else if (this.lastClientScheduled !== undefined)
      this.virtualCounters.set(u, Math.max(own, this.counterOf(this.lastClientScheduled)));
    else this.virtualCounters.set(u, own);
  }

  /**
   * Charges output tokens only: a request produced one in this batch exactly when its prefill is
   * complete afterwards (a decode, or the chunk that finished its prompt). A chunk that left the
   * prompt unfinished produced none; its prompt tokens were charged when the chunk was placed.
   */
  updateCounterOnBatchCompletion(batch: Batch): void {
    for (const r of batch.requests) {
      if (!r.isPrefillComplete) continue;
      const c = r.clientId;
      this.virtualCounters.set(c, this.counterOf(c) + getDecodeTokenServiceCost() / this.clientWeight(c));
    }
  }

  /**
   * The client with the smallest counter among the owners of `runningPrefills` (prompts in progress,
   * oldest first) and of waiting requests; ties to the lower client id. Returns that client's oldest
   * partial prefill if it has one, else its head of `this.waiting`.
   */
  selectNextRequest(runningPrefills: readonly Request[]): VtcSarathiSelection | undefined {
    let best: VtcSarathiSelection | undefined;
    const consider = (request: Request, index: number, isRunningPrefill: boolean): void => {
      const c = request.clientId;
      if (
        best === undefined ||
        isBefore(this.counterOf(c), c, this.counterOf(best.request.clientId), best.request.clientId)
      ) {
        best = { request, index, isRunningPrefill };
      }
    };
    // Partial prefills first, so a client's prompt in progress beats its waiting requests on the tie.
    runningPrefills.forEach((r, i) => consider(r, i, true));
    this.waiting.forEach((r, i) => consider(r, i, false));
    return best;
  }

  /**
   * Sarathi's stall-free iteration with VTC on the prompt budget: every running decode first (one
   * token each, preempting the newest running requests when a block is missing); then, while budget
   * is left, the selected partial prefill or waiting request gets min(remaining prompt, budget left)
   * tokens, its new prompt tokens charged at once. A waiting request that does not fit (KV blocks
   * for its whole prompt, or batchSizeCap) closes admission for this iteration: no other waiting
   * request may skip ahead of it, but prompts already in progress (they hold their blocks) keep
   * taking chunks in counter order, so memory held by partial prefills is always released.
   */
  protected override getNextBatch(_now: number): Batch | undefined {
    const budget = this.limits.chunkSize;
    const requests: Request[] = [];
    const numTokens: number[] = [];
    let used = 0;
    const { decodes, partialPrefills } = this.takeRunning(this.limits.batchSizeCap);
    for (const request of decodes) {
      requests.push(request);
      numTokens.push(1);
      used += 1;
    }
    let admitting = true;
    while (used < budget) {
      const selected = admitting ? this.selectNextRequest(partialPrefills) : this.#nextPartialPrefill(partialPrefills);
      if (selected === undefined) break;
      const { request, index, isRunningPrefill } = selected;
      if (isRunningPrefill) {
        partialPrefills.splice(index, 1);
      } else {
        if (this.kv.numRequestsWithBlocks >= this.limits.batchSizeCap || !this.canAllocate(request)) {
          admitting = false; // head-of-line: nobody else is admitted this iteration
          continue;
        }
        this.waiting.splice(index, 1);
        this.allocate(request); // the whole prompt's blocks, with the first chunk
      }
      const chunk = Math.min(request.remainingPrefillTokens, budget - used);
      requests.push(request);
      numTokens.push(chunk);
      used += chunk;
      const c = request.clientId;
      this.virtualCounters.set(
        c,
        this.counterOf(c) + getPrefillTokenServiceCost(request.newPromptTokens(chunk)) / this.clientWeight(c),
      );
      if (!isRunningPrefill && !this.waiting.some((r) => r.clientId === c)) this.lastClientScheduled = c;
    }
    // Prompts in progress that got no chunk keep their blocks and wait for the next iteration.
    for (const request of partialPrefills) this.running.push(request);
    return this.makeBatch(requests, numTokens);
  }

  /** The partial prefill of the client with the smallest counter (ties: lower id, then older). */
  #nextPartialPrefill(runningPrefills: readonly Request[]): VtcSarathiSelection | undefined {
    let best: VtcSarathiSelection | undefined;
    runningPrefills.forEach((request, index) => {
      const c = request.clientId;
      if (
        best === undefined ||
        isBefore(this.counterOf(c), c, this.counterOf(best.request.clientId), best.request.clientId)
      ) {
        best = { request, index, isRunningPrefill: true };
      }
    });
    return best;
  }
}
