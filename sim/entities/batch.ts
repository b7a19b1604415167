/** One iteration of a replica: the requests it runs and how many tokens each gets. */
import type { Request } from './request.js';

export class Batch {
  readonly replicaId: number;
  readonly requests: readonly Request[];
  /** numTokens[i] is the number of tokens requests[i] computes in this iteration. */
  readonly numTokens: readonly number[];
  scheduledAt: number | undefined;
  completedAt: number | undefined;
  /** Predicted duration, set by the engine when the batch starts. */
  duration = 0;
  /** Extra time added to the iteration (e.g. KV swap transfers), seconds. */
  extraTime = 0;

  constructor(replicaId: number, requests: readonly Request[], numTokens: readonly number[]) {
    if (requests.length === 0) throw new Error('a batch needs at least one request');
    if (requests.length !== numTokens.length) {
      throw new Error(`batch has ${requests.length} requests but ${numTokens.length} token counts`);
    }
    for (let i = 0; i < numTokens.length; i++) {
      const t = numTokens[i]!;
      if (!Number.isInteger(t) || t <= 0)
        throw new Error(`batch gives request ${requests[i]!.id} ${t} tokens; each entry must be a positive integer`);
    }
    this.replicaId = replicaId;
    this.requests = requests;
    this.numTokens = numTokens;
  }

  get size(): number {
    return this.requests.length;
  }

  get totalTokens(): number {
    let sum = 0;
    for (const t of this.numTokens) sum += t;
    return sum;
  }

  /** Tokens of requests still in their prefill when the batch was formed. */
  get numPrefillTokens(): number {
    let sum = 0;
    for (let i = 0; i < this.requests.length; i++) if (!this.requests[i]!.isPrefillComplete) sum += this.numTokens[i]!;
    return sum;
  }

  get numDecodeTokens(): number {
    return this.totalTokens - this.numPrefillTokens;
  }
}
