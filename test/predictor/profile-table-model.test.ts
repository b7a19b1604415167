import { describe, expect, it } from 'vitest';
import { DEVICES } from '../../sim/catalog/devices.js';
import { MODELS, type ModelName } from '../../sim/catalog/models.js';
import { createExecutionModel } from '../../sim/predictor/factory.js';
import { ProfileTableModel } from '../../sim/predictor/profile-table-model.js';
import { Rng } from '../../sim/workload/rng.js';
import { decode, HAS_PROFILES, prefill, PROFILES_DIR, randomBatches } from './batches.js';
import { needs, NO_VIDUR_DATA } from '../helpers-shared.js';

/** Worked examples of the research spec (Vidur's formula at exact profiled points), ms per batch. */
const WORKED: readonly { model: ModelName; prefill1024: number; decode32: number }[] = [
  { model: 'llama-2-7b', prefill1024: 76.89, decode32: 19.9 },
  { model: 'llama-3-8b', prefill1024: 95.57, decode32: 14.23 },
];

const fitted = (name: ModelName): ProfileTableModel =>
  createExecutionModel({
    kind: 'fitted',
    model: MODELS[name],
    device: DEVICES.a100,
    tensorParallel: 1,
  }) as ProfileTableModel;
const fromProfiles = (name: ModelName): ProfileTableModel =>
  ProfileTableModel.fromProfiles(PROFILES_DIR, { model: MODELS[name], device: 'a100', tensorParallel: 1 });
const ms = (seconds: number): number => seconds * 1000;
const relativeError = (a: number, b: number): number => Math.abs(a / b - 1);

describe('committed fitted tables', () => {
  for (const w of WORKED) {
    it(`${w.model}: worked examples within 3 %`, () => {
      const m = fitted(w.model);
      expect(m.name).toBe(`fitted:${w.model}:a100:tp1`);
      expect(relativeError(ms(m.batchTime(prefill(1024))), w.prefill1024)).toBeLessThan(0.03);
      expect(relativeError(ms(m.batchTime(decode(32, 1000))), w.decode32)).toBeLessThan(0.03);
    });

    it(`${w.model}: monotone in prefill length, decode batch size and KV length`, () => {
      const m = fitted(w.model);
      let last = 0;
      for (let n = 1; n <= 4096; n++) {
        const t = m.batchTime(prefill(n));
        expect(t).toBeGreaterThanOrEqual(last);
        last = t;
      }
      // Rows are simplified independently, so neighbouring rows may cross by up to the fit tolerance (1.5 %).
      for (let kv = 0; kv <= 4096; kv += 64) {
        last = 0;
        for (let b = 1; b <= 128; b++) {
          const t = m.batchTime(decode(b, kv));
          expect(t).toBeGreaterThanOrEqual(last * (1 - 0.015));
          last = t;
        }
      }
      for (const b of [1, 16, 100]) {
        last = 0;
        for (let kv = 0; kv <= 4096; kv += 16) {
          const t = m.batchTime(decode(b, kv));
          expect(t).toBeGreaterThanOrEqual(last);
          last = t;
        }
      }
    });
  }

  it('reports the profiled range', () => {
    expect(fitted('llama-2-7b').limits).toEqual({
      maxTokens: 4096,
      maxDecodeBatch: 128,
      maxDecodeKv: 4032,
      maxPrefillChunk: 4096,
      maxPrefillKv: 4032,
    });
    expect(fitted('llama-3-8b').limits.maxDecodeBatch).toBe(512);
  });
});

describe.skipIf(!HAS_PROFILES)(needs(HAS_PROFILES, 'tables built from ../shared profiles', NO_VIDUR_DATA), () => {
  for (const w of WORKED) {
    it(`${w.model}: worked examples within 1 %`, () => {
      const m = fromProfiles(w.model);
      expect(m.name).toBe(`profiles:${w.model}:a100:tp1`);
      expect(relativeError(ms(m.batchTime(prefill(1024))), w.prefill1024)).toBeLessThan(0.01);
      expect(relativeError(ms(m.batchTime(decode(32, 1000))), w.decode32)).toBeLessThan(0.01);
    });

    it(`${w.model}: committed tables agree with the full tables on random batches`, () => {
      const full = fromProfiles(w.model);
      const small = fitted(w.model);
      let worst = 0;
      let sum = 0;
      const batches = randomBatches(5000, 7);
      for (const b of batches) {
        const e = relativeError(small.batchTime(b), full.batchTime(b));
        worst = Math.max(worst, e);
        sum += e;
      }
      expect(worst).toBeLessThan(0.025);
      expect(sum / batches.length).toBeLessThan(0.005);
    });
  }

  it('Llama-2-7B: a 395-token prefill matches the spec (32.71 ms) and Vidur (32.55 ms) within 1 %', () => {
    const t = ms(fromProfiles('llama-2-7b').batchTime(prefill(395)));
    expect(relativeError(t, 32.71)).toBeLessThan(0.01);
    expect(relativeError(t, 32.55)).toBeLessThan(0.01);
  });
});

describe('batchTime and its caches', () => {
  // Its speed is measured by `npm run bench` (bench/), not asserted here: a wall-clock bound in a test is
  // one a loaded machine can break.
  it('gives the same time for a batch whatever the call history (200,000 calls in between)', () => {
    const m = fitted('llama-3-8b');
    const batches = randomBatches(1000, 3).filter((b) => b.requests.length <= 8);
    const first = batches.map((b) => m.batchTime(b));
    let sink = 0;
    for (let i = 0; i < 200_000; i++) sink += m.batchTime(batches[(i * 7919) % batches.length]!);
    expect(sink).toBeGreaterThan(0);
    expect(batches.map((b) => m.batchTime(b))).toEqual(first);
  });
});

describe.skipIf(!HAS_PROFILES)(needs(HAS_PROFILES, 'full tables are monotone', NO_VIDUR_DATA), () => {
  it.each(['llama-2-7b', 'llama-3-8b'] as const)('%s: in decode batch size at every KV length', (name) => {
    const m = fromProfiles(name);
    for (let kv = 0; kv <= 4096; kv += 64) {
      let last = 0;
      for (let b = 1; b <= 128; b++) {
        const t = m.batchTime(decode(b, kv));
        expect(t).toBeGreaterThanOrEqual(last);
        last = t;
      }
    }
  });
});

describe('ProfileTableModel.decodeRunTimes', () => {
  it('equals batchTime bit for bit on every iteration of random decode runs', () => {
    const rng = new Rng(5);
    for (const name of ['llama-2-7b', 'llama-3-8b'] as const) {
      const model = createExecutionModel({
        kind: 'fitted',
        model: MODELS[name],
        device: DEVICES.a100,
        tensorParallel: 1,
      });
      for (let trial = 0; trial < 40; trial++) {
        const n = rng.int(1, 128);
        const requests = Array.from({ length: n }, () => ({
          numProcessedTokens: rng.int(2, 3000),
          isPrefillComplete: true,
        }));
        const batch = { requests, numTokens: new Array<number>(n).fill(1) };
        const steps = 300;
        const out = new Float64Array(steps);
        model.decodeRunTimes!(batch, steps, out);
        for (let s = 0; s < steps; s++) {
          expect(out[s]).toBe(model.batchTime(batch));
          for (const r of requests) r.numProcessedTokens++;
        }
      }
    }
  });
});
