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
  return assembledOracle<M, M>(lab, files, (m) => m);
}

/**
 * An oracle whose module is assembled from the files' exports as the lab's driver assembles the student's
 * (e.g. cfs: the scheduler class and a lazily read answer sheet), so in-process grading sees what the child sees.
 */
export function assembledOracle<R, M>(
  lab: string,
  files: string | { readonly [K in keyof R]: string },
  assemble: (exports: R) => M,
): Oracle<M> {
  const loaded = new Map<string, Promise<M>>();
  const loadFrom = async (root: string, dir: string): Promise<M> => {
    if (typeof files === 'string') return assemble(await importReference<R>(root, dir, files));
    const entries = await Promise.all(
      Object.entries<string>(files).map(async ([key, file]) => [key, await importReference(root, dir, file)]),
    );
    return assemble(Object.fromEntries(entries) as R);
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
