/**
 * What a KV swap costs in vLLM V0. Its cache engine copies each block once per layer and separately
 * for K and V (`CacheEngine.swap_in/out` → `swap_blocks` once per layer and per K/V tensor, one
 * `cudaMemcpyAsync` per block), so moving `b` blocks is `2 × layers × b` small copies driven from the
 * host, each paying a fixed launch cost on top of its bytes:
 *
 *     seconds = b × copiesPerBlock × (copyOverhead + bytesPerCopy / bandwidth)
 *     copiesPerBlock = 2 × layers,   bytesPerCopy = blockBytesPerGpu / copiesPerBlock
 *
 * The fixed cost is what makes swapping expensive for small blocks: vLLM PR #11531 measured the per-block
 * `swap_blocks` loop on an A100-40GB SXM at 3.1 GB/s for 1,250 blocks against 12.6 GB/s for one kernel that
 * moves them all. With 32 KiB copies (one layer's K or V of a 16-token block of an 8-KV-head,
 * 128-dim fp16 model) and 25 GB/s of PCIe, 3.1 GB/s is 10.5 µs per copy: 1.3 µs of bytes and about
 * 9 µs of fixed cost, servelab's default (`--swap-copy-overhead`, docs/execution-model.md).
 */

export interface SwapCostModel {
  /** KV bytes of one block on one GPU (all layers, K and V). */
  readonly blockBytesPerGpu: number;
  /** Host↔device bandwidth per GPU, GB/s (10⁹ bytes). */
  readonly bandwidthGBs: number;
  /** Copies per block: 2 × layers in vLLM V0 (1 treats a block as one contiguous copy). */
  readonly copiesPerBlock: number;
  /** Fixed cost of each copy, seconds. */
  readonly copyOverheadSeconds: number;
}

/** vLLM V0's default fixed cost per host↔device copy, seconds (calibration in the header). */
export const DEFAULT_SWAP_COPY_OVERHEAD_SECONDS = 9e-6;

/** Seconds to move `numBlocks` blocks one way. */
export function swapSeconds(numBlocks: number, model: SwapCostModel): number {
  if (numBlocks <= 0) return 0;
  const copies = numBlocks * model.copiesPerBlock;
  return copies * model.copyOverheadSeconds + (numBlocks * model.blockBytesPerGpu) / (model.bandwidthGBs * 1e9);
}
