/**
 * The reference graded on many hidden seeds, in-process (in-process.ts): every item prepared for the
 * seed, answered by the reference and scored as the grader scores a child's reply. Any seed where the
 * reference misses a point, or an item fails, is a seed where every submission would be graded wrongly:
 * an instructor runs this before choosing a hidden seed, and CI runs it on a few seeds per lab.
 */
import { createHash } from 'node:crypto';
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
 * A lab's module from files written to `dir` (name → text; with `countWork`, rewritten with counters as
 * the grader builds a lab that counts work, grader/build/count-work.ts) and loaded through the oracle.
 * `dir` must be two folders below the root, where the reference's `../../sim/...` imports still resolve.
 */
export async function loadWrittenModule<M>(
  oracle: Oracle<M>,
  dir: string,
  files: ReadonlyMap<string, string>,
  options: { readonly countWork?: boolean } = {},
): Promise<M> {
  mkdirSync(dir, { recursive: true });
  for (const [file, text] of files) writeFileSync(join(dir, file), options.countWork === true ? countWork(text) : text);
  return oracle.load(dir);
}

/**
 * The reference as the grader builds it: for a lab that counts work (LabDefinition.countWork) its files
 * are written counted into `.cache/<lab>-counted-<pid>/` and loaded from there; `cleanup` removes them.
 */
export async function referenceAsBuilt<M>(
  lab: LabDefinition,
  oracle: Oracle<M>,
  repoRoot: string,
): Promise<{ readonly module: M; readonly cleanup: () => void }> {
  if (lab.countWork !== true) return { module: await oracle.reference({ repoRoot }), cleanup: () => {} };
  const dir = join(repoRoot, '.cache', `${lab.manifest.lab}-counted-${process.pid}`);
  const { files, referenceDir } = lab.manifest;
  const texts = new Map(files.map((f) => [f, readFileSync(join(repoRoot, referenceDir, f), 'utf8')]));
  const module = await loadWrittenModule(oracle, dir, texts, { countWork: true });
  return { module, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Results of items whose preparation did not depend on the seed (the same child input and the same
 * prepared data, e.g. a public trace), by a hash of both: grading is deterministic, so another seed
 * would only repeat them.
 */
export type SeedIndependent = Map<string, SweptItem>;

/**
 * The item's preparation as a hash, or undefined when it holds something JSON cannot show whole (a
 * function, which may close over the seed): then the item is run on every seed.
 */
function seedIndependenceKey(id: string, prepared: unknown): string | undefined {
  try {
    // The replacer leaves plain data as it is, so plain data (the usual case) skips it: calling it on
    // each of some 10^5 numbers per workload made this 1 s of an autoscaling sweep.
    const text = isPlainData(prepared, 0)
      ? JSON.stringify(prepared)
      : JSON.stringify(prepared, (_key, value: unknown) => {
          if (typeof value === 'function' || typeof value === 'symbol' || typeof value === 'bigint')
            throw new TypeError('not data');
          if (value instanceof Map) return { map: [...value] };
          if (value instanceof Set) return { set: [...value] };
          return value;
        });
    return createHash('sha256').update(id).update('\0').update(text).digest('hex');
  } catch {
    return undefined;
  }
}

/**
 * Whether JSON.stringify gives `value` the same text with and without the replacer above: it holds only
 * primitives the replacer passes, arrays and objects without `toJSON`, Maps or Sets. Too deep (perhaps
 * a cycle): false, and the replacer's pass decides.
 */
function isPlainData(value: unknown, depth: number): boolean {
  if (value === null || typeof value !== 'object') {
    return typeof value !== 'function' && typeof value !== 'symbol' && typeof value !== 'bigint';
  }
  if (depth > 64 || value instanceof Map || value instanceof Set || 'toJSON' in value) return false;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (!isPlainData(value[i], depth + 1)) return false;
    return true;
  }
  for (const v of Object.values(value)) if (!isPlainData(v, depth + 1)) return false;
  return true;
}

/** Every item of `lab` on hidden seed `seed`, answered by `module` (the reference). */
export async function sweepSeed<M>(
  lab: LabDefinition,
  driver: { readonly module: M; readonly child: LabChild<M> },
  seed: number,
  repoRoot: string,
  seen: SeedIndependent = new Map(),
): Promise<SweptSeed> {
  const started = performance.now();
  const ctx: ItemContext = { hiddenSeed: seed, publicSeed: lab.manifest.publicSeed, repoRoot };
  const items: SweptItem[] = [];
  for (const item of lab.manifest.items) {
    const base = { id: item.id, max: item.points };
    try {
      const prepared = lab.items[item.id]!.prepare(ctx);
      const key = seedIndependenceKey(item.id, prepared);
      const known = key === undefined ? undefined : seen.get(key);
      if (known !== undefined) {
        items.push(known);
        continue;
      }
      const out = await runItemInProcess(lab, item.id, { module: driver.module, ...driver.child }, ctx, prepared);
      let swept: SweptItem;
      if ('score' in out) swept = { ...base, score: out.score, message: out.message };
      else if ('skipped' in out) swept = { ...base, skipped: out.skipped };
      else swept = { ...base, error: out.error };
      items.push(swept);
      if (key !== undefined) seen.set(key, swept);
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
