/**
 * Fidelity against Vidur's own output on its benchmark (issue 3 targets). Runs when
 * ../shared/vidur-data exists (CI has it) and prints the side-by-side table. Each run is computed once
 * (memoised) by whichever test needs it first, so the tests pass or fail the same in any order or alone.
 */
import { describe, expect, it } from 'vitest';
import {
  formatRow,
  medianPerRequestError,
  readVidurRun,
  relErr,
  replayConfig,
  runServelab,
  TABLE_HEADER,
  type FidelityRouter,
  type ServelabRun,
  type VidurRun,
} from '../../bench/fidelity.js';
import { HAS_VIDUR_DATA, needs, NO_VIDUR_DATA } from '../helpers-shared.js';

const TARGETS = { profiles: { mean: 0.05, p90: 0.1 }, fitted: { mean: 0.08, p90: 0.15 } } as const;
const ROUTERS = ['lor', 'round_robin'] as const satisfies readonly FidelityRouter[];
const MODELS = ['profiles', 'fitted'] as const;
type Model = (typeof MODELS)[number];

const memo = new Map<string, VidurRun | ServelabRun>();
const vidurRun = (router: FidelityRouter) =>
  (memo.get(router) ?? memo.set(router, readVidurRun(router)).get(router)!) as VidurRun;
const servelabRun = (router: FidelityRouter, model: Model) =>
  (memo.get(`${router}/${model}`) ??
    memo.set(`${router}/${model}`, runServelab(replayConfig(router, model))).get(`${router}/${model}`)!) as ServelabRun;

describe('fidelity table format', () => {
  it('formatRow prints each figure to 3 decimals and, against a reference row, its relative error in %', () => {
    const ref = { completed: 10, meanE2e: 2, p50: 1, p90: 4, p99: 8, meanTtft: 0.5 };
    const ours = { completed: 9, meanE2e: 2.1, p50: 0.95, p90: 4, p99: 8.8, meanTtft: 0.25 };
    expect(formatRow('Vidur', ref)).toBe('| Vidur | 10 | 2.000 | 1.000 | 4.000 | 8.000 | 0.500 |');
    expect(formatRow('ours', ours, ref)).toBe(
      '| ours | 9 | 2.100 (5.0%) | 0.950 (-5.0%) | 4.000 (0.0%) | 8.800 (10.0%) | 0.250 (-50.0%) |',
    );
  });
});

describe.skipIf(!HAS_VIDUR_DATA)(
  needs(HAS_VIDUR_DATA, "fidelity: replaying Vidur's benchmark requests", NO_VIDUR_DATA),
  () => {
    for (const router of ROUTERS) {
      for (const model of MODELS) {
        it(`${router} with the ${model} model: mean e2e within ${TARGETS[model].mean * 100}%, P90 within ${TARGETS[model].p90 * 100}%`, () => {
          const vidur = vidurRun(router);
          const ours = servelabRun(router, model);
          expect(Math.abs(relErr(ours.meanE2e, vidur.meanE2e))).toBeLessThanOrEqual(TARGETS[model].mean);
          expect(Math.abs(relErr(ours.p90, vidur.p90))).toBeLessThanOrEqual(TARGETS[model].p90);
          expect(Math.abs(ours.completed - vidur.completed)).toBeLessThanOrEqual(5);
          // Per request, not just in aggregate: half the requests are within 3% of Vidur's e2e.
          expect(medianPerRequestError(ours.e2eById, vidur.e2eById)).toBeLessThan(0.03);
          if (router === 'lor') {
            // Vidur's lor sends ~1,995 of 2,072 requests to replica 0 (it counts queued requests only).
            expect(Math.abs(relErr(ours.requestsPerReplica['0']!, 1995))).toBeLessThanOrEqual(0.05);
          } else {
            for (const n of Object.values(ours.requestsPerReplica)) expect(n).toBe(518);
          }
        });
      }
    }

    it('prints the side-by-side table: a Vidur row and two servelab rows per router, each servelab error within its target', () => {
      const rows: string[] = [];
      for (const router of ROUTERS) {
        const vidur = vidurRun(router);
        rows.push(formatRow(`Vidur ${router}`, vidur));
        expect(vidur.completed, `Vidur ${router} completed`).toBeGreaterThan(2000);
        for (const model of MODELS) {
          const row = formatRow(`servelab ${router} (${model})`, servelabRun(router, model), vidur);
          rows.push(row);
          // Columns: run, completed, mean e2e, P50, P90, P99, mean TTFT; the % in parentheses is against Vidur.
          const cells = row
            .split('|')
            .slice(1, -1)
            .map((c) => c.trim());
          const pct = (cell: string) => Number(/\((-?\d+\.\d)%\)$/.exec(cell)?.[1]);
          expect(Math.abs(pct(cells[2]!)), `${router}/${model} mean e2e`).toBeLessThanOrEqual(
            100 * TARGETS[model].mean,
          );
          expect(Math.abs(pct(cells[4]!)), `${router}/${model} P90`).toBeLessThanOrEqual(100 * TARGETS[model].p90);
        }
      }
      expect(rows).toHaveLength(ROUTERS.length * (1 + MODELS.length));
      console.log(
        `\nservelab vs Vidur, Llama-2-7B / A100 / TP1 / 4 replicas / vllm, 2,072 replayed requests\n${TABLE_HEADER}\n${rows.join('\n')}`,
      );
    });
  },
);
