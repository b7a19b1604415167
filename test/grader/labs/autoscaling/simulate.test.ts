/**
 * The autoscaling cluster run: the parent's replay of recorded tune() decisions reproduces the run the
 * child made, and the autoscaler sees each request's decode length.
 */
import { describe, expect, it } from 'vitest';
import type { Autoscaler } from '../../../../sim/policies/autoscaler/autoscaler.js';
import { REPO_ROOT } from '../../../../sim/config/paths.js';
import { oracle } from '../../../../grader/labs/autoscaling/scenarios.js';
import { recordDecisions, ReplayAutoscaler } from '../../../../grader/kit/autoscaler-replay.js';
import { runMetrics, simulateCluster } from '../../../../grader/labs/autoscaling/simulate.js';
import { shippedShapeWorkload } from '../../../../grader/labs/autoscaling/workloads.js';

describe('replaying tune() decisions', () => {
  it('reproduces the autoscaler’s run exactly (cost, P90 and every replica change)', async () => {
    const { inferline } = await oracle.reference({ repoRoot: REPO_ROOT });
    const w = shippedShapeWorkload(5).requests;
    const n = w.arrivedAt.filter((t) => t < 900).length;
    const requests = {
      arrivedAt: w.arrivedAt.slice(0, n),
      numPrefillTokens: w.numPrefillTokens.slice(0, n),
      numDecodeTokens: w.numDecodeTokens.slice(0, n),
    };
    const rec = recordDecisions(new inferline.InferlineAutoscaler(inferline.INFERLINE_CONFIG));
    const original = simulateCluster(requests, { autoscaler: rec.autoscaler });
    const replayed = simulateCluster(requests, {
      autoscaler: new ReplayAutoscaler(rec.autoscaler.tuneInterval, rec.deltas),
    });
    expect(runMetrics(replayed)).toEqual(runMetrics(original));
    expect(replayed.replicaTimeline).toEqual(original.replicaTimeline);
    expect(rec.deltas.length).toBeGreaterThan(0);
  });

  it('refuses a tune interval outside 1–60 s', () => {
    expect(() => recordDecisions({ tuneInterval: 0.5, tune: () => 0 })).toThrow(/between 1 and 60, got 0.5/);
  });

  it('the autoscaler sees each request with its decode length', () => {
    const seen: number[] = [];
    const probe: Autoscaler = { tuneInterval: 5, onRequestArrival: (r) => seen.push(r.numDecodeTokens), tune: () => 0 };
    simulateCluster({ arrivedAt: [0, 1], numPrefillTokens: [10, 20], numDecodeTokens: [3, 4] }, { autoscaler: probe });
    expect(seen).toEqual([3, 4]);
  });
});
