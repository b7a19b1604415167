/**
 * Fidelity against Vidur's own output on its benchmark (issue 3 targets). Runs when
 * ../shared/vidur-data exists (CI has it) and prints the side-by-side table.
 */
import { describe, expect, it } from 'vitest';
import {
  formatRow, medianPerRequestError, readVidurRun, relErr, replayConfig, runServelab, TABLE_HEADER, type FidelityRouter,
} from '../../bench/fidelity.js';
import { HAS_VIDUR_DATA, needs, NO_VIDUR_DATA } from '../helpers-shared.js';

const TARGETS = { profiles: { mean: 0.05, p90: 0.1 }, fitted: { mean: 0.08, p90: 0.15 } } as const;

describe.skipIf(!HAS_VIDUR_DATA)(needs(HAS_VIDUR_DATA, 'fidelity: replaying Vidur\'s benchmark requests', NO_VIDUR_DATA), () => {
  const table: string[] = [TABLE_HEADER];

  for (const router of ['lor', 'round_robin'] as const satisfies readonly FidelityRouter[]) {
    for (const model of ['profiles', 'fitted'] as const) {
      it(`${router} with the ${model} model: mean e2e within ${TARGETS[model].mean * 100}%, P90 within ${TARGETS[model].p90 * 100}%`, () => {
        const vidur = readVidurRun(router);
        const ours = runServelab(replayConfig(router, model));
        if (model === 'profiles') table.push(formatRow(`Vidur ${router}`, vidur));
        table.push(formatRow(`servelab ${router} (${model})`, ours, vidur));
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

  it('prints the side-by-side table', () => {
    console.log(`\nservelab vs Vidur, Llama-2-7B / A100 / TP1 / 4 replicas / vllm, 2,072 replayed requests\n${table.join('\n')}`);
    expect(table.length).toBeGreaterThan(1);
  });
});
