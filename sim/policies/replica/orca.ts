/**
 * Orca-style iteration-level batching (Yu et al., OSDI'22) as Vidur models it: every running request
 * advances each iteration, and new requests join FCFS while the batch has room and a full
 * `maxRequestTokens` reservation of KV blocks is free (Orca reserves the maximum length up front, so
 * it never preempts).
 */
import type { Batch } from '../../entities/batch.js';
import type { Request } from '../../entities/request.js';
import { byArrival, ReplicaScheduler } from './replica-scheduler.js';

export class OrcaReplicaScheduler extends ReplicaScheduler {
  protected override readonly decodeGrowsKv = false;

  protected getNextBatch(_now: number): Batch | undefined {
    const requests: Request[] = [];
    const numTokens: number[] = [];
    const cap = this.limits.batchSizeCap;
    this.running.sort(byArrival);
    while (this.running.length > 0 && requests.length < cap) {
      const request = this.running.shift()!;
      requests.push(request);
      numTokens.push(this.nextTokens(request));
    }
    const reservation = this.kv.blocksFor(this.limits.maxRequestTokens);
    while (this.waiting.length > 0 && requests.length < cap && this.kv.canAppend(reservation)) {
      const request = this.waiting.shift()!;
      this.kv.allocate(request.id, reservation);
      requests.push(request);
      numTokens.push(this.nextTokens(request));
    }
    this.steadyDecodeBatch = this.running.length === 0 && requests.every((r) => r.isPrefillComplete);
    return this.makeBatch(requests, numTokens);
  }
}
