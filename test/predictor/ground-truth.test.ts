/**
 * Batch times against Vidur's own output on the same profiles (../shared/vidur-data/ground-truth,
 * round-robin run): requests that met no other request on their replica ran as one prefill batch
 * followed by single-request decode batches, so their times test the predictor alone.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEVICES } from '../../sim/catalog/devices.js';
import { MODELS } from '../../sim/catalog/models.js';
import type { ExecutionTimeModel } from '../../sim/predictor/execution-time-model.js';
import { createExecutionModel } from '../../sim/predictor/factory.js';
import { ProfileTableModel } from '../../sim/predictor/profile-table-model.js';
import { needs, NO_VIDUR_DATA, VIDUR_DATA } from '../helpers-shared.js';
import { decode, HAS_PROFILES, prefill, PROFILES_DIR } from './batches.js';

const GROUND_TRUTH = join(VIDUR_DATA, 'ground-truth');
const METRICS = join(GROUND_TRUTH, 'llama2-7b_a100_4rep_vllm_round_robin_poisson2qps_1000s.request_metrics.csv');
const REPLICAS = 4;

interface Observed {
  readonly prefillTokens: number;
  readonly decodeTokens: number;
  readonly arrivedAt: number;
  readonly e2e: number;
  readonly prefillE2e: number;
  readonly schedulingDelay: number;
}

function observed(): Map<number, Observed> {
  const requests = parse(readFileSync(join(GROUND_TRUTH, 'benchmark.requests.csv'), 'utf8'), {
    columns: true,
  }) as Record<string, string>[];
  const metrics = parse(readFileSync(METRICS, 'utf8'), { columns: true }) as Record<string, string>[];
  const out = new Map<number, Observed>();
  for (const m of metrics) {
    if (m.request_e2e_time === '') continue;
    const id = Number(m['Request Id']);
    const r = requests[id]!;
    out.set(id, {
      prefillTokens: Number(r.num_prefill_tokens),
      decodeTokens: Number(r.num_decode_tokens),
      arrivedAt: Number(r.arrived_at),
      e2e: Number(m.request_e2e_time),
      prefillE2e: Number(m.prefill_e2e_time),
      schedulingDelay: Number(m.request_scheduling_delay),
    });
  }
  return out;
}

/** Requests whose [arrival, finish] overlapped no other request on their round-robin replica. */
function alone(all: Map<number, Observed>): number[] {
  return [...all.keys()].filter((id) => {
    const a = all.get(id)!;
    const end = a.arrivedAt + a.e2e;
    for (const [other, b] of all) {
      if (other === id || other % REPLICAS !== id % REPLICAS) continue;
      if (b.arrivedAt < end && a.arrivedAt < b.arrivedAt + b.e2e) return false;
    }
    return true;
  });
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const HAVE_GROUND_TRUTH = HAS_PROFILES && existsSync(METRICS);

describe.skipIf(!HAVE_GROUND_TRUTH)(
  needs(HAVE_GROUND_TRUTH, "Vidur's ground truth (Llama-2-7B, A100, TP 1)", NO_VIDUR_DATA),
  () => {
    // Read in beforeAll, never while collecting: vitest runs a skipped describe's body too.
    let all = new Map<number, Observed>();
    let lone: number[] = [];
    beforeAll(() => {
      all = observed();
      lone = alone(all);
    });
    const models: [string, () => ExecutionTimeModel, number, number][] = [
      [
        'profiles',
        () =>
          ProfileTableModel.fromProfiles(PROFILES_DIR, {
            model: MODELS['llama-2-7b'],
            device: 'a100',
            tensorParallel: 1,
          }),
        0.01,
        0.005,
      ],
      [
        'fitted',
        () =>
          createExecutionModel({
            kind: 'fitted',
            model: MODELS['llama-2-7b'],
            device: DEVICES.a100,
            tensorParallel: 1,
          }),
        0.015,
        0.015,
      ],
    ];

    it('has enough undisturbed requests to test', () => {
      expect(lone.length).toBeGreaterThan(300);
    });

    for (const [kind, make, prefillTolerance, e2eTolerance] of models) {
      it(`${kind}: prefill of requests that were not queued, median error < ${prefillTolerance * 100} %`, () => {
        const m = make();
        const errors = [...all.values()]
          .filter((o) => o.schedulingDelay === 0)
          .map((o) => Math.abs(m.batchTime(prefill(o.prefillTokens)) / o.prefillE2e - 1));
        expect(errors.length).toBeGreaterThan(500);
        expect(median(errors)).toBeLessThan(prefillTolerance);
      });

      it(`${kind}: end-to-end time of requests that ran alone, median error < ${e2eTolerance * 100} %`, () => {
        const m = make();
        const errors = lone.map((id) => {
          const o = all.get(id)!;
          // The prefill iteration yields the first output token; each later token is one decode iteration at KV P + j.
          let t = m.batchTime(prefill(o.prefillTokens));
          for (let j = 1; j < o.decodeTokens; j++) t += m.batchTime(decode(1, o.prefillTokens + j));
          return Math.abs(t / o.e2e - 1);
        });
        expect(median(errors)).toBeLessThan(e2eTolerance);
      });
    }
  },
);
