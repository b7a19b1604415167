import { describe, expect, it } from 'vitest';
import { DEVICES } from '../../sim/catalog/devices.js';
import { kvBytesPerToken, MODELS, parameterCount } from '../../sim/catalog/models.js';
import { KvBlockManager } from '../../sim/memory/kv-block-manager.js';
import { planKvMemory } from '../../sim/memory/memory-planner.js';

describe('catalog', () => {
  it('derives public parameter counts from the shapes', () => {
    expect(parameterCount(MODELS['llama-2-7b']) / 1e9).toBeCloseTo(6.74, 2);
    expect(parameterCount(MODELS['llama-3-8b']) / 1e9).toBeCloseTo(8.03, 2);
    expect(parameterCount(MODELS['codellama-34b']) / 1e9).toBeCloseTo(33.7, 1);
    expect(parameterCount(MODELS['llama-3-70b']) / 1e9).toBeCloseTo(70.6, 1);
  });

  it('computes KV bytes per token per GPU', () => {
    expect(kvBytesPerToken(MODELS['llama-2-7b'], 1)).toBe(512 * 1024);
    expect(kvBytesPerToken(MODELS['llama-3-8b'], 1)).toBe(128 * 1024);
    expect(kvBytesPerToken(MODELS['codellama-34b'], 2)).toBe(96 * 1024);
  });
});

describe('planKvMemory', () => {
  const base = { blockSize: 16, maxRequestTokens: 4096, memoryMarginFraction: 0.1 };

  it("gives Vidur's 7,424 blocks for Llama-2-7B on an 80 GB A100 at TP1", () => {
    const plan = planKvMemory({ ...base, model: MODELS['llama-2-7b'], device: DEVICES.a100, tensorParallel: 1 });
    expect(plan.numBlocks).toBe(7424);
    expect(plan.blockBytes).toBe(16 * 512 * 1024);
  });

  it('gives more blocks with more tensor parallelism and fewer on a smaller device', () => {
    const tp1 = planKvMemory({
      ...base,
      model: MODELS['llama-3-8b'],
      device: DEVICES.a100,
      tensorParallel: 1,
    }).numBlocks;
    const tp2 = planKvMemory({
      ...base,
      model: MODELS['llama-3-8b'],
      device: DEVICES.a100,
      tensorParallel: 2,
    }).numBlocks;
    const small = planKvMemory({
      ...base,
      model: MODELS['llama-3-8b'],
      device: DEVICES['a100-40gb'],
      tensorParallel: 1,
    }).numBlocks;
    expect(tp2).toBeGreaterThan(2 * tp1);
    expect(small).toBeLessThan(tp1);
  });

  it('explains when the weights do not fit', () => {
    expect(() =>
      planKvMemory({ ...base, model: MODELS['llama-3-70b'], device: DEVICES.a100, tensorParallel: 1 }),
    ).toThrow(/Raise --tp/);
  });
});

describe('KvBlockManager', () => {
  it('admits above the watermark and grows with any free block', () => {
    const kv = new KvBlockManager(100, 16, 0.1); // watermark 10 blocks
    expect(kv.watermarkBlocks).toBe(10);
    expect(kv.canAdmit(90)).toBe(true);
    expect(kv.canAdmit(91)).toBe(false);
    kv.allocate(1, 90);
    expect(kv.canAppend(10)).toBe(true);
    expect(kv.canAppend(11)).toBe(false);
  });

  it('never goes above capacity or below zero, and frees everything a request holds', () => {
    const kv = new KvBlockManager(10, 16, 0);
    kv.allocate(1, 4);
    kv.allocate(1, 2);
    kv.allocate(2, 4);
    expect(kv.numAllocatedBlocks).toBe(10);
    expect(() => kv.allocate(3, 1)).toThrow(/overflow/);
    expect(kv.free(1)).toBe(6);
    expect(kv.free(1)).toBe(0);
    expect(kv.numAllocatedBlocks).toBe(4);
    expect(kv.numRequestsWithBlocks).toBe(1);
    expect(() => kv.allocate(3, -1)).toThrow();
  });

  it('ensureCapacity adds only the missing blocks', () => {
    const kv = new KvBlockManager(4, 16, 0);
    expect(kv.ensureCapacity(7, 16)).toBe(true);
    expect(kv.blocksHeldBy(7)).toBe(1);
    expect(kv.ensureCapacity(7, 17)).toBe(true);
    expect(kv.blocksHeldBy(7)).toBe(2);
    expect(kv.ensureCapacity(7, 100)).toBe(false);
    expect(kv.blocksHeldBy(7)).toBe(2);
  });
});
