/**
 * Fair-scheduling lab, part 1: the Virtual Token Counter (VTC, Sheng et al., OSDI'24) on top of the
 * vLLM-style replica scheduler.
 *
 * Each client has a virtual counter of the service it has received, divided by its weight. New
 * requests are admitted from the client with the smallest counter; a client that comes back after
 * an idle spell has its counter lifted so that it cannot claim the service it did not ask for.
 */
import type { Batch } from '../../sim/entities/batch.js';
import type { Request } from '../../sim/entities/request.js';
import { VllmReplicaScheduler } from '../../sim/policies/replica/vllm.js';
import { getDecodeTokenServiceCost, getPrefillTokenServiceCost } from './service-cost.js';

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
   * Counter lift (the paper's Algorithm 2), called before `request` joins `this.waiting`. Only when
   * its client u has no request waiting: lift u to the smallest counter among the other clients that
   * have waiting requests; if nobody else is waiting, to the counter of `lastClientScheduled`. Never lower.
   */
  updateCounterOnArrival(request: Request): void {
    const u = request.clientId;
    let othersMin = Number.POSITIVE_INFINITY;
    for (const r of this.waiting) {
      if (r.clientId === u) return; // u is already waiting: no lift
      othersMin = Math.min(othersMin, this.counterOf(r.clientId));
    }
    const own = this.counterOf(u);
    if (othersMin < Number.POSITIVE_INFINITY) this.virtualCounters.set(u, Math.max(own, othersMin));
    else if (this.lastClientScheduled !== undefined)
      this.virtualCounters.set(u, Math.max(own, this.counterOf(this.lastClientScheduled)));
    else this.virtualCounters.set(u, own);
  }

  /**
   * Charges the output tokens `batch` generated: every request whose prefill is complete after the
   * batch produced one token (a decode, or the first token of the iteration that finished its
   * prefill). Prompt tokens were charged at admission.
   */
  updateCounterOnBatchCompletion(batch: Batch): void {
    for (const r of batch.requests) {
      if (!r.isPrefillComplete) continue;
      const c = r.clientId;
      this.virtualCounters.set(c, this.counterOf(c) + getDecodeTokenServiceCost() / this.clientWeight(c));
    }
  }

  /** The head (oldest in `this.waiting`) of the waiting client with the smallest counter; ties go to the lower client id. */
  selectNextRequest(): VtcSelection | undefined {
    let best: VtcSelection | undefined;
    const seen = new Set<number>();
    this.waiting.forEach((request, index) => {
      const c = request.clientId;
      if (seen.has(c)) return; // only each client's head competes
      seen.add(c);
      if (
        best === undefined ||
        isBefore(this.counterOf(c), c, this.counterOf(best.request.clientId), best.request.clientId)
      )
        best = { request, index };
    });
    return best;
  }

  /**
   * vLLM's prefill-prioritising iteration with VTC choosing whom to admit: admit the selected request
   * while it fits (KV blocks above the watermark, padded prompt tokens ≤ maxTokensInBatch, fewer than
   * batchSizeCap requests holding blocks), charging its new prompt tokens at once; stop at the first
   * that does not fit. Without an admission, every running request decodes one token.
   */
  protected override getNextBatch(_now: number): Batch | undefined {
    const requests: Request[] = [];
    const numTokens: number[] = [];
    let longest = 0;
    for (;;) {
      const selected = this.selectNextRequest();
      if (selected === undefined) break;
      const { request, index } = selected;
      const tokens = this.nextTokens(request);
      if (!this.canAllocate(request)) break;
      if ((requests.length + 1) * Math.max(longest, tokens) > this.limits.maxTokensInBatch) break;
      if (this.kv.numRequestsWithBlocks >= this.limits.batchSizeCap) break;
      this.waiting.splice(index, 1);
      this.allocate(request);
      requests.push(request);
      numTokens.push(tokens);
      longest = Math.max(longest, tokens);
      const c = request.clientId;
      this.virtualCounters.set(
        c,
        this.counterOf(c) + getPrefillTokenServiceCost(request.newPromptTokens(tokens)) / this.clientWeight(c),
      );
      if (!this.waiting.some((r) => r.clientId === c)) this.lastClientScheduled = c;
    }
    if (requests.length > 0) return this.makeBatch(requests, numTokens);
    return this.decodeAll();
  }
}

/**
 * Whether client a (counter ca) goes before client b: smaller counter first, counters within a
 * relative 1e-9 of each other count as equal (weights like 1/3 leave rounding noise), then lower id.
 */
export function isBefore(ca: number, a: number, cb: number, b: number): boolean {
  const eps = 1e-9 * Math.max(1, Math.abs(ca), Math.abs(cb));
  if (ca < cb - eps) return true;
  if (ca > cb + eps) return false;
  return a < b;
}
