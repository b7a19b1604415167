/**
 * The base of every replica (per-GPU-group) scheduler: it owns the replica's queues and KV-cache
 * accounting, and asks its subclass for the next batch. Subclasses write `getNextBatch` and
 * nothing else in the common case; allocation, preemption by recompute and batch-end bookkeeping
 * live here once.
 *
 * Queues (names follow vLLM rather than Vidur, whose `_preempted_requests` holds running requests):
 * - `waiting`: routed here, holding no KV blocks, in service order (FCFS; restarted requests at the front).
 * - `running`: holding KV blocks and not in the batch currently executing.
 */
import { Batch } from '../../entities/batch.js';
import type { Request } from '../../entities/request.js';
import type { KvBlockManager } from '../../memory/kv-block-manager.js';

export interface ReplicaSchedulerLimits {
  /** Most requests that may hold KV blocks at once (Vidur `batch_size_cap`, vLLM `max_num_seqs`). */
  readonly batchSizeCap: number;
  /** Padded token limit of a prefill batch (vllm), or iteration token limit (vllm-v0). */
  readonly maxTokensInBatch: number;
  /** Token budget of one iteration for chunked-prefill schedulers (sarathi). */
  readonly chunkSize: number;
  /** Longest request (prompt + output) the replica accepts; sizes Orca's per-request reservation. */
  readonly maxRequestTokens: number;
}

/**
 * What the engine gives every replica scheduler it builds. A policy's own settings are not here: its
 * registry entry (./registry.ts) reads them from the config when the run is built and passes them as
 * the constructor's second argument.
 */
export interface ReplicaSchedulerInit {
  readonly replicaId: number;
  readonly kv: KvBlockManager;
  readonly limits: ReplicaSchedulerLimits;
  /** Per-client weights for fair schedulers (index = client id; unlisted clients weigh 1). */
  readonly clientWeights?: readonly number[] | undefined;
  /** The replica's device and parallelism in a cluster of unequal replicas (`--replica-mix`), e.g. "h100/tp2". */
  readonly kind?: string | undefined;
}

export abstract class ReplicaScheduler {
  readonly replicaId: number;
  readonly kv: KvBlockManager;
  readonly limits: ReplicaSchedulerLimits;
  /** Per-client weights (index = client id), from the config's `clientWeights`. */
  readonly clientWeights: readonly number[];
  /** "a100", "h100/tp2"… with `--replica-mix`; undefined when every replica is alike. */
  readonly kind: string | undefined;
  readonly waiting: Request[] = [];
  running: Request[] = [];
  /** Batches started and not yet ended (at most one: there is no pipeline parallelism). */
  numRunningBatches = 0;
  /** Requests preempted by recompute over this replica's life. */
  numPreemptions = 0;
  /**
   * Set by `getNextBatch` when the batch it returns is a steady decode batch: decode tokens only,
   * every running request included, nothing preempted. Forming the next batch would then give the
   * same requests again until one finishes, KV memory runs short or a new request is routed here,
   * which lets the engine run such iterations back to back without re-forming them.
   */
  protected steadyDecodeBatch = false;
  /** Whether decode tokens take new KV blocks as they cross block boundaries (false: Orca reserves up front). */
  protected readonly decodeGrowsKv: boolean = true;

  constructor(init: ReplicaSchedulerInit) {
    this.replicaId = init.replicaId;
    this.kv = init.kv;
    this.limits = init.limits;
    this.clientWeights = init.clientWeights ?? [];
    this.kind = init.kind;
  }

  /** A client's weight for fair scheduling: its entry in `clientWeights`, else 1. */
  clientWeight(clientId: number): number {
    return this.clientWeights[clientId] ?? 1;
  }

  /** Policy hook: form the next batch from `waiting` and `running`, or return undefined to idle. */
  protected abstract getNextBatch(now: number): Batch | undefined;

  /** Requests routed here that hold no KV blocks yet (Vidur's `num_pending_requests`). */
  get numWaiting(): number {
    return this.waiting.length;
  }

  /** Requests holding KV blocks, including those in the executing batch. */
  get numRunning(): number {
    return this.kv.numRequestsWithBlocks;
  }

  /** Everything routed here and not finished. */
  get numOutstanding(): number {
    return this.waiting.length + this.kv.numRequestsWithBlocks;
  }

  get isIdle(): boolean {
    return this.numOutstanding === 0 && this.numRunningBatches === 0;
  }

  addRequest(request: Request, _now: number): void {
    request.status = 'waiting';
    request.replicaId = this.replicaId;
    this.waiting.push(request);
  }

  /** Forms the batches to start now: one, unless a batch is already executing. */
  schedule(now: number): Batch | undefined {
    if (this.numRunningBatches > 0) return undefined;
    this.steadyDecodeBatch = false;
    const batch = this.getNextBatch(now);
    if (batch !== undefined) this.numRunningBatches++;
    return batch;
  }

  /** Bookkeeping when a batch ends (requests have already advanced): free finished, keep the rest running. */
  onBatchEnd(batch: Batch, _now: number): void {
    this.numRunningBatches--;
    for (const request of batch.requests) {
      if (request.isFinished) this.kv.free(request.id);
      else this.running.push(request);
    }
  }

  /**
   * How many iterations of `batch` (just formed by `schedule`) can run back to back with the same
   * requests: 1 unless it is a steady decode batch; then until the first request finishes, or while
   * the KV growth of every later iteration leaves a block free (Vidur's decode admission test), at
   * most `maxSteps`.
   */
  decodeRunLength(batch: Batch, maxSteps: number): number {
    if (!this.steadyDecodeBatch) return 1;
    let steps = maxSteps;
    for (const r of batch.requests) steps = Math.min(steps, r.totalTokens - r.numProcessedTokens);
    if (!this.decodeGrowsKv || steps <= 1) return Math.max(1, steps);
    const free = this.kv.numFreeBlocks;
    const fits = (k: number): boolean => this.#blocksForDecodeRun(batch, k) <= free - 1;
    if (fits(steps)) return steps;
    let lo = 1; // fits(1) holds: step 1 is already allocated
    let hi = steps;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (fits(mid)) lo = mid;
      else hi = mid;
    }
    return lo;
  }

  /** Blocks that iterations 2..k of a decode run would add, given what each request holds now. */
  #blocksForDecodeRun(batch: Batch, k: number): number {
    let needed = 0;
    const size = this.kv.blockSize;
    for (const r of batch.requests) {
      // Iteration s is formed with numProcessedTokens + s − 1 tokens in the cache.
      needed += Math.max(0, Math.ceil((r.numProcessedTokens + k - 1) / size) - this.kv.blocksHeldBy(r.id));
    }
    return needed;
  }

  /** KV growth of iterations 2..steps of a decode run (their formation allocations, done at once). */
  advanceDecodeRun(batch: Batch, steps: number): void {
    if (!this.decodeGrowsKv) return;
    for (const r of batch.requests) {
      if (!this.kv.ensureCapacity(r.id, r.numProcessedTokens + steps - 1)) {
        throw new Error(
          `replica ${this.replicaId}: decode run of ${steps} iterations outgrew the KV cache (request ${r.id})`,
        );
      }
    }
  }

  // ---- helpers for subclasses -------------------------------------------------------------

  /** Tokens a request computes next if given an unlimited budget: its whole remaining prompt, or 1 decode token. */
  protected nextTokens(request: Request): number {
    return request.isPrefillComplete ? 1 : request.prefillTarget - request.numProcessedTokens;
  }

  /**
   * vLLM/Vidur admission test. A request holding nothing must fit its whole prompt and leave the
   * watermark free; a running request needs one free block to grow.
   */
  protected canAllocate(request: Request): boolean {
    if (!this.kv.holds(request.id)) return this.kv.canAdmit(this.kv.blocksFor(request.prefillTarget));
    return this.kv.canAppend(1);
  }

  /** Allocates what `canAllocate` checked: the whole prompt on admission, then a block when decode crosses one. */
  protected allocate(request: Request): void {
    if (!this.kv.holds(request.id)) {
      this.kv.allocate(request.id, this.kv.blocksFor(request.prefillTarget));
      return;
    }
    if (!this.kv.ensureCapacity(request.id, request.numProcessedTokens)) {
      throw new Error(
        `replica ${this.replicaId}: request ${request.id} could not grow its KV cache; call canAllocate first`,
      );
    }
  }

  /** Preemption by recompute: free the request's blocks and put it at the front of `waiting`. */
  protected preemptByRecompute(request: Request): void {
    this.kv.free(request.id);
    request.restart();
    this.waiting.unshift(request);
    this.numPreemptions++;
  }

  /**
   * Takes every request in `running` (oldest first) for this iteration. Requests in decode get a KV
   * slot for their next token; when a block is missing, the newest running request not yet taken is
   * preempted by recompute, or the request itself when none is left (vLLM/Vidur). Requests still in
   * their prefill are returned apart, untouched. At most `maxDecodes` decodes are taken; the
   * requests not examined stay in `running`.
   */
  protected takeRunning(maxDecodes: number): { decodes: Request[]; partialPrefills: Request[] } {
    const list = this.running;
    // Usually in order already (batches keep it); checking costs far less than sort, which copies the
    // list out and back (half of this method's time in a profile of the routing sweep).
    if (!isInArrivalOrder(list)) list.sort(byArrival);
    const decodes: Request[] = [];
    const partialPrefills: Request[] = [];
    let end = list.length; // list[end..] were preempted as victims
    let i = 0;
    for (; i < end && decodes.length < maxDecodes; i++) {
      const request = list[i]!;
      if (!request.isPrefillComplete) {
        partialPrefills.push(request);
        continue;
      }
      let fits = true;
      while (!this.canAllocate(request)) {
        if (end - 1 > i) {
          this.preemptByRecompute(list[--end]!);
        } else {
          this.preemptByRecompute(request);
          fits = false;
          break;
        }
      }
      if (!fits) {
        i++;
        break;
      }
      this.allocate(request);
      decodes.push(request);
    }
    this.running = list.slice(i, end);
    return { decodes, partialPrefills };
  }

  protected makeBatch(requests: Request[], numTokens: number[]): Batch | undefined {
    return requests.length === 0 ? undefined : new Batch(this.replicaId, requests, numTokens);
  }
}

/** Service order of running requests: arrival time, then id. */
export function byArrival(a: Request, b: Request): number {
  return a.arrivedAt - b.arrivedAt || a.id - b.id;
}

function isInArrivalOrder(list: readonly Request[]): boolean {
  for (let i = 1; i < list.length; i++) if (byArrival(list[i - 1]!, list[i]!) > 0) return false;
  return true;
}
