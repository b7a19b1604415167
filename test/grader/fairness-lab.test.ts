/**
 * The fairness lab through the whole grader: the reference gets 15/15 (and the same results.json on a
 * regrade), the untouched starter 0 without crashing anything, ./submit.sh's zip grades like the
 * folder, and the rubric's premises hold: the unit expectations are what the reference does, LCF fails
 * the returning-client checks and FCFS the overload ones. Mutants: fairness-mutants.test.ts.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../sim/config/paths.js';
import { loadLab } from '../../grader/labs/catalogue.js';
import { gradeSubmission } from '../../grader/core/grade.js';
import type { GradingResult } from '../../grader/core/types.js';
import { checkUnitCase, UNIT_ITEMS, unitCases } from '../../grader/labs/fairness/cases.js';
import { SchedulerKind } from '../../grader/labs/fairness/protocol.js';
import {
  checkValue,
  fairnessU,
  fcfsMetrics,
  judge,
  referenceMetrics,
  type RunMetrics,
} from '../../grader/labs/fairness/scenarios.js';
import { simulateScenario } from '../../grader/labs/fairness/simulate.js';
import { runUnitCase } from '../../grader/labs/fairness/situation.js';
import { scenarioRun, workload, WORKLOADS, type WorkloadKey } from '../../grader/labs/fairness/workloads.js';
import { GradescopeResults } from '../../grader/report/gradescope.js';
import { prepareSubmission } from '../../grader/submit/prepare.js';
import { ServiceRecorder } from '../../sim/metrics/fairness.js';
import * as refCost from '../../reference/fairness/service-cost.js';
import * as refVtc from '../../reference/fairness/vtc-replica-scheduler.js';
import * as refSarathi from '../../reference/fairness/vtc-sarathi-replica-scheduler.js';
import * as starterCost from '../../starter/fairness/service-cost.js';
import * as starterVtc from '../../starter/fairness/vtc-replica-scheduler.js';
import * as starterSarathi from '../../starter/fairness/vtc-sarathi-replica-scheduler.js';

const FILES = ['service-cost.ts', 'vtc-replica-scheduler.ts', 'vtc-sarathi-replica-scheduler.ts'];
const FULL = {
  'cost-prefill': 0.25,
  'cost-decode': 0.25,
  'vtc-arrival': 1,
  'vtc-on-off': 0.5,
  'vtc-batch-completion': 1,
  'vtc-select': 1,
  'vtc-next-batch': 1.5,
  'vtc-overload': 1,
  'vtc-weighted-short-long': 1,
  'sarathi-batch-completion': 1,
  'sarathi-select': 2,
  'sarathi-next-batch': 2,
  'sarathi-overload-on-off': 1.25,
  'sarathi-weighted-short-long': 1.25,
};

async function grade(
  submission: string,
  extra: { hiddenSeed?: number } = {},
): Promise<{ result: GradingResult; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'servelab-fairness-'));
  const result = await gradeSubmission({
    lab: await loadLab('fairness'),
    submission,
    outDir: dir,
    hiddenSeed: extra.hiddenSeed,
  });
  const results = GradescopeResults.parse(JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')));
  expect(results.tests).toHaveLength(14);
  expect(readFileSync(join(dir, 'report.html'), 'utf8')).toContain('<html');
  return { result, dir };
}
const scores = (r: GradingResult) => Object.fromEntries(r.items.map((i) => [i.id, i.score]));

describe('fairness lab, unit cases in process', () => {
  it('the expectations are what the reference does, for the public cases and hidden variants of several seeds', () => {
    const modules = { cost: refCost, vtc: refVtc, vtcSarathi: refSarathi };
    for (const seed of [42, 20261207, 1, 777, 31337]) {
      for (const item of UNIT_ITEMS) {
        for (const e of unitCases(item, seed))
          expect(checkUnitCase(e, runUnitCase(modules, e.case)), `${seed} ${item}: ${e.case.name}`).toEqual([]);
      }
    }
  });

  it('the starter fails every case: "not implemented" naming the method, or "not written yet" for a cost default', () => {
    const modules = { cost: starterCost, vtc: starterVtc, vtcSarathi: starterSarathi };
    for (const item of UNIT_ITEMS) {
      for (const e of unitCases(item, 42)) {
        const problems = checkUnitCase(e, runUnitCase(modules, e.case));
        const expected = item.startsWith('cost-')
          ? /not written yet: get\w+ \(the starter's default ran\) in starter\/fairness\/service-cost\.ts/
          : /not implemented: \w+/;
        expect(problems.join('\n'), `${item}: ${e.case.name}`).toMatch(expected);
      }
    }
  });
});

describe("fairness lab, the rubric's premises on the hidden workloads", () => {
  // Every scenario limit is at least twice the reference's own value or the paper's 2U (scenarios.ts judge()), so
  // "the reference passes" holds by construction; what makes a limit a test is that a wrong scheduler lands above it. Each
  // check an item scores (items.ts), under both scheduler kinds, is shown failing FCFS or LCF (no lift).
  const seed = 20261207;
  class VtcLcf extends refVtc.VtcReplicaScheduler {
    override updateCounterOnArrival(): void {}
  }
  class SarathiLcf extends refSarathi.VtcSarathiReplicaScheduler {
    override updateCounterOnArrival(): void {}
  }
  const verdict = async (kind: SchedulerKind, key: WorkloadKey, checkId: string, make: 'lcf' | 'fcfs') => {
    const def = workload(key);
    const run = scenarioRun(def, kind, seed);
    const check = def.checks.find((c) => c.id === checkId)!;
    let metrics: RunMetrics;
    if (make === 'fcfs') metrics = await fcfsMetrics(run);
    else {
      const recorder = new ServiceRecorder();
      const result = simulateScenario(run, (init) => (kind === 'vtc' ? new VtcLcf(init) : new SarathiLcf(init)), [
        recorder,
      ]);
      metrics = {
        duration: run.duration,
        log: recorder.log,
        clientId: result.requests.map((r) => r.clientId),
        arrivedAt: result.requests.map((r) => r.arrivedAt),
        ttft: result.requests.map((r) =>
          r.prefillCompletedAt === undefined ? undefined : r.prefillCompletedAt - r.arrivedAt,
        ),
      };
    }
    const reference = await referenceMetrics(run, REPO_ROOT);
    const fcfs = await fcfsMetrics(run);
    return judge(
      check,
      def,
      checkValue(check, metrics, def),
      checkValue(check, reference, def),
      checkValue(check, fcfs, def),
    );
  };

  // [scheduler kind, workload, check, the wrong scheduler its limit must reject]: every non-throughput check the
  // scenario items score (throughput is judged against FCFS itself, not the reference).
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

  it('the table lists every non-throughput check of every workload, under both scheduler kinds', () => {
    const all = WORKLOADS.flatMap((w) =>
      w.checks.filter((c) => c.kind !== 'throughput').map((c) => `${w.key}/${c.id}`),
    ).sort();
    for (const kind of SchedulerKind.options)
      expect(
        CONTRASTS.filter((c) => c[0] === kind)
          .map((c) => `${c[1]}/${c[2]}`)
          .sort(),
        kind,
      ).toEqual(all);
  });

  it.each(CONTRASTS)('%s, %s / %s: the limit taken from the reference rejects %s', async (kind, key, checkId, make) => {
    const v = await verdict(kind, key, checkId, make);
    expect(v.passed, `${make}: ${v.value} against the limit ${v.limit} (${v.rule})`).toBe(false);
  });

  it('judge() applies each rule to literal values: just inside passes, just outside fails', () => {
    const overload = workload('overload');
    const u = fairnessU(overload);
    const difference = overload.checks.find((c) => c.id === 'difference')!;
    // Reference 100, far below U: limit = min(2U, max(200, 100 + U)) = 100 + U.
    expect(judge(difference, overload, 100 + u, 100, 0)).toMatchObject({ passed: true, limit: 100 + u });
    expect(judge(difference, overload, 100 + u + 1, 100, 0).passed).toBe(false);
    // A reference above U: the limit is capped at the paper's 2U.
    expect(judge(difference, overload, 2 * u + 1, 1.5 * u, 0)).toMatchObject({ passed: false, limit: 2 * u });
    const weighted = workload('weighted');
    const shares = weighted.checks[0]!;
    expect(judge(shares, weighted, 0.1, 0.01, 0)).toMatchObject({ passed: true, limit: 0.1 });
    expect(judge(shares, weighted, 0.61, 0.3, 0)).toMatchObject({ passed: false, limit: 0.6 });
    const shift = workload('shift');
    const latency = shift.checks.find((c) => c.id === 'light-latency')!;
    expect(judge(latency, shift, 1.5, 0.5, 0)).toMatchObject({ passed: true, limit: 1.5 });
    expect(judge(latency, shift, 6.01, 3, 0)).toMatchObject({ passed: false, limit: 6 });
    const throughput = overload.checks.find((c) => c.id === 'throughput')!;
    expect(judge(throughput, overload, 950, 0, 1000)).toMatchObject({ passed: true, limit: 950 });
    expect(judge(throughput, overload, 949, 2000, 1000).passed).toBe(false);
  });
});

describe('fairness lab, graded end to end', () => {
  it('gives the reference 15/15, item by item, with plots, and the same results.json on a regrade', async () => {
    const first = await grade(join(REPO_ROOT, 'reference', 'fairness'));
    expect(first.result.internalError).toBeUndefined();
    expect(first.result.typeErrors).toEqual([]);
    expect(scores(first.result)).toEqual(FULL);
    expect(first.result.score).toBe(15);
    for (const item of first.result.items.filter((i) => i.kind === 'scenario')) {
      expect(
        item.plots?.map((p) => p.title),
        item.id,
      ).toEqual([
        expect.stringMatching(/^Service rate per client/),
        expect.stringMatching(/^Accumulated service difference/),
      ]);
    }
    const again = await grade(join(REPO_ROOT, 'reference', 'fairness'));
    expect(readFileSync(join(again.dir, 'results.json'), 'utf8')).toBe(
      readFileSync(join(first.dir, 'results.json'), 'utf8'),
    );
  });

  it('gives the untouched starter 0 without crashing the grader', async () => {
    const { result } = await grade(join(REPO_ROOT, 'starter', 'fairness'));
    expect(result.internalError).toBeUndefined();
    expect(result.score).toBe(0);
    for (const item of result.items) {
      expect(['failed', 'error'], item.id).toContain(item.verdict);
      // The cost functions' defaults (starter/fairness/service-cost.ts) fail their own checks as "not written yet".
      expect(`${item.message}\n${item.output}`, item.id).toMatch(
        item.id.startsWith('cost-') ? /not written yet: get\w+ \(the starter's default ran\)/ : /not implemented/,
      );
    }
  });

  it('grades exactly what ./submit.sh produces', async () => {
    // A checkout whose starter files are the reference's, packaged the way ./submit.sh does it.
    const repo = mkdtempSync(join(tmpdir(), 'servelab-fairness-repo-'));
    mkdirSync(join(repo, 'starter', 'fairness'), { recursive: true });
    for (const f of FILES)
      copyFileSync(join(REPO_ROOT, 'reference', 'fairness', f), join(repo, 'starter', 'fairness', f));
    const report = await prepareSubmission({
      repoRoot: repo,
      lab: 'fairness',
      files: FILES,
      studentDir: 'starter/fairness',
      outDir: repo,
      checkStub: false,
    });
    expect(report.errors).toEqual([]);
    expect(report.entries).toEqual(FILES.map((f) => `starter/fairness/${f}`));
    const { result } = await grade(report.zipPath!);
    expect(result.score).toBe(15);

    // The script itself, on the untouched stubs: a zip with the three files, which the grader accepts.
    const cwd = mkdtempSync(join(tmpdir(), 'servelab-fairness-submit-'));
    const { stdout } = await promisify(execFile)('bash', [join(REPO_ROOT, 'submit.sh'), 'fairness'], { cwd });
    expect(stdout).toMatch(/wrote .*fairness-submission\.zip \(3 files/);
    const stubs = await grade(join(cwd, 'fairness-submission.zip'));
    expect(stubs.result.items.every((i) => i.verdict !== 'missing-file')).toBe(true);
    expect(stubs.result.score).toBe(0);
  });
});
