/**
 * How many KV-cache blocks fit on one replica.
 *
 * Rule (Vidur's memory planner, reproduced in our own words): usable bytes per GPU =
 * memory × (1 − margin) − weights / TP, where weights are the decoder layers' matrices only
 * (Vidur leaves embeddings, LM head and norms inside the margin). The cache is sized in whole request slots of
 * `maxRequestTokens` tokens each, so blocks = floor(usable / slot bytes) × maxRequestTokens / blockSize.
 * For Llama-2-7B on an 80 GiB A100, TP1, margin 0.1, 4,096-token slots: 29 slots → 7,424 blocks,
 * the figure Vidur reports for its benchmark.
 */
import { kvBytesPerToken, linearParamsPerLayer, type ModelSpec } from '../catalog/models.js';
import type { DeviceSpec } from '../catalog/devices.js';
import { InputError } from '../errors.js';

export interface MemoryPlanInput {
  readonly model: ModelSpec;
  readonly device: DeviceSpec;
  readonly tensorParallel: number;
  readonly memoryMarginFraction: number;
  readonly blockSize: number;
  readonly maxRequestTokens: number;
}

export interface MemoryPlan {
  readonly numBlocks: number;
  readonly kvBytesPerToken: number;
  readonly blockBytes: number;
  readonly weightBytesPerGpu: number;
  readonly usableBytesPerGpu: number;
}

export function planKvMemory(input: MemoryPlanInput): MemoryPlan {
  const { model, device, tensorParallel, memoryMarginFraction, blockSize, maxRequestTokens } = input;
  const perToken = kvBytesPerToken(model, tensorParallel);
  const weightBytesPerGpu = (model.numLayers * linearParamsPerLayer(model) * model.dtypeBytes) / tensorParallel;
  const usableBytesPerGpu = device.memoryGiB * 1024 ** 3 * (1 - memoryMarginFraction) - weightBytesPerGpu;
  const slots = Math.floor(usableBytesPerGpu / (maxRequestTokens * perToken));
  if (slots < 1) {
    throw new InputError(
      `${model.name} on ${device.name} with TP ${tensorParallel} leaves no room for one ${maxRequestTokens}-token ` +
        `request: weights take ${(weightBytesPerGpu / 1024 ** 3).toFixed(1)} GiB per GPU of ${device.memoryGiB} GiB. ` +
        `Raise --tp, pick a larger device, or set --num-blocks explicitly.`,
    );
  }
  return {
    numBlocks: Math.floor((slots * maxRequestTokens) / blockSize),
    kvBytesPerToken: perToken,
    blockBytes: perToken * blockSize,
    weightBytesPerGpu,
    usableBytesPerGpu,
  };
}
