/**
 * KV-cache block accounting for one replica: how many blocks each request holds, and admission
 * checks with the 1 % watermark that vLLM, Sarathi-Serve and Vidur keep free for decode growth.
 */
export class KvBlockManager {
  readonly numBlocks: number;
  readonly blockSize: number;
  readonly watermarkBlocks: number;
  #allocated = 0;
  readonly #blocksByRequest = new Map<number, number>();

  constructor(numBlocks: number, blockSize: number, watermarkFraction: number) {
    if (!Number.isInteger(numBlocks) || numBlocks <= 0)
      throw new RangeError(`numBlocks must be a positive integer, got ${numBlocks}`);
    if (!Number.isInteger(blockSize) || blockSize <= 0)
      throw new RangeError(`blockSize must be a positive integer, got ${blockSize}`);
    this.numBlocks = numBlocks;
    this.blockSize = blockSize;
    this.watermarkBlocks = Math.floor(watermarkFraction * numBlocks);
  }

  get numAllocatedBlocks(): number {
    return this.#allocated;
  }

  get numFreeBlocks(): number {
    return this.numBlocks - this.#allocated;
  }

  /** Requests currently holding blocks (Vidur's `len(allocation_map)`, what `batch_size_cap` limits). */
  get numRequestsWithBlocks(): number {
    return this.#blocksByRequest.size;
  }

  blocksFor(tokens: number): number {
    return Math.ceil(tokens / this.blockSize);
  }

  blocksHeldBy(requestId: number): number {
    return this.#blocksByRequest.get(requestId) ?? 0;
  }

  holds(requestId: number): boolean {
    return this.#blocksByRequest.has(requestId);
  }

  /** Admission test for a request that holds nothing yet: the watermark must stay free afterwards. */
  canAdmit(numBlocks: number): boolean {
    return this.numBlocks - this.#allocated - numBlocks >= this.watermarkBlocks;
  }

  /** Growth test for a running request: any free block will do (vLLM's can_append_slot). */
  canAppend(numBlocks = 1): boolean {
    return this.numBlocks - this.#allocated >= numBlocks;
  }

  allocate(requestId: number, numBlocks: number): void {
    if (!Number.isInteger(numBlocks) || numBlocks < 0) throw new RangeError(`cannot allocate ${numBlocks} blocks`);
    if (this.#allocated + numBlocks > this.numBlocks) {
      throw new Error(
        `KV cache overflow: request ${requestId} asked for ${numBlocks} blocks with ${this.numFreeBlocks} of ${this.numBlocks} free`,
      );
    }
    this.#allocated += numBlocks;
    this.#blocksByRequest.set(requestId, (this.#blocksByRequest.get(requestId) ?? 0) + numBlocks);
  }

  /** Makes sure `requestId` holds enough blocks for `tokens` tokens; returns false if that needs more than is free. */
  ensureCapacity(requestId: number, tokens: number): boolean {
    const missing = this.blocksFor(tokens) - this.blocksHeldBy(requestId);
    if (missing <= 0) return true;
    if (!this.canAppend(missing)) return false;
    this.allocate(requestId, missing);
    return true;
  }

  /** Releases every block of a request; freeing a request that holds nothing is a no-op. */
  free(requestId: number): number {
    const blocks = this.#blocksByRequest.get(requestId);
    if (blocks === undefined) return 0;
    this.#blocksByRequest.delete(requestId);
    this.#allocated -= blocks;
    return blocks;
  }
}
