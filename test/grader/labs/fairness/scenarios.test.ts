/**
 * The fairness scenario items' premises on the hidden workloads: every limit is taken from the
 * reference (at least twice its value, or the paper's 2U), so the reference passes by construction;
 * what makes a limit a test is that a wrong scheduler lands beyond it. Each check an item scores, under
 * both parts, is shown failing FCFS or LCF (VTC without the counter lift). Also: judge() on literal
 * values, and `npm run try -- fairness` on the reference and on the stubs.
 */
import { describe, expect, it } from 'vitest';
import { REPLICA_SCHEDULERS } from '../../../../sim/policies/replica/registry.js';
import { checkValue, judge, summarize, type RunSummary } from '../../../../grader/labs/fairness/scenarios.js';
import { SchedulerKind } from '../../../../grader/labs/fairness/schemas.js';
import { fairnessTry } from '../../../../grader/labs/fairness/try.js';
import {
  fairnessU,
  scenarioRun,
  workload,
  WORKLOADS,
  type SchedulerFactory,
  type WorkloadKey,
} from '../../../../grader/labs/fairness/workloads.js';
import { REPO_ROOT } from '../../../../sim/config/paths.js';
import { VtcReplicaScheduler } from '../../../../reference/fairness/vtc-replica-scheduler.js';
import { VtcSarathiReplicaScheduler } from '../../../../reference/fairness/vtc-sarathi-replica-scheduler.js';

const SEED = 20261207;
class VtcLcf extends VtcReplicaScheduler {
  override updateCounterOnArrival(): void {}
}
class SarathiLcf extends VtcSarathiReplicaScheduler {
  override updateCounterOnArrival(): void {}
}
const SCHEDULERS: Record<'reference' | 'lcf' | 'fcfs', Record<SchedulerKind, SchedulerFactory>> = {
  reference: { vtc: (i) => new VtcReplicaScheduler(i), 'vtc-sarathi': (i) => new VtcSarathiReplicaScheduler(i) },
  lcf: { vtc: (i) => new VtcLcf(i), 'vtc-sarathi': (i) => new SarathiLcf(i) },
  fcfs: { vtc: REPLICA_SCHEDULERS.vllm.create, 'vtc-sarathi': REPLICA_SCHEDULERS.sarathi.create },
};
const runs = new Map<string, RunSummary>();
function measured(who: keyof typeof SCHEDULERS, kind: SchedulerKind, key: WorkloadKey): RunSummary {
  const id = `${who} ${kind} ${key}`;
  if (!runs.has(id)) runs.set(id, summarize(scenarioRun(workload(key), kind, SEED), SCHEDULERS[who][kind]));
  return runs.get(id)!;
}

// [part, workload, check, the wrong scheduler its limit must reject]: every non-throughput check the scenario items score
// (throughput is judged against FCFS itself, not the reference).
const CONTRASTS: readonly (readonly [SchedulerKind, WorkloadKey, string, 'lcf' | 'fcfs'])[] = [
  ['vtc', 'on-off', 'returning', 'lcf'],
  ['vtc', 'shift', 'after-shift', 'lcf'],
  ['vtc', 'overload', 'difference', 'fcfs'],
  ['vtc', 'shift', 'light-latency', 'fcfs'],
  ['vtc', 'weighted', 'shares', 'fcfs'],
  ['vtc', 'short-long', 'difference', 'fcfs'],
  ['vtc-sarathi', 'on-off', 'returning', 'lcf'],
  ['vtc-sarathi', 'shift', 'after-shift', 'lcf'],
  ['vtc-sarathi', 'overload', 'difference', 'fcfs'],
  ['vtc-sarathi', 'shift', 'light-latency', 'fcfs'],
  ['vtc-sarathi', 'weighted', 'shares', 'fcfs'],
  ['vtc-sarathi', 'short-long', 'difference', 'fcfs'],
];

describe("fairness lab, the rubric's premises on the hidden workloads", () => {
  it('the table lists every non-throughput check of every workload, under both parts', () => {
    const all = WORKLOADS.flatMap((w) =>
      w.checks.filter((c) => c.kind !== 'throughput').map((c) => `${w.key}/${c.id}`),
    );
    for (const kind of SchedulerKind.options)
      expect(
        CONTRASTS.filter((c) => c[0] === kind)
          .map((c) => `${c[1]}/${c[2]}`)
          .sort(),
        kind,
      ).toEqual(all.sort());
  });

  it.each(CONTRASTS)('%s, %s / %s: the limit taken from the reference rejects %s', (kind, key, checkId, wrong) => {
    const def = workload(key);
    const check = def.checks.find((c) => c.id === checkId)!;
    const [value, reference, fcfs] = [wrong, 'reference', 'fcfs'].map((who) =>
      checkValue(measured(who as keyof typeof SCHEDULERS, kind, key), check),
    ) as [number, number, number];
    const v = judge(check, def, value, reference, fcfs);
    expect(v.passed, `${wrong}: ${value} against the limit ${v.limit}`).toBe(false);
  });

  it('judge() applies each rule to literal values: just inside passes, just outside fails', () => {
    const overload = workload('overload');
    const u = fairnessU(overload);
    const difference = overload.checks.find((c) => c.id === 'difference')!;
    // Reference 100, far below U: limit = min(2U, max(200, 100 + U)) = 100 + U.
    expect(judge(difference, overload, 100 + u, 100, 0)).toEqual({ passed: true, limit: 100 + u });
    expect(judge(difference, overload, 100 + u + 1, 100, 0).passed).toBe(false);
    // Capped at the paper's 2U, but never within U/2 of a reference that comes near it (seed 19's shift).
    expect(judge(difference, overload, 2 * u + 1, 1.2 * u, 0).passed).toBe(false);
    expect(judge(difference, overload, 2.2 * u, 1.8 * u, 0)).toEqual({ passed: true, limit: 2.3 * u });
    expect(judge(difference, overload, 2.3 * u + 1, 1.8 * u, 0).passed).toBe(false);
    // A reference above U: the limit is capped at the paper's 2U.
    expect(judge(difference, overload, 2 * u + 1, 1.5 * u, 0)).toEqual({ passed: false, limit: 2 * u });
    const weighted = workload('weighted');
    const shares = weighted.checks[0]!;
    expect(judge(shares, weighted, 0.1, 0.01, 0)).toEqual({ passed: true, limit: 0.1 });
    expect(judge(shares, weighted, 0.61, 0.3, 0)).toEqual({ passed: false, limit: 0.6 });
    const shift = workload('shift');
    const latency = shift.checks.find((c) => c.id === 'light-latency')!;
    expect(judge(latency, shift, 1.5, 0.5, 0)).toEqual({ passed: true, limit: 1.5 });
    expect(judge(latency, shift, 6.01, 3, 0)).toEqual({ passed: false, limit: 6 });
    const throughput = overload.checks.find((c) => c.id === 'throughput')!;
    expect(judge(throughput, overload, 950, 0, 1000)).toEqual({ passed: true, limit: 950 });
    expect(judge(throughput, overload, 949, 2000, 1000).passed).toBe(false);
  });
});

describe('npm run try -- fairness', () => {
  it('measures every row for the reference, and says which part failed for the stubs', async () => {
    const reference = fairnessTry.measure(await fairnessTry.load(`${REPO_ROOT}/reference/fairness`), 42);
    expect(reference.errors).toEqual([]);
    expect(Object.keys(reference.values).sort()).toEqual([...fairnessTry.rows(42)].sort());
    expect(fairnessTry.format('part 1, overload: service per second vs FCFS', 2251.4)).toBe('2251/s');
    expect(
      fairnessTry.format('part 2, weighted 1:2:3:4: service per unit of weight, all four clients, after 30 s', 0.012),
    ).toBe('1.2%');
    const stubs = fairnessTry.measure(await fairnessTry.load(`${REPO_ROOT}/starter/fairness`), 42);
    expect(stubs.values).toEqual({});
    expect(stubs.errors.join('\n')).toMatch(/^part 1, overload: not implemented: VtcReplicaScheduler\.\w+/m);
    expect(stubs.errors.join('\n')).toMatch(/^part 2, overload: not implemented: VtcSarathiReplicaScheduler\.\w+/m);
  });
});
