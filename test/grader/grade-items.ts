/**
 * Grades chosen rubric items of a lab on in-memory student files, through the real build, sandbox and
 * scoring: what the mutant tests need to show one mistake loses points on the items aimed at it,
 * without the cost of grading every item.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { REPO_ROOT } from '../../sim/config/paths.js';
import { buildSubmission } from '../../grader/build/build-submission.js';
import type { ItemContext } from '../../grader/core/lab.js';
import { getLab } from '../../grader/labs/index.js';
import { runSandboxed } from '../../grader/sandbox/run-sandboxed.js';

export interface GradedItem {
  readonly score: number;
  readonly max: number;
  /** 'scored', or the sandbox's verdict when the child did not finish. */
  readonly verdict: string;
  readonly message: string;
  readonly output?: string;
}

export async function gradeItems(labName: string, files: Map<string, string>, ids: readonly string[]): Promise<Record<string, GradedItem>> {
  const lab = getLab(labName);
  const work = mkdtempSync(join(tmpdir(), `servelab-${labName}-items-`));
  try {
    const build = await buildSubmission({ repoRoot: REPO_ROOT, workDir: join(work, 'build'), labStudentDir: lab.manifest.studentDir, files, entry: lab.harnessEntry, typecheck: false });
    expect(build.errors).toEqual([]);
    const ctx: ItemContext = { hiddenSeed: lab.manifest.defaultHiddenSeed, publicSeed: lab.manifest.publicSeed, repoRoot: REPO_ROOT };
    const out: Record<string, GradedItem> = {};
    for (const id of ids) {
      const item = lab.manifest.items.find((i) => i.id === id)!;
      const impl = lab.items[id]!;
      const { input, prepared } = impl.prepare(ctx);
      const outcome = await runSandboxed({
        bundlePath: build.bundlePath!,
        readDirs: [build.bundleDir],
        input,
        timeoutMs: lab.manifest.limits.itemTimeoutMs,
        maxOldSpaceMb: lab.manifest.limits.maxOldSpaceMb,
      });
      if (outcome.verdict !== 'ok') {
        out[id] = { score: 0, max: item.points, verdict: outcome.verdict, message: outcome.message };
        continue;
      }
      const scored = await impl.score(outcome.result, prepared, ctx, item.points);
      out[id] = { score: scored.score, max: item.points, verdict: 'scored', message: scored.message, output: scored.output };
    }
    return out;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
