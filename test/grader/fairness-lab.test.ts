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
import { gradeSubmission } from '../../grader/core/grade.js';
import type { GradingResult } from '../../grader/core/types.js';
import { checkUnitCase, UNIT_ITEMS, unitCases } from '../../grader/labs/fairness/cases.js';
import { checkValue, fcfsMetrics, judge, referenceMetrics, type RunMetrics } from '../../grader/labs/fairness/scenarios.js';
import { simulateScenario } from '../../grader/labs/fairness/simulate.js';
import { runUnitCase } from '../../grader/labs/fairness/situation.js';
import { scenarioRun, workload, type WorkloadKey } from '../../grader/labs/fairness/workloads.js';
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
  'cost-prefill': 0.25, 'cost-decode': 0.25, 'vtc-arrival': 1, 'vtc-on-off': 0.5, 'vtc-batch-completion': 1, 'vtc-select': 1, 'vtc-next-batch': 1.5,
  'vtc-overload': 1, 'vtc-weighted-short-long': 1, 'sarathi-batch-completion': 1, 'sarathi-select': 2, 'sarathi-next-batch': 2,
  'sarathi-overload-on-off': 1.25, 'sarathi-weighted-short-long': 1.25,
};

async function grade(submission: string, extra: { hiddenSeed?: number } = {}): Promise<{ result: GradingResult; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'servelab-fairness-'));
  const result = await gradeSubmission({ lab: 'fairness', submission, outDir: dir, hiddenSeed: extra.hiddenSeed });
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
        for (const e of unitCases(item, seed)) expect(checkUnitCase(e, runUnitCase(modules, e.case)), `${seed} ${item}: ${e.case.name}`).toEqual([]);
      }
    }
  });

  it('the starter fails every case with a "not implemented" message naming the method and line', () => {
    const modules = { cost: starterCost, vtc: starterVtc, vtcSarathi: starterSarathi };
    for (const item of UNIT_ITEMS) {
      for (const e of unitCases(item, 42)) {
        const problems = checkUnitCase(e, runUnitCase(modules, e.case));
        expect(problems.join('\n'), `${item}: ${e.case.name}`).toMatch(/not implemented: \w+/);
      }
    }
  });
});

describe('fairness lab, the rubric\'s premises on the hidden workloads', () => {
  const seed = 20261207;
  class Lcf extends refVtc.VtcReplicaScheduler {
    override updateCounterOnArrival(): void {}
  }
  const verdict = async (key: WorkloadKey, checkId: string, make: 'lcf' | 'fcfs') => {
    const def = workload(key);
    const run = scenarioRun(def, 'vtc', seed);
    const check = def.checks.find((c) => c.id === checkId)!;
    let metrics: RunMetrics;
    if (make === 'fcfs') metrics = await fcfsMetrics(run);
    else {
      const recorder = new ServiceRecorder();
      const result = simulateScenario(run, (init) => new Lcf(init), [recorder]);
      metrics = { duration: run.duration, log: recorder.log, clientId: result.requests.map((r) => r.clientId), arrivedAt: result.requests.map((r) => r.arrivedAt), ttft: result.requests.map((r) => (r.prefillCompletedAt === undefined ? undefined : r.prefillCompletedAt - r.arrivedAt)) };
    }
    const reference = await referenceMetrics(run, REPO_ROOT);
    const fcfs = await fcfsMetrics(run);
    return judge(check, def, checkValue(check, metrics, def), checkValue(check, reference, def), checkValue(check, fcfs, def));
  };

  it('LCF (no lift) fails both returning-client checks', async () => {
    expect((await verdict('on-off', 'returning', 'lcf')).passed).toBe(false);
    expect((await verdict('shift', 'after-shift', 'lcf')).passed).toBe(false);
  });

  it('FCFS fails the overload, light-client and weighted checks', async () => {
    expect((await verdict('overload', 'difference', 'fcfs')).passed).toBe(false);
    expect((await verdict('shift', 'light-latency', 'fcfs')).passed).toBe(false);
    expect((await verdict('weighted', 'shares', 'fcfs')).passed).toBe(false);
    expect((await verdict('short-long', 'difference', 'fcfs')).passed).toBe(false);
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
      expect(item.plots?.map((p) => p.title), item.id).toEqual([expect.stringMatching(/^Service rate per client/), expect.stringMatching(/^Accumulated service difference/)]);
    }
    const again = await grade(join(REPO_ROOT, 'reference', 'fairness'));
    expect(readFileSync(join(again.dir, 'results.json'), 'utf8')).toBe(readFileSync(join(first.dir, 'results.json'), 'utf8'));
  });

  it('gives the untouched starter 0 without crashing the grader', async () => {
    const { result } = await grade(join(REPO_ROOT, 'starter', 'fairness'));
    expect(result.internalError).toBeUndefined();
    expect(result.score).toBe(0);
    for (const item of result.items) {
      expect(['failed', 'error'], item.id).toContain(item.verdict);
      expect(`${item.message}\n${item.output}`, item.id).toMatch(/not implemented/);
    }
  });

  it('grades exactly what ./submit.sh produces', async () => {
    // A checkout whose starter files are the reference's, packaged the way ./submit.sh does it.
    const repo = mkdtempSync(join(tmpdir(), 'servelab-fairness-repo-'));
    mkdirSync(join(repo, 'starter', 'fairness'), { recursive: true });
    for (const f of FILES) copyFileSync(join(REPO_ROOT, 'reference', 'fairness', f), join(repo, 'starter', 'fairness', f));
    const report = await prepareSubmission({ repoRoot: repo, lab: 'fairness', files: FILES, studentDir: 'starter/fairness', outDir: repo, checkStub: false });
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
