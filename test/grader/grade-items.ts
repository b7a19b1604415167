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
import { scoreItem, type ItemContext } from '../../grader/core/lab.js';
import { labManifest, loadLab } from '../../grader/labs/catalogue.js';
import { runItemChild } from '../../grader/core/item-child.js';

export interface GradedItem {
  readonly score: number;
  readonly max: number;
  /** 'scored', or the sandbox's verdict when the child did not finish. */
  readonly verdict: string;
  readonly message: string;
  readonly output?: string;
  /** A status-only (0-point) item's verdict (ItemOutcome.passed). */
  readonly passed?: boolean;
  /** When the child did not finish: what the student is shown under the message (the trimmed stack trace). */
  readonly details?: string;
}

/** The lab's default seeds and this checkout as the reference's root. */
export function defaultContext(labName: string): ItemContext {
  const manifest = labManifest(labName);
  return { hiddenSeed: manifest.defaultHiddenSeed, publicSeed: manifest.publicSeed, repoRoot: REPO_ROOT };
}

/** What the child reports for each item (verdict ok) or the sandbox's outcome, with the prepared input. */
export type ChildRun =
  | { readonly verdict: 'ok'; readonly result: unknown; readonly prepared: unknown }
  | { readonly verdict: string; readonly message: string; readonly details?: string };

/** Builds `files` and runs the child once per item on `ctx`'s input, stack traces trimmed as students see them; no scoring. */
export async function runItemChildren(
  labName: string,
  files: Map<string, string>,
  ids: readonly string[],
  ctx: ItemContext = defaultContext(labName),
): Promise<Record<string, ChildRun>> {
  const lab = await loadLab(labName);
  const work = mkdtempSync(join(tmpdir(), `servelab-${labName}-items-`));
  try {
    const build = await buildSubmission({
      repoRoot: REPO_ROOT,
      workDir: join(work, 'build'),
      labStudentDir: lab.manifest.studentDir,
      files,
      entry: lab.harnessEntry,
      typecheck: false,
      ...(lab.countWork === true ? { countWork: true } : {}),
    });
    expect(build.errors).toEqual([]);
    const out: Record<string, ChildRun> = {};
    for (const id of ids) {
      const { input, prepared } = lab.items[id]!.prepare(ctx);
      const item = lab.manifest.items.find((i) => i.id === id)!;
      const { outcome, result } = await runItemChild(
        lab.items[id]!,
        {
          bundlePath: build.bundlePath!,
          readDirs: [build.bundleDir],
          input,
          // The item's own limit when the manifest gives one, as the grader does (grader/core/grade.ts).
          timeoutMs: item.timeoutMs ?? lab.manifest.limits.itemTimeoutMs,
          maxOldSpaceMb: lab.manifest.limits.maxOldSpaceMb,
          srcRoot: build.srcRoot,
          studentDir: lab.manifest.studentDir,
        },
        prepared,
        ctx,
      );
      out[id] =
        outcome.verdict === 'ok'
          ? { verdict: 'ok', result, prepared }
          : {
              verdict: outcome.verdict,
              message: outcome.message,
              ...(outcome.details !== undefined ? { details: outcome.details } : {}),
            };
    }
    return out;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

export async function gradeItems(
  labName: string,
  files: Map<string, string>,
  ids: readonly string[],
): Promise<Record<string, GradedItem>> {
  const lab = await loadLab(labName);
  const ctx = defaultContext(labName);
  const runs = await runItemChildren(labName, files, ids, ctx);
  const out: Record<string, GradedItem> = {};
  for (const id of ids) {
    const item = lab.manifest.items.find((i) => i.id === id)!;
    const run = runs[id]!;
    if (run.verdict !== 'ok' || !('result' in run)) {
      const details = 'details' in run ? run.details : undefined;
      out[id] = {
        score: 0,
        max: item.points,
        verdict: run.verdict,
        message: 'message' in run ? run.message : '',
        ...(details !== undefined ? { details } : {}),
      };
      continue;
    }
    const scored = await scoreItem(lab.items[id]!, run.result, run.prepared, ctx, item.points);
    out[id] = {
      score: scored.score,
      max: item.points,
      verdict: 'scored',
      message: scored.message,
      output: scored.output,
      ...(scored.passed !== undefined ? { passed: scored.passed } : {}),
    };
  }
  return out;
}
