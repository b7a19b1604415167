/**
 * The autoscaling lab through the whole grader, once each: the reference, packaged as ./submit.sh
 * packages it, gets 15/15 with plots in the report; the untouched starter gets 0 without crashing the
 * grader. (Probes: probes.test.ts; scenario scoring: scenarios.test.ts.)
 */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../../../sim/config/paths.js';
import { gradeSubmission, type GradeOptions } from '../../../../grader/core/grade.js';
import { labManifest, loadLab } from '../../../../grader/labs/catalogue.js';
import type { GradingResult } from '../../../../grader/core/types.js';
import { GradescopeResults } from '../../../../grader/report/gradescope.js';
import { prepareSubmission } from '../../../../grader/submit/prepare.js';
import { hiddenWorkloads, timelineTrace } from '../../../../grader/labs/autoscaling/workloads.js';
import { expectPublicTimelines } from '../public-timelines.js';

/** Whole gradings on a shared two-core machine: generous, so load cannot turn them into timeouts. */
const FILES = ['scaling-routers.ts', 'network-envelope.ts', 'inferline-autoscaler.ts', 'custom-autoscaler.ts'];
const REFERENCE = join(REPO_ROOT, 'reference', 'autoscaling');
const tmp = (prefix: string) => mkdtempSync(join(tmpdir(), `servelab-autoscaling-${prefix}-`));

async function grade(
  submission: string,
  extra: Partial<GradeOptions> = {},
): Promise<{ result: GradingResult; dir: string }> {
  const dir = tmp('out');
  const result = await gradeSubmission({ lab: await loadLab('autoscaling'), submission, outDir: dir, ...extra });
  const results = GradescopeResults.parse(JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')));
  expect(results.tests).toHaveLength(9);
  expect(readFileSync(join(dir, 'report.html'), 'utf8')).toContain('<html');
  return { result, dir };
}

const scores = (r: GradingResult) => Object.fromEntries(r.items.map((i) => [i.id, i.score]));
const FULL = {
  'round-robin': 0.5,
  lor: 1,
  envelope: 3,
  'envelope-scaling': 0,
  'throughput-ema': 1,
  tune: 2,
  'public-trace': 0,
  tuning: 3,
  pareto: 4.5,
};

describe('autoscaling lab, graded end to end', () => {
  it('./submit.sh autoscaling round-trips: the reference, zipped by submit, gets 15/15 with plots and a public timeline', async () => {
    const repo = tmp('repo');
    mkdirSync(join(repo, 'starter', 'autoscaling'), { recursive: true });
    for (const f of FILES) cpSync(join(REFERENCE, f), join(repo, 'starter', 'autoscaling', f));
    const report = await prepareSubmission({
      repoRoot: repo,
      lab: 'autoscaling',
      files: FILES,
      studentDir: 'starter/autoscaling',
      outDir: repo,
      checkStub: false,
    });
    expect(report.errors).toEqual([]);
    expect(report.entries).toEqual(FILES.map((f) => `starter/autoscaling/${f}`));

    const { result, dir } = await grade(report.zipPath!);
    expect(result.internalError).toBeUndefined();
    expect(result.typeErrors).toEqual([]);
    expect(scores(result)).toEqual(FULL);
    expect(result.score).toBe(15);
    expect(result.items.every((i) => i.verdict === 'passed')).toBe(true);
    const plots = readdirSync(join(dir, 'plots'));
    for (const id of ['tuning', 'pareto', 'public-trace', 'envelope-scaling'])
      expect(
        plots.some((p) => p.startsWith(`${id}-`)),
        id,
      ).toBe(true);
    const pareto = result.items.find((i) => i.id === 'pareto')!;
    expect(pareto.message).toMatch(/^100\.0% of the marks on average/);
    expectPublicTimelines(
      dir,
      'tuning',
      timelineTrace(REPO_ROOT).requests.arrivedAt,
      hiddenWorkloads(labManifest('autoscaling').defaultHiddenSeed, 'tuning').flatMap((w) => w.requests.arrivedAt),
    );
  });

  it('gives the untouched starter 0 without crashing, naming the missing methods', async () => {
    const { result } = await grade(join(REPO_ROOT, 'starter', 'autoscaling'));
    expect(result.internalError).toBeUndefined();
    expect(result.typeErrors).toEqual([]);
    expect(result.score).toBe(0);
    for (const item of result.items) {
      expect(['failed', 'error'], item.id).toContain(item.verdict);
      expect(`${item.message}\n${item.output}`, item.id).toMatch(/not implemented: \w+\.\w+/);
    }
  });
});
