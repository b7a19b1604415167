/**
 * The CPU side of KV swapping (vLLM V0's `swap_space`): a pool of host-memory blocks that holds the KV
 * cache of requests preempted by swapping, until they are swapped back onto the GPU.
 *
 * Sizes follow vLLM: `swap_space` is GiB per GPU, and a block's bytes are per GPU (each tensor-parallel
 * shard swaps its own slice in parallel), so blocks = floor(swapSpace × 2³⁰ / block bytes per GPU).
 * CodeLlama-34B at TP 2: 1.5 MiB per block per GPU, so 16 GiB holds 10,922 blocks.
 *
 * The pool can fill up. vLLM V0 then raises ("Aborted due to the lack of CPU swap space"); servelab's
 * V0 scheduler asks `onSwapPoolFull` whether to raise the same way or fall back to recompute
 * (sim/policies/replica/vllm-v0-step-scheduler.ts, `--swap-pool-full`).
 *
 * Every transfer is also logged for the current scheduling step (`takeStepLog`), so the engine can
 * charge swap time from what actually moved rather than from what a policy says it moved.
 */

export interface BlockTransfer {
  readonly requestId: number;
  readonly numBlocks: number;
}

export interface SwapStepLog {
  readonly swappedOut: readonly BlockTransfer[];
  readonly swappedIn: readonly BlockTransfer[];
}

/** Blocks of `blockBytes` bytes that fit in `swapSpaceGiB` GiB (per GPU, like the block size). */
export function cpuBlocksFor(swapSpaceGiB: number, blockBytes: number): number {
  if (!(swapSpaceGiB >= 0) || !Number.isFinite(swapSpaceGiB))
    throw new RangeError(`swap space must be ≥ 0 GiB, got ${swapSpaceGiB}`);
  if (!(blockBytes > 0)) throw new RangeError(`block bytes must be > 0, got ${blockBytes}`);
  return Math.floor((swapSpaceGiB * 1024 ** 3) / blockBytes);
}

export class CpuSwapPool {
  readonly numBlocks: number;
  #allocated = 0;
  readonly #blocksByRequest = new Map<number, number>();
  #out: BlockTransfer[] = [];
  #in: BlockTransfer[] = [];
  /** Totals over the pool's life. */
  numSwapOuts = 0;
  numSwapIns = 0;
  numBlocksSwappedOut = 0;
  numBlocksSwappedIn = 0;

  constructor(numBlocks: number) {
    if (!Number.isInteger(numBlocks) || numBlocks < 0)
      throw new RangeError(`a CPU swap pool needs a whole number of blocks ≥ 0, got ${numBlocks}`);
    this.numBlocks = numBlocks;
  }

  get numAllocatedBlocks(): number {
    return this.#allocated;
  }

  get numFreeBlocks(): number {
    return this.numBlocks - this.#allocated;
  }

  /** Requests whose KV cache is on the CPU. */
  get numRequests(): number {
    return this.#blocksByRequest.size;
  }

  holds(requestId: number): boolean {
    return this.#blocksByRequest.has(requestId);
  }

  blocksHeldBy(requestId: number): number {
    return this.#blocksByRequest.get(requestId) ?? 0;
  }

  /** vLLM's `can_swap_out`: the request's blocks fit in what is free. */
  canSwapOut(numBlocks: number): boolean {
    return numBlocks <= this.numBlocks - this.#allocated;
  }

  /** Receives `numBlocks` blocks of `requestId` from the GPU. Throws when the pool is full: ask `canSwapOut` first. */
  swapOut(requestId: number, numBlocks: number): void {
    if (!Number.isInteger(numBlocks) || numBlocks <= 0)
      throw new RangeError(`cannot swap out ${numBlocks} blocks of request ${requestId}`);
    if (this.#blocksByRequest.has(requestId)) throw new Error(`request ${requestId} is already swapped out`);
    if (!this.canSwapOut(numBlocks)) {
      throw new Error(
        `CPU swap pool full: request ${requestId} needs ${numBlocks} blocks, ${this.numFreeBlocks} of ${this.numBlocks} are free ` +
          '(vLLM V0 would abort here; preempt by recompute instead, or raise --swap-space)',
      );
    }
    this.#allocated += numBlocks;
    this.#blocksByRequest.set(requestId, numBlocks);
    this.#out.push({ requestId, numBlocks });
    this.numSwapOuts++;
    this.numBlocksSwappedOut += numBlocks;
  }

  /** Releases `requestId`'s blocks as they go back to the GPU; returns how many. */
  swapIn(requestId: number): number {
    const blocks = this.#blocksByRequest.get(requestId);
    if (blocks === undefined) throw new Error(`request ${requestId} has no KV cache on the CPU to swap in`);
    this.#blocksByRequest.delete(requestId);
    this.#allocated -= blocks;
    this.#in.push({ requestId, numBlocks: blocks });
    this.numSwapIns++;
    this.numBlocksSwappedIn += blocks;
    return blocks;
  }

  /** The transfers since the last call (one scheduling step's), and a fresh log. */
  takeStepLog(): SwapStepLog {
    const log = { swappedOut: this.#out, swappedIn: this.#in };
    this.#out = [];
    this.#in = [];
    return log;
  }
}
