/**
 * The reference graded on many hidden seeds, in-process (in-process.ts): every item prepared for the
 * seed, answered by the reference and scored as the grader scores a child's reply. Any seed where the
 * reference misses a point, or an item fails, is a seed where every submission would be graded wrongly:
 * an instructor runs this before choosing a hidden seed, and CI runs it on a few seeds per lab.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ItemContext, LabDefinition } from '../core/lab.js';
import { countWork } from '../build/count-work.js';
import type { LabChild } from './driver.js';
import { runItemInProcess } from './in-process.js';
import type { Oracle } from './oracle.js';

export interface SweptItem {
  readonly id: string;
  readonly max: number;
  /** The reference's points; absent when the item failed (`error`) or could not run in-process (`skipped`). */
  readonly score?: number;
  readonly message?: string;
  readonly error?: string;
  readonly skipped?: string;
}

export interface SweptSeed {
  readonly seed: number;
  readonly items: readonly SweptItem[];
  readonly ms: number;
}

/**
 * The reference as the grader builds it: for a lab that counts work (LabDefinition.countWork) its files
 * are rewritten with counters into `.cache/<lab>-counted-<pid>/` (two folders below the root, where the
 * reference's `../../sim/...` imports still resolve) and loaded from there; `cleanup` removes them.
 */
export async function referenceAsBuilt<M>(
  lab: LabDefinition,
  oracle: Oracle<M>,
  repoRoot: string,
): Promise<{ readonly module: M; readonly cleanup: () => void }> {
  if (lab.countWork !== true) return { module: await oracle.reference({ repoRoot }), cleanup: () => {} };
  const dir = join(repoRoot, '.cache', `${lab.manifest.lab}-counted-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  for (const file of lab.manifest.files)
    writeFileSync(join(dir, file), countWork(readFileSync(join(repoRoot, lab.manifest.referenceDir, file), 'utf8')));
  return { module: await oracle.load(dir), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Every item of `lab` on hidden seed `seed`, answered by `module` (the reference). */
export async function sweepSeed<M>(
  lab: LabDefinition,
  driver: { readonly module: M; readonly child: LabChild<M> },
  seed: number,
  repoRoot: string,
): Promise<SweptSeed> {
  const started = performance.now();
  const ctx: ItemContext = { hiddenSeed: seed, publicSeed: lab.manifest.publicSeed, repoRoot };
  const items: SweptItem[] = [];
  for (const item of lab.manifest.items) {
    const base = { id: item.id, max: item.points };
    try {
      const out = await runItemInProcess(lab, item.id, { module: driver.module, ...driver.child }, ctx);
      if ('score' in out) items.push({ ...base, score: out.score, message: out.message });
      else if ('skipped' in out) items.push({ ...base, skipped: out.skipped });
      else items.push({ ...base, error: out.error });
    } catch (err) {
      // A throw from prepare or score: in grading, a grader error for every submission on this seed.
      items.push({ ...base, error: `grader error: ${err instanceof Error ? err.message : String(err)}` });
    }
  }
  return { seed, items, ms: Math.round(performance.now() - started) };
}

/** What is wrong on a seed, one line per item that did not give the reference full marks. */
export function shortfalls(swept: SweptSeed): string[] {
  return swept.items.flatMap((i) => {
    if (i.error !== undefined) return [`${i.id}: ${i.error}`];
    if (i.skipped !== undefined) return [`${i.id}: not run in-process (${i.skipped})`];
    if (i.score !== i.max) return [`${i.id}: ${i.score} of ${i.max} (${i.message ?? ''})`];
    return [];
  });
}
