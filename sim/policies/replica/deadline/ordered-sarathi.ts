/**
 * The baselines of the deadline lab: Sarathi-Serve's mixed batching with the prompt queue ordered by
 * arrival (FCFS), by TTFT deadline (EDF) or by remaining prompt (SRPF), the three non-deadline
 * `scheduler_type`s of Niyama's research code (microsoft/sarathi-serve branch `niyama_asplos2026`). No relegation and a static
 * chunk: every iteration's token budget is `chunkSize`.
 *
 * One iteration:
 * 1. decodes (running requests past their prompt), oldest first, one token each while the batch has
 *    fewer than `chunkSize` tokens; a decode with no free block for its next token is preempted by
 *    recompute (it rejoins `waiting` in order);
 * 2. prompt chunks in priority order, merging prompts in progress (they hold their KV blocks) with
 *    the head of `waiting`, each taking min(remaining prompt, budget left); a waiting request whose
 *    whole prompt does not fit in the KV cache (or the batch-size cap is reached) closes admission for
 *    the iteration, while prompts in progress keep taking chunks.
 */
import type { Batch } from '../../../entities/batch.js';
import type { Request } from '../../../entities/request.js';
import { byArrival, type ReplicaSchedulerInit } from '../replica-scheduler.js';
import type { DeadlineOptions } from './deadline-options.js';
import { DeadlineReplicaScheduler } from './deadline-replica-scheduler.js';

export type PrefillOrder = 'fcfs' | 'edf' | 'srpf';

export class OrderedSarathiScheduler extends DeadlineReplicaScheduler {
  readonly order: PrefillOrder;

  constructor(init: ReplicaSchedulerInit, options: DeadlineOptions | undefined, order: PrefillOrder) {
    super(init, options);
    this.order = order;
  }

  /** The order's key, then arrival, then id. */
  comparePrefills(a: Request, b: Request): number {
    return this.#key(a) - this.#key(b) || byArrival(a, b);
  }

  #key(r: Request): number {
    switch (this.order) {
      case 'fcfs':
        return r.arrivedAt;
      case 'edf':
        return r.arrivedAt + this.ttftDeadline(r);
      case 'srpf':
        return r.prefillTarget - r.numProcessedTokens;
    }
  }

  protected getNextBatch(_now: number): Batch | undefined {
    const budget = this.limits.chunkSize;
    const requests: Request[] = [];
    const numTokens: number[] = [];
    const decodes = this.running.filter((r) => r.isPrefillComplete).sort(byArrival);
    const partials = this.running.filter((r) => !r.isPrefillComplete).sort((a, b) => this.comparePrefills(a, b));
    this.running = [];
    let used = 0;
    for (const r of decodes) {
      if (used >= budget) {
        this.running.push(r);
        continue;
      }
      if (!this.canAllocate(r)) {
        this.preemptByRecompute(r);
        continue;
      }
      this.allocate(r);
      requests.push(r);
      numTokens.push(1);
      used++;
    }
    let p = 0;
    let admitting = true;
    while (used < budget) {
      const partial = partials[p];
      const head = admitting ? this.waiting[0] : undefined;
      if (partial === undefined && head === undefined) break;
      let r: Request;
      if (head === undefined || (partial !== undefined && this.comparePrefills(partial, head) <= 0)) {
        r = partial!;
        p++;
      } else {
        if (this.kv.numRequestsWithBlocks >= this.limits.batchSizeCap || !this.canAllocate(head)) {
          admitting = false;
          continue;
        }
        r = this.waiting.shift()!;
        this.allocate(r);
      }
      const chunk = Math.min(r.remainingPrefillTokens, budget - used);
      requests.push(r);
      numTokens.push(chunk);
      used += chunk;
    }
    for (; p < partials.length; p++) this.running.push(partials[p]!);
    return this.makeBatch(requests, numTokens);
  }
}
