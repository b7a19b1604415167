/**
 * The deadline lab through the whole grader: the reference gets full marks and beats EDF's capacity on
 * both hidden workloads, the untouched starter gets 0 without crashing the grader, and the lab's
 * server config file is the one the grader simulates.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../../../sim/config/paths.js';
import { gradeSubmission } from '../../../../grader/core/grade.js';
import type { GradingResult } from '../../../../grader/core/types.js';
import { GradescopeResults } from '../../../../grader/report/gradescope.js';
import {
  LAB_SERVER,
  OVERLOAD_QPS,
  capacityOf,
  drawWorkload,
  hiddenWorkloads,
  timelineWorkload,
  type WorkloadSpec,
} from '../../../../grader/labs/deadline/simulate.js';
import { atRate } from '../../../../sim/analysis/capacity.js';
import { fromWire } from '../../../../grader/kit/wire.js';
import { labManifest, loadLab } from '../../../../grader/labs/catalogue.js';
import { expectPublicTimelines } from '../public-timelines.js';
import { REPLICA_SCHEDULERS } from '../../../../sim/policies/replica/registry.js';
import { DeadlineScheduler } from '../../../../reference/deadline/deadline-scheduler.js';

const scores = (r: GradingResult) => Object.fromEntries(r.items.map((i) => [i.id, i.score]));
const FULL = {
  'priority-key': 2,
  'token-deadline': 1,
  'decode-order': 1,
  relegation: 2,
  'model-fit': 2,
  'dynamic-chunk': 3,
  schedule: 4,
  capacity: 3,
  overload: 2,
};

async function grade(submission: string): Promise<{ result: GradingResult; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'servelab-deadline-'));
  const result = await gradeSubmission({ lab: await loadLab('deadline'), submission, outDir: dir });
  const results = GradescopeResults.parse(JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')));
  expect(results.tests).toHaveLength(9);
  return { result, dir };
}

describe('deadline lab, graded end to end', () => {
  it('gives the reference full marks, beating EDF capacity on both hidden workloads, with plots and a public timeline', async () => {
    const { result, dir } = await grade(join(REPO_ROOT, 'reference', 'deadline'));
    expect(result.internalError).toBeUndefined();
    expect(scores(result)).toEqual(FULL);
    const capacity = result.items.find((i) => i.id === 'capacity')!;
    // Rows: workload, yours, reference, EDF, FCFS, points.
    const rows = capacity.output
      .split('\n')
      .filter((l) => /^(conv|code)\s/.test(l))
      .map((l) => l.trim().split(/\s+/));
    expect(rows).toHaveLength(2);
    for (const [, , ref, edf, fcfs] of rows) {
      expect(Number(ref)).toBeGreaterThan(Number(edf));
      expect(Number(edf)).toBeGreaterThan(Number(fcfs));
    }
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    for (const tier of [0, 1, 2]) expect(html).toContain(`Tier ${tier} violation rate vs QPS`);
    expect(html).toContain('Prompt tokens per iteration over time');
    // The overload item's timelines replay the public workload at its overload rate, none of the hidden ones.
    const arrivals = (spec: WorkloadSpec) => {
      const w = drawWorkload(spec);
      return atRate(fromWire(w), 1, OVERLOAD_QPS[w.lengths]).map((r) => r.arrivedAt);
    };
    const manifest = labManifest('deadline');
    expectPublicTimelines(
      dir,
      'overload',
      arrivals(timelineWorkload(manifest.publicSeed)),
      hiddenWorkloads(manifest.defaultHiddenSeed).flatMap(arrivals),
    );
  });

  it('gives the untouched starter 0 without a grader error, saying what is not implemented', async () => {
    const { result } = await grade(join(REPO_ROOT, 'starter', 'deadline'));
    expect(result.internalError).toBeUndefined();
    expect(result.score).toBe(0);
    expect(result.items.find((i) => i.id === 'priority-key')!.output).toMatch(
      /not written yet: .*comparePrefills.* \(the starter's simple default ran\)/,
    );
  });

  // The grader imports traces/deadline-lab.json (grader/labs/deadline/simulate.ts): the students' `npm run sim` of
  // that file runs their scheduler on the server the grader simulates.
  it('traces/deadline-lab.json runs the student scheduler on conversation lengths, with tier deadlines', () => {
    const file = JSON.parse(readFileSync(join(REPO_ROOT, 'traces', 'deadline-lab.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(file.replicaSchedulerModule).toBe('starter/deadline/deadline-scheduler.ts');
    expect([file.name, file.lengthsTrace]).toEqual(['deadline-lab', 'traces/conv.csv']);
    expect(LAB_SERVER.tierDeadlines.length).toBeGreaterThan(1);
  });

  // A sweep of 84 simulations (minutes on two cores): run it when changing the engine or the lab's server.
  it.runIf(process.env.SERVELAB_SWEEPS === '1').each([1, 31337])(
    'the reference beats EDF, and EDF FCFS, on the workloads of hidden seed %i too (SERVELAB_SWEEPS=1)',
    (seed) => {
      for (const spec of hiddenWorkloads(seed)) {
        const w = drawWorkload(spec);
        const ref = capacityOf(w, (init, options) => new DeadlineScheduler(init, options)).capacity;
        const edf = capacityOf(w, REPLICA_SCHEDULERS['sarathi-edf'].create).capacity;
        const fcfs = capacityOf(w, REPLICA_SCHEDULERS['sarathi-fcfs'].create).capacity;
        expect(ref, `${spec.lengths}: reference ${ref} vs EDF ${edf}`).toBeGreaterThan(edf);
        expect(edf).toBeGreaterThan(fcfs);
      }
    },
  );
});
