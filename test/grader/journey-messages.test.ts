/**
 * Issue 16's messages along the student and instructor journey: a syntax error, a zip made for another
 * lab, a part-1-only fairness student, a unit case that hangs, and code that throws.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../sim/config/paths.js';
import { gradesCsv, summarizeBatch, summaryMarkdown } from '../../grader/batch/gradebook.js';
import { gradeSubmission } from '../../grader/core/grade.js';
import { labManifest, loadLab } from '../../grader/labs/catalogue.js';
import { toGradescope } from '../../grader/report/gradescope.js';
import { renderMarkdown } from '../../grader/report/markdown.js';
import { makeSubmissionZip } from '../../grader/submit/index.js';
import { runProbes, sameValue, selectProbes } from '../../grader/kit/probes.js';
import { DEADLINE_PROBES } from '../../grader/labs/deadline/probes.js';
import { starterDefaults, type DeadlineModule } from '../../grader/labs/deadline/student.js';
import { drawWorkload, simulateAt } from '../../grader/labs/deadline/simulate.js';
import type { ReplicaSchedulerInit } from '../../sim/policies/replica/replica-scheduler.js';

const root = mkdtempSync(join(tmpdir(), 'servelab-journey-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const FIX = join(REPO_ROOT, 'test', 'fixtures', 'submissions');

describe('a syntax error', () => {
  it('is a compile error with the source line, not "type errors (not graded)"', async () => {
    const result = await gradeSubmission({
      lab: await loadLab('routing'),
      submission: join(FIX, 'syntax-error'),
      mode: 'check',
    });
    expect(new Set(result.items.map((i) => i.verdict))).toEqual(new Set(['compile-error']));
    expect(result.items[0]!.message).toBe(
      'your code does not build: starter/routing/ai-router.ts:6:3: Expected ")" but found "}"',
    );
    expect(result.items[0]!.output).toContain('  6 |   }\n    |   ^');
    expect(result.typeErrors).toEqual([]);
    expect(renderMarkdown(result)).not.toMatch(/Type errors/);
    expect(toGradescope(result).output).not.toMatch(/Type errors/);
  });
});

describe('a zip made for another lab', () => {
  it('is flagged in grades.csv and the summary, and tells the student which lab it is for', async () => {
    const { files, studentDir } = labManifest('fairness');
    const zip = join(root, 'fairness-submission.zip');
    await makeSubmissionZip({
      files: files.map((f) => ({ name: `${studentDir}/${f}`, path: join(REPO_ROOT, studentDir, f) })),
      out: zip,
    });
    const result = await gradeSubmission({ lab: await loadLab('routing'), submission: zip, submissionName: 'mallory' });
    expect(result.wrongLab).toBe('fairness');
    expect(
      result.items.every(
        (i) => i.verdict === 'missing-file' && /^wrong lab: this is a submission for the fairness lab/.test(i.message),
      ),
    ).toBe(true);
    const gs = toGradescope(result);
    expect(gs.output).toMatch(/This is a submission for the fairness lab .* not the routing lab: nothing was graded/);
    const rows = [{ submission: 'mallory', results: gs, skipped: false }];
    const csv = gradesCsv(rows).split('\n');
    expect(csv[1]).toMatch(/^mallory,0,10,wrong-lab:fairness,/);
    const summary = summarizeBatch(rows);
    expect(summary.wrongLab).toEqual([{ submission: 'mallory', lab: 'fairness' }]);
    expect(summaryMarkdown('routing', summary)).toMatch(/1 made for another lab.*mallory \(fairness\)/);
  });
});

describe('a unit case that loops forever', () => {
  it('is named, and the other cases still score', async () => {
    const dir = join(root, 'hangs-on-one-case');
    mkdirSync(dir, { recursive: true });
    // Round robin, except an endless loop when replica 12 is routable (one case of the routing unit item has it).
    writeFileSync(
      join(dir, 'ai-router.ts'),
      `import { Router, type Assignment } from '../../sim/policies/router/router.js';
export class AiRouter extends Router {
  #next = 0;
  schedule(_now: number): Assignment[] {
    const replicas = this.routableReplicas();
    if (replicas.some((r) => r.replicaId === 12)) for (;;) this.#next++;
    if (replicas.length === 0) return [];
    return this.drainQueueByArrival().map((request) => ({ replicaId: replicas[this.#next++ % replicas.length]!.replicaId, request }));
  }
}
`,
    );
    const result = await gradeSubmission({
      lab: await loadLab('routing'),
      submission: dir,
      mode: 'check',
      maxItemTimeoutMs: 4000,
    });
    const unit = result.items.find((i) => i.id === 'unit-cases')!;
    expect(unit.verdict, unit.output).toBe('partial');
    expect(unit.score).toBeGreaterThan(0);
    expect(unit.output).toMatch(/each case was run alone .*"handles non-contiguous replica ids": hung/);
    expect(unit.output).toMatch(/FAIL public case: handles non-contiguous replica ids/);
  });
});

describe('a part-1-only fairness student', () => {
  it('sees part-2 items name the file and method still to write', async () => {
    const dir = join(root, 'fairness-part-1');
    cpSync(join(REPO_ROOT, 'starter', 'fairness'), dir, { recursive: true });
    for (const f of ['service-cost.ts', 'vtc-replica-scheduler.ts'])
      cpSync(join(REPO_ROOT, 'reference', 'fairness', f), join(dir, f));
    const result = await gradeSubmission({ lab: await loadLab('fairness'), submission: dir, mode: 'check' });
    const part2 = result.items.find((i) => i.id === 'sarathi-next-batch')!;
    expect(`${part2.message}\n${part2.output}`).toMatch(
      /not implemented: VtcSarathiReplicaScheduler\.\w+ in starter\/fairness\/vtc-sarathi-replica-scheduler\.ts/,
    );
    expect(result.items.find((i) => i.id === 'vtc-select')!.verdict).toBe('passed');
  });
});

/** The public probes of a deadline unit item on `m`, as the driver runs them. */
const publicProbes = (m: DeadlineModule, item: keyof typeof DEADLINE_PROBES) =>
  runProbes(m, selectProbes(DEADLINE_PROBES[item], 0, true), { studentDir: 'starter/deadline', starterDefaults });

describe('the deadline starter', () => {
  it('runs end to end with its defaults, which score nothing, while a written method scores on its own', async () => {
    const starter = (await import('../../starter/deadline/deadline-scheduler.js')) as unknown as DeadlineModule;
    const reference = (await import('../../reference/deadline/deadline-scheduler.js')) as unknown as DeadlineModule;
    const w = drawWorkload({ lengths: 'conv', seed: 3 });
    const result = simulateAt(w, 4, (init, options) => new starter.DeadlineScheduler(init, options));
    expect(result.numCompleted).toBe(result.requests.length);
    for (const r of publicProbes(starter, 'priority-key'))
      expect(r.error).toMatch(/^not written yet: .*comparePrefills/);
    // tokenDeadline written (the reference's), everything else still the defaults: its cases pass.
    class OneWritten extends (starter.DeadlineScheduler as unknown as new (
      init: ReplicaSchedulerInit,
    ) => { tokenDeadline(r: unknown): number }) {
      override tokenDeadline(r: unknown): number {
        return (
          reference.DeadlineScheduler.prototype as unknown as { tokenDeadline(this: unknown, r: unknown): number }
        ).tokenDeadline.call(this, r);
      }
    }
    const mixed = { ...starter, DeadlineScheduler: OneWritten } as unknown as DeadlineModule;
    const want = publicProbes(reference, 'token-deadline');
    const got = publicProbes(mixed, 'token-deadline');
    got.forEach((g, i) => {
      expect(g.error, g.name).toBeUndefined();
      expect(sameValue(g.value, want[i]!.value), g.name).toBe(true);
    });
  });
});
