import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEVICES } from '../../sim/catalog/devices.js';
import { MODELS, type ModelName } from '../../sim/catalog/models.js';
import { REPO_ROOT } from '../../sim/config/paths.js';
import { createExecutionModel } from '../../sim/predictor/factory.js';
import { BatchKeys } from '../../sim/predictor/batch-keys.js';
import { CALIBRATED_ROOFLINE, RooflineModel } from '../../sim/predictor/roofline.js';
import { batch, decode, HAS_PROFILES, prefill, PROFILES_DIR } from './batches.js';
import { needs, NO_VIDUR_DATA } from '../helpers-shared.js';

const relative = (roof: number, table: number): number => roof / table - 1;

describe('calibrated roofline vs the committed profile tables', () => {
  // Bounds quoted in docs/execution-model.md; the tables there list the errors per key.
  for (const name of ['llama-2-7b', 'llama-3-8b'] as const satisfies readonly ModelName[]) {
    const table = createExecutionModel({
      kind: 'fitted',
      model: MODELS[name],
      device: DEVICES.a100,
      tensorParallel: 1,
    });
    const roof = new RooflineModel(MODELS[name], DEVICES.a100, 1);

    it(`${name}: prefill 128…4096 tokens within 25 %`, () => {
      for (const n of [128, 256, 512, 1024, 2048, 4096])
        expect(Math.abs(relative(roof.batchTime(prefill(n)), table.batchTime(prefill(n))))).toBeLessThan(0.25);
    });

    it(`${name}: decode 1…128 requests at KV 256…3072 within 30 %`, () => {
      for (const b of [1, 8, 32, 64, 128]) {
        for (const kv of [256, 1024, 3072])
          expect(Math.abs(relative(roof.batchTime(decode(b, kv)), table.batchTime(decode(b, kv))))).toBeLessThan(0.3);
      }
    });
  }
});

describe('roofline behaviour', () => {
  const big = prefill(2048);

  it('gets faster with tensor parallelism and on H100, slower with more layers', () => {
    const m = MODELS['llama-3-70b'];
    const tp2 = new RooflineModel(m, DEVICES.a100, 2).batchTime(big);
    const tp4 = new RooflineModel(m, DEVICES.a100, 4).batchTime(big);
    const h100 = new RooflineModel(m, DEVICES.h100, 4).batchTime(big);
    expect(tp4).toBeLessThan(tp2);
    expect(h100).toBeLessThan(tp4);
    expect(new RooflineModel(MODELS['codellama-34b'], DEVICES['a100-40gb'], 2).batchTime(big)).toBeLessThan(tp2);
  });

  it('its constants are the calibrated values the hand-worked figures below use', () => {
    expect({ ...CALIBRATED_ROOFLINE }).toEqual({
      gemmCompute: 0.701,
      gemmMemory: 0.817,
      gemmFloorMs: 0.00529,
      gemmSharpness: 2.28,
      elementwiseMemory: 0.537,
      elementwiseFloorMs: 0.00361,
      decodeMemory: 0.756,
      decodeFloorMs: 0.0123,
      prefillCompute: 0.289,
      prefillHalfChunk: 51.9,
      prefillFloorMs: 0.017,
      allReduceLatencyMs: 0.0382,
      allReduceLinkFraction: 0.263,
    });
  });

  // Expected values worked out by hand (python, from docs/execution-model.md's formula) with the constants above
  // and the A100's 312 TFLOP/s and 2,039 GB/s; none is computed with the module's own helpers.
  it('follows Vidur’s formula on two decodes at KV 2000 and 2100 (ceil64 mean 2112): 10 % overhead on batched GQA attention only, × layers', () => {
    const keys = new BatchKeys();
    const two = batch([
      [2000, true, 1],
      [2100, true, 1],
    ]);
    // Llama-3-8B, one layer: token operators at ceil8(2) = 8 tokens 0.303121 ms; KV save of 2 tokens
    // (2·2·2·8 heads·128·2 = 16,384 bytes) 0.003625 ms; decode attention, memory-bound on 17,334,272 bytes,
    // 17,334,272 / (2,039e6 · 0.756) + 0.0123 = 0.023545 ms, × 1.1 for batched GQA.
    const gqa = new RooflineModel(MODELS['llama-3-8b'], DEVICES.a100, 1);
    expect(17_334_272 / (2039e6 * 0.756) + 0.0123).toBeCloseTo(0.0235452, 7);
    expect(gqa.layerMs(keys.read(two))).toBeCloseTo(0.303120765 + 0.003624963 + 1.1 * 0.023545185, 8);
    expect(gqa.layerMs(keys.read(two))).toBeCloseTo(0.332645432, 8);
    expect(gqa.batchTime(two)).toBeCloseTo(0.010644654, 8);
    // One decode: no batching overhead (KV save of one token 8,192 bytes).
    expect(gqa.layerMs(keys.read(decode(1, 2112)))).toBeCloseTo(0.324660839, 8);
    // Llama-2-7B (32 KV heads, MHA): no overhead even when batched; 69,238,784 bytes of KV read.
    const mha = new RooflineModel(MODELS['llama-2-7b'], DEVICES.a100, 1);
    expect(mha.layerMs(keys.read(two))).toBeCloseTo(0.284130291 + 0.003669853 + 0.057216966, 8);
  });

  it('rejects a TP that does not split the heads', () => {
    expect(() => new RooflineModel(MODELS['llama-3-8b'], DEVICES.a100, 3)).toThrow(
      /llama-3-8b has 32 query and 8 KV heads, which TP 3 cannot split evenly/,
    );
  });

  it.skipIf(!HAS_PROFILES)(
    needs(HAS_PROFILES, 'its constants are what the calibration script prints from ../shared', NO_VIDUR_DATA),
    () => {
      const r = spawnSync(
        process.execPath,
        ['--import', 'tsx', join(REPO_ROOT, 'sim/predictor/calibrate-roofline.ts'), PROFILES_DIR],
        { cwd: REPO_ROOT, encoding: 'utf8' },
      );
      expect(r.status).toBe(0);
      const printed = Object.fromEntries(
        [...r.stdout.matchAll(/^ {2}(\w+): ([\d.e+-]+),$/gm)].map((m) => [m[1]!, Number(m[2])]),
      );
      expect(printed).toEqual({ ...CALIBRATED_ROOFLINE });
    },
  );
});
