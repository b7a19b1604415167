/**
 * Re-running a student's scheduling decisions in the parent (fairness and deadline labs). The child reports every batch its
 * scheduler formed (and every request it preempted); this scheduler hands the same batches to the
 * parent's own engine, so the service and latency that are scored come from trusted code. Each
 * decision is checked as the engine's own schedulers would be held to it: requests admitted only
 * when their prompt fits in the KV cache, a block for every decode, token counts that exist, the
 * batch-size cap and the iteration's token limits. A log that does not fit the simulation (a batch
 * at another time, a request that is not there) is caught here.
 */
import { Batch } from '../../sim/entities/batch.js';
import type { Request } from '../../sim/entities/request.js';
import { ReplicaScheduler, type ReplicaSchedulerInit } from '../../sim/policies/replica/replica-scheduler.js';

/**
 * Which batching rules the log must follow: `vllm` (whole prompts, prefill-only or decode-only
 * batches, padded prompt limit) or `sarathi` (mixed batches; prompt chunks and decodes within the
 * iteration's token limit, `limits.chunkSize`).
 */
export type ReplayRules = 'vllm' | 'sarathi';

export class ReplayError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReplayError';
  }
}

const fmt = (t: number) => t.toFixed(6);

export class ReplayReplicaScheduler extends ReplicaScheduler {
  readonly #log: readonly number[];
  readonly #kind: ReplayRules;
  #cursor = 0;
  #calls = 0;
  readonly #byId = new Map<number, Request>();

  constructor(init: ReplicaSchedulerInit, log: readonly number[], kind: ReplayRules) {
    super(init);
    this.#log = log;
    this.#kind = kind;
  }

  /** Calls left unreplayed when the run ended (the child formed batches the replay never asked for). */
  get remaining(): boolean {
    return this.#cursor < this.#log.length;
  }

  override addRequest(request: Request, now: number): void {
    this.#byId.set(request.id, request);
    super.addRequest(request, now);
  }

  #next(): number {
    if (this.#cursor >= this.#log.length) throw new ReplayError('the decision log ended early');
    const v = this.#log[this.#cursor++]!;
    if (!Number.isFinite(v)) throw new ReplayError('the decision log holds a value that is not a number');
    return v;
  }

  protected getNextBatch(now: number): Batch | undefined {
    this.#calls++;
    if (this.#cursor >= this.#log.length) {
      throw new ReplayError(
        `getNextBatch was called ${this.#calls} times in the grader's replay but the log has fewer calls (at t=${fmt(now)} s)`,
      );
    }
    const t = this.#next();
    if (Math.abs(t - now) > 1e-6 * Math.max(1, now)) {
      throw new ReplayError(
        `call ${this.#calls} was recorded at t=${fmt(t)} s but happens at t=${fmt(now)} s in the replay: the schedule did not follow the engine's rules`,
      );
    }
    const numPreempted = this.#next();
    for (let k = 0; k < numPreempted; k++) {
      const id = this.#next();
      const index = this.running.findIndex((r) => r.id === id);
      if (index < 0)
        throw new ReplayError(
          `t=${fmt(now)} s: request ${id} was preempted, but it was not running (holding KV blocks, outside the executing batch)`,
        );
      const [victim] = this.running.splice(index, 1);
      this.preemptByRecompute(victim!);
    }
    const n = this.#next();
    if (n === 0) return undefined;
    const requests: Request[] = [];
    const numTokens: number[] = [];
    const seen = new Set<number>();
    const runningIds = new Set(this.running.map((r) => r.id));
    let admitted = 0;
    let decodes = 0;
    let prefillTokens = 0;
    let longestPrompt = 0;
    for (let k = 0; k < n; k++) {
      let id = this.#next();
      let tokens = 1;
      if (id < 0) {
        id = -id - 1;
        tokens = this.#next();
      }
      const at = `t=${fmt(now)} s: request ${id}`;
      const request = this.#byId.get(id);
      if (request === undefined) throw new ReplayError(`${at} is in a batch but was never routed to this replica`);
      if (seen.has(id)) throw new ReplayError(`${at} appears twice in one batch`);
      seen.add(id);
      if (!Number.isInteger(tokens) || tokens < 1)
        throw new ReplayError(`${at} was given ${tokens} tokens; give a positive whole number`);
      if (runningIds.has(id)) {
        if (request.isPrefillComplete) {
          if (tokens !== 1)
            throw new ReplayError(
              `${at} is decoding and was given ${tokens} tokens; a decode computes 1 token per iteration`,
            );
          if (!this.kv.ensureCapacity(id, request.numProcessedTokens)) {
            throw new ReplayError(
              `${at} decodes with no free KV block for its next token; preempt (by recompute) or leave it out when memory runs short`,
            );
          }
          decodes++;
        } else {
          if (tokens > request.remainingPrefillTokens)
            throw new ReplayError(
              `${at} was given ${tokens} prompt tokens with ${request.remainingPrefillTokens} left`,
            );
          prefillTokens += tokens;
        }
      } else {
        const index = this.waiting.indexOf(request);
        if (index < 0)
          throw new ReplayError(`${at} is neither waiting nor running (finished, or already in the executing batch)`);
        if (this.kv.numRequestsWithBlocks >= this.limits.batchSizeCap) {
          throw new ReplayError(
            `${at} was admitted with ${this.kv.numRequestsWithBlocks} requests already holding KV blocks (batchSizeCap ${this.limits.batchSizeCap})`,
          );
        }
        if (!this.canAllocate(request))
          throw new ReplayError(
            `${at} was admitted although its prompt's KV blocks (plus the watermark) were not free`,
          );
        if (tokens > request.remainingPrefillTokens)
          throw new ReplayError(`${at} was given ${tokens} prompt tokens with ${request.remainingPrefillTokens} left`);
        this.waiting.splice(index, 1);
        this.allocate(request);
        admitted++;
        prefillTokens += tokens;
        longestPrompt = Math.max(longestPrompt, tokens);
        if (this.#kind === 'vllm' && tokens !== request.prefillTarget) {
          throw new ReplayError(
            `${at} was admitted with ${tokens} of its ${request.prefillTarget} prompt tokens; the vllm schedule computes whole prompts`,
          );
        }
      }
      requests.push(request);
      numTokens.push(tokens);
    }
    if (this.#kind === 'vllm') {
      if (admitted > 0 && admitted !== n)
        throw new ReplayError(
          `t=${fmt(now)} s: a batch mixes new prompts with decodes; the vllm schedule runs prefill-only or decode-only iterations`,
        );
      if (admitted > 0 && admitted * longestPrompt > this.limits.maxTokensInBatch) {
        throw new ReplayError(
          `t=${fmt(now)} s: a prefill batch of ${admitted} prompts, the longest ${longestPrompt} tokens, pads to ${admitted * longestPrompt} > maxTokensInBatch ${this.limits.maxTokensInBatch}`,
        );
      }
    } else if (prefillTokens > 0 && decodes + prefillTokens > this.limits.chunkSize) {
      throw new ReplayError(
        `t=${fmt(now)} s: ${decodes} decodes and ${prefillTokens} prompt tokens exceed the ${this.limits.chunkSize}-token budget`,
      );
    }
    this.running = this.running.filter((r) => !seen.has(r.id));
    return new Batch(this.replicaId, requests, numTokens);
  }
}
