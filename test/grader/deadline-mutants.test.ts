/**
 * The deadline lab's mutants (reference/cfs/mutants/): each is the reference with one bug, and each must
 * lose points on the items that target that bug. Only those items are run (through the real build,
 * sandbox and scoring), to keep the test quick; test/grader/deadline-lab.test.ts grades whole submissions.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../sim/config/paths.js';
import { buildSubmission } from '../../grader/build/build-submission.js';
import type { ItemContext } from '../../grader/core/lab.js';
import { getLab } from '../../grader/labs/index.js';
import { applyMutant } from '../../grader/core/mutants.js';
import { MUTANTS } from '../../reference/deadline/mutants/mutants.js';
import { runSandboxed } from '../../grader/sandbox/run-sandboxed.js';


/** Which items each mutant must lose points on. */
const LOSES: Readonly<Record<string, readonly string[]>> = {
  // Relegation and the sign of α barely move the capacity on these workloads (within the 95% band;
  // labs/deadline/README.md gives the figures), so the unit items are where those mistakes show.
  'no-relegation': ['relegation'],
  'relegates-repeatedly': ['relegation'],
  'alpha-sign-flipped': ['priority-key'],
  'decodes-by-descending-slack': ['decode-order'],
  'static-chunk': ['dynamic-chunk', 'capacity'],
};

/** Builds `files` as a submission and runs the given items through the sandbox and their scoring. */
async function gradeItems(files: Map<string, string>, ids: readonly string[]): Promise<Record<string, { score: number; max: number; verdict: string; message: string; output?: string }>> {
  const lab = getLab("deadline");
  const work = mkdtempSync(join(tmpdir(), 'servelab-deadline-mutant-'));
  try {
    const build = await buildSubmission({ repoRoot: REPO_ROOT, workDir: join(work, 'build'), labStudentDir: lab.manifest.studentDir, files, entry: lab.harnessEntry, typecheck: false });
    expect(build.errors).toEqual([]);
    const ctx: ItemContext = { hiddenSeed: lab.manifest.defaultHiddenSeed, publicSeed: lab.manifest.publicSeed, repoRoot: REPO_ROOT };
    const out: Record<string, { score: number; max: number; verdict: string; message: string; output?: string }> = {};
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

describe('deadline lab mutants', () => {
  it('covers every mutant', () => {
    expect(MUTANTS.map((m) => m.name).sort()).toEqual(Object.keys(LOSES).sort());
  });

  it.each(Object.entries(LOSES))('%s loses points on %j', async (name, items) => {
    const mutant = MUTANTS.find((m) => m.name === name)!;
    const source = applyMutant(readFileSync(join(REPO_ROOT, 'reference', 'deadline', mutant.file), 'utf8'), mutant);
    const results = await gradeItems(new Map([['deadline-scheduler.ts', source]]), items);
    for (const id of items) expect(results[id]!.score, `${name} on ${id}: ${results[id]!.message}`).toBeLessThan(results[id]!.max);
  });

  it('a scheduler whose chunks break the iteration limit loses the scenario items, told why by the replay', async () => {
    const reference = readFileSync(join(REPO_ROOT, 'reference', 'deadline', 'deadline-scheduler.ts'), 'utf8');
    const overfull = applyMutant(reference, {
      name: 'whole-prompts',
      description: 'prompt chunks ignore the dynamic limit',
      file: 'deadline-scheduler.ts',
      patches: [['      const chunk = Math.min(r.remainingPrefillTokens, limit - used);\n', '      const chunk = r.remainingPrefillTokens;\n']],
    });
    const results = await gradeItems(new Map([['deadline-scheduler.ts', overfull]]), ['overload']);
    expect(results.overload!.score).toBe(0);
    expect(results.overload!.verdict).toBe('scored');
    expect(results.overload!.output).toMatch(/exceed the 2552-token budget/);
  });
});
