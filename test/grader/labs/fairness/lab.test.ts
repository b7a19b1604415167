/**
 * The fairness lab through the whole grader, once each: the reference gets 15/15 item by item (with
 * plots), and the untouched stubs, packaged by ./submit.sh, get 0 without crashing anything, every item
 * naming the method to write. Mutants: test/grader/labs/fairness/mutants.test.ts.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { gradeSubmission } from '../../../../grader/core/grade.js';
import { labManifest, loadLab } from '../../../../grader/labs/catalogue.js';
import type { GradingResult } from '../../../../grader/core/types.js';
import { GradescopeResults } from '../../../../grader/report/gradescope.js';
import { prepareSubmission } from '../../../../grader/submit/prepare.js';
import { REPO_ROOT } from '../../../../sim/config/paths.js';
import { partRuns, timelineRun } from '../../../../grader/labs/fairness/workloads.js';
import { expectPublicTimelines } from '../public-timelines.js';

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

async function grade(submission: string): Promise<{ result: GradingResult; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'servelab-fairness-'));
  const result = await gradeSubmission({ lab: await loadLab('fairness'), submission, outDir: dir });
  const results = GradescopeResults.parse(JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')));
  expect(results.tests).toHaveLength(14);
  expect(readFileSync(join(dir, 'report.html'), 'utf8')).toContain('<html');
  return { result, dir };
}

describe('fairness lab, graded end to end', () => {
  it('gives the reference 15/15, item by item, with plots and the timelines of a public run', async () => {
    const { result, dir } = await grade(join(REPO_ROOT, 'reference', 'fairness'));
    expect(result.internalError).toBeUndefined();
    expect(result.typeErrors).toEqual([]);
    expect(Object.fromEntries(result.items.map((i) => [i.id, i.score]))).toEqual(FULL);
    expect(result.score).toBe(15);
    for (const item of result.items.filter((i) => i.kind === 'scenario'))
      expect(
        item.plots?.map((p) => p.title),
        item.id,
      ).toEqual([
        expect.stringMatching(/^Service rate per client/),
        expect.stringMatching(/^Accumulated service difference/),
      ]);
    const byId = new Map(result.items.map((i) => [i.id, i]));
    expect(byId.get('vtc-on-off')?.output).toMatch(/^on\/off .* pass$/m);
    expect(byId.get('vtc-arrival')?.output).toMatch(/^PASS public case: lift to the smallest waiting counter: /m);
    // sarathi-overload-on-off is the same scenario item (grader/labs/fairness/lab.ts) on part 2's runs.
    const manifest = labManifest('fairness');
    expectPublicTimelines(
      dir,
      'vtc-on-off',
      timelineRun('vtc', manifest.publicSeed).requests.arrivedAt,
      partRuns('vtc', manifest.defaultHiddenSeed).flatMap((r) => r.requests.arrivedAt),
    );
  });

  it('packages the files as ./submit.sh does, and gives the untouched stubs 0 naming what to write', async () => {
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

    // The script itself, on the untouched stubs: a zip with the three files, which the grader accepts and scores 0.
    const cwd = mkdtempSync(join(tmpdir(), 'servelab-fairness-submit-'));
    const { stdout } = await promisify(execFile)('bash', [join(REPO_ROOT, 'submit.sh'), 'fairness'], { cwd });
    expect(stdout).toMatch(/wrote .*fairness-submission\.zip \(3 files/);
    const { result } = await grade(join(cwd, 'fairness-submission.zip'));
    expect(result.internalError).toBeUndefined();
    expect(result.score).toBe(0);
    for (const item of result.items) {
      expect(['failed', 'error'], item.id).toContain(item.verdict);
      // The cost functions' defaults (starter/fairness/service-cost.ts) fail their own checks as "not written yet".
      expect(`${item.message}\n${item.output}`, item.id).toMatch(
        item.id.startsWith('cost-')
          ? /not written yet: get\w+ \(the starter's simple default ran\)/
          : /not implemented/,
      );
    }
  });
});
