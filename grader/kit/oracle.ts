/**
 * The oracle: the lab's reference solution run in the parent, on the same probe or workload the
 * student's code gets, so expected values come from one implementation only. The reference is loaded
 * by dynamic import at scoring time (never statically: the student handout ships the grader without
 * reference/), once per process.
 */
import { importReference } from '../core/reference.js';

export interface Oracle<M> {
  /** The reference as the lab's student module type. */
  reference(ctx: { readonly repoRoot: string }): Promise<M>;
  /**
   * The same files loaded from another folder as the lab's module type: a mutant of the reference, or
   * the starter, for tests that grade in-process (in-process.ts). Never student code in grading.
   */
  load(dir: string): Promise<M>;
}

/**
 * An oracle for a lab whose module is one file's exports (`reference/<lab>/<file>`), or several files'
 * exports by key (`{ cost: 'service-cost.ts', vtc: 'vtc-replica-scheduler.ts' }`).
 */
export function referenceOracle<M>(lab: string, files: string | { readonly [K in keyof M]: string }): Oracle<M> {
  const loaded = new Map<string, Promise<M>>();
  const loadFrom = async (root: string, dir: string): Promise<M> => {
    if (typeof files === 'string') return importReference<M>(root, dir, files);
    const entries = await Promise.all(
      Object.entries<string>(files).map(async ([key, file]) => [key, await importReference(root, dir, file)]),
    );
    return Object.fromEntries(entries) as M;
  };
  return {
    reference(ctx) {
      let m = loaded.get(ctx.repoRoot);
      if (m === undefined) {
        m = loadFrom(ctx.repoRoot, `reference/${lab}`);
        loaded.set(ctx.repoRoot, m);
      }
      return m;
    },
    load: (dir) => loadFrom(dir, '.'),
  };
}
