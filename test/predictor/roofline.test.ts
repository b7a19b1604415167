import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEVICES } from '../../sim/catalog/devices.js';
import { MODELS, type ModelName } from '../../sim/catalog/models.js';
import { REPO_ROOT } from '../../sim/config/paths.js';
import { createExecutionModel } from '../../sim/predictor/factory.js';
import { BatchKeys } from '../../sim/predictor/batch-keys.js';
import {
  CALIBRATED_ROOFLINE,
  decodeAttentionMs,
  kvSaveMs,
  layerShape,
  RooflineModel,
  rooflineDevice,
  tokenOpShapes,
  tokenOpsMs,
} from '../../sim/predictor/roofline.js';
import { batch, decode, HAS_PROFILES, prefill, PROFILES_DIR } from './batches.js';
import { needs, NO_VIDUR_DATA } from '../helpers-shared.js';

const relative = (roof: number, table: number): number => roof / table - 1;

describe('calibrated roofline vs the committed profile tables', () => {
  // Bounds quoted in docs/execution-model.md; the tables there list the errors per key.
  for (const name of ['llama-2-7b', 'llama-3-8b'] as const satisfies readonly ModelName[]) {
    const table = createExecutionModel({ kind: 'fitted', model: MODELS[name], device: DEVICES.a100, tensorParallel: 1 });
    const roof = new RooflineModel(MODELS[name], DEVICES.a100, 1);

    it(`${name}: prefill 128…4096 tokens within 25 %`, () => {
      for (const n of [128, 256, 512, 1024, 2048, 4096]) expect(Math.abs(relative(roof.batchTime(prefill(n)), table.batchTime(prefill(n))))).toBeLessThan(0.25);
    });

    it(`${name}: decode 1…128 requests at KV 256…3072 within 30 %`, () => {
      for (const b of [1, 8, 32, 64, 128]) {
        for (const kv of [256, 1024, 3072]) expect(Math.abs(relative(roof.batchTime(decode(b, kv)), table.batchTime(decode(b, kv))))).toBeLessThan(0.3);
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

  it('follows Vidur’s formula: 10 % overhead on batched GQA attention only, × layers', () => {
    const model = MODELS['llama-3-8b'];
    const r = new RooflineModel(model, DEVICES.a100, 1);
    const s = layerShape(model, 1);
    const dev = rooflineDevice(DEVICES.a100);
    const p = CALIBRATED_ROOFLINE;
    const tokens = tokenOpsMs(8, tokenOpShapes(s), dev, p);
    const keys = new BatchKeys();
    // Two decodes at KV 2000 and 2100: mean 2050 → ceil64 2112.
    const two = batch([
      [2000, true, 1],
      [2100, true, 1],
    ]);
    expect(r.layerMs(keys.read(two))).toBeCloseTo(tokens + kvSaveMs(2, s, dev, p) + 1.1 * decodeAttentionMs(2, 2112, s, dev, p), 12);
    expect(r.batchTime(two)).toBeCloseTo((r.layerMs(keys.read(two)) * 32) / 1000, 12);
    const one = decode(1, 2112);
    expect(r.layerMs(keys.read(one))).toBeCloseTo(tokens + kvSaveMs(1, s, dev, p) + decodeAttentionMs(1, 2112, s, dev, p), 12);
    const mha = new RooflineModel(MODELS['llama-2-7b'], DEVICES.a100, 1);
    const s2 = layerShape(MODELS['llama-2-7b'], 1);
    expect(mha.layerMs(keys.read(two))).toBeCloseTo(tokenOpsMs(8, tokenOpShapes(s2), dev, p) + kvSaveMs(2, s2, dev, p) + decodeAttentionMs(2, 2112, s2, dev, p), 12);
  });

  it('rejects a TP that does not split the heads', () => {
    expect(() => new RooflineModel(MODELS['llama-3-8b'], DEVICES.a100, 3)).toThrow(/llama-3-8b has 32 query and 8 KV heads, which TP 3 cannot split evenly/);
  });

  it.skipIf(!HAS_PROFILES)(needs(HAS_PROFILES, 'its constants are what the calibration script prints from ../shared', NO_VIDUR_DATA), () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'sim/predictor/calibrate-roofline.ts'), PROFILES_DIR], { cwd: REPO_ROOT, encoding: 'utf8' });
    expect(r.status).toBe(0);
    const printed = Object.fromEntries([...r.stdout.matchAll(/^ {2}(\w+): ([\d.e+-]+),$/gm)].map((m) => [m[1]!, Number(m[2])]));
    expect(printed).toEqual({ ...CALIBRATED_ROOFLINE });
  });
});
