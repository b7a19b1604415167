/**
 * Sarathi-Serve's stall-free batching (Agrawal et al., OSDI'24), with Vidur's `sarathi` semantics.
 *
 * One token budget `chunkSize` per iteration, filled in this order:
 * 1. every running request in decode (1 token each, even past the budget, as in Vidur), preempting
 *    the newest running requests by recompute when a block is missing;
 * 2. ongoing partial prefills, each with min(remaining prompt, budget left);
 * 3. new requests FCFS while the whole prompt fits in the KV cache, fewer than `batchSizeCap` hold
 *    blocks and budget is left; admission stops at the first request that does not fit.
 */
import type { Batch } from '../../entities/batch.js';
import type { Request } from '../../entities/request.js';
import { ReplicaScheduler } from './replica-scheduler.js';

export class SarathiReplicaScheduler extends ReplicaScheduler {
  protected getNextBatch(_now: number): Batch | undefined {
    const budget = this.limits.chunkSize;
    const requests: Request[] = [];
    const numTokens: number[] = [];
    let used = 0;

    const preemptionsBefore = this.numPreemptions;
    const { decodes, partialPrefills } = this.takeRunning(this.limits.batchSizeCap);
    for (const request of decodes) {
      requests.push(request);
      numTokens.push(1);
      used += 1;
    }
    for (const request of partialPrefills) {
      const chunk = Math.min(request.remainingPrefillTokens, budget - used);
      if (chunk <= 0 || requests.length >= this.limits.batchSizeCap) {
        this.running.push(request); // no budget left: it continues next iteration, still holding its blocks
        continue;
      }
      requests.push(request);
      numTokens.push(chunk);
      used += chunk;
    }

    while (this.waiting.length > 0 && used < budget) {
      if (this.kv.numRequestsWithBlocks >= this.limits.batchSizeCap) break;
      const request = this.waiting[0]!;
      if (!this.canAllocate(request)) break;
      this.waiting.shift();
      this.allocate(request);
      const chunk = Math.min(request.remainingPrefillTokens, budget - used);
      requests.push(request);
      numTokens.push(chunk);
      used += chunk;
    }
    this.steadyDecodeBatch =
      requests.length === decodes.length && this.running.length === 0 && this.numPreemptions === preemptionsBefore;
    return this.makeBatch(requests, numTokens);
  }
}
