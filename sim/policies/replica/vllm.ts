/**
 * Vidur's `vllm` replica scheduler: prefill-prioritising iteration-level batching.
 *
 * If the head of `waiting` can be admitted, the iteration is prefill-only: admit requests FCFS while
 * their prompts fit in the KV cache above the watermark, the padded token count
 * (requests × longest prompt) stays within `maxTokensInBatch`, and fewer than `batchSizeCap`
 * requests hold blocks. Otherwise every running request decodes one token, oldest first; a request
 * that cannot get a block preempts the newest running request by recompute (or itself, if alone).
 */
import type { Batch } from '../../entities/batch.js';
import { ReplicaScheduler } from './replica-scheduler.js';

export class VllmReplicaScheduler extends ReplicaScheduler {
  protected getNextBatch(_now: number): Batch | undefined {
    const prefill = this.admitPrefills();
    if (prefill !== undefined) return prefill;
    return this.decodeAll();
  }

  /** The prefill-only iteration, or undefined if the head of the queue cannot be admitted. */
  protected admitPrefills(): Batch | undefined {
    // Most calls come in decode phases, with nothing waiting.
    if (this.waiting.length === 0) return undefined;
    const numTokens: number[] = [];
    let longest = 0;
    let admitted = 0;
    while (admitted < this.waiting.length) {
      const request = this.waiting[admitted]!;
      const tokens = this.nextTokens(request);
      if (!this.canAllocate(request)) break;
      const padded = (admitted + 1) * Math.max(longest, tokens);
      if (padded > this.limits.maxTokensInBatch) break;
      if (this.kv.numRequestsWithBlocks >= this.limits.batchSizeCap) break;
      this.allocate(request);
      numTokens.push(tokens);
      longest = Math.max(longest, tokens);
      admitted++;
    }
    // The admitted head leaves `waiting` at once: a shift() per request moved the whole queue each
    // time, which dominated runs with long queues (1.8 s self in a profile of a shipped-trace run).
    // Emptied by pop, `waiting` keeps its storage; splice would hand it to the batch, and the next
    // addRequest would allocate it again.
    const requests = this.waiting.slice(0, admitted);
    if (admitted === this.waiting.length) while (this.waiting.length > 0) this.waiting.pop();
    else this.waiting.splice(0, admitted);
    return this.makeBatch(requests, numTokens);
  }

  /** One decode token for every running request, oldest first, preempting from the newest when memory runs out. */
  protected decodeAll(): Batch | undefined {
    const preemptionsBefore = this.numPreemptions;
    const { decodes } = this.takeRunning(this.limits.batchSizeCap);
    this.steadyDecodeBatch = this.numPreemptions === preemptionsBefore && this.running.length === 0;
    return this.makeBatch(decodes, new Array<number>(decodes.length).fill(1));
  }
}
