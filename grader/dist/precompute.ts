/**
 * Fills a Gradescope bundle's result cache for its hidden seed: the lab's reference is graded once,
 * here in the instructor's checkout, with the cache pointed into the bundle (`.cache/results`, where
 * the bundle's grader looks), so grading a submission on Gradescope runs only the submission. The
 * entries are tied to a hash of the code, which the one-lab bundle shares with this checkout
 * (grader/kit/result-cache.ts); a bundle whose code differs simply misses and recomputes.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../sim/config/paths.js';
import { gradeSubmission } from '../core/grade.js';
import type { LabDefinition } from '../core/lab.js';

export interface Precomputed {
  /** Cache entries in the bundle after the run. */
  readonly entries: number;
  readonly referenceScore: number;
  readonly maxScore: number;
}

export async function precomputeResults(
  lab: LabDefinition,
  hiddenSeed: number,
  bundleDir: string,
): Promise<Precomputed> {
  const dir = join(bundleDir, '.cache', 'results');
  const saved = { dir: process.env.SERVELAB_CACHE_DIR, off: process.env.SERVELAB_CACHE };
  process.env.SERVELAB_CACHE_DIR = dir;
  delete process.env.SERVELAB_CACHE;
  try {
    const result = await gradeSubmission({
      lab,
      submission: join(REPO_ROOT, lab.manifest.referenceDir),
      submissionName: 'reference (precomputing)',
      hiddenSeed,
    });
    if (result.internalError !== undefined) throw new Error(`grading the reference failed: ${result.internalError}`);
    const labDir = join(dir, lab.manifest.lab);
    const entries = existsSync(labDir) ? readdirSync(labDir).filter((f) => f.endsWith('.json')).length : 0;
    return { entries, referenceScore: result.score, maxScore: result.maxScore };
  } finally {
    if (saved.dir === undefined) delete process.env.SERVELAB_CACHE_DIR;
    else process.env.SERVELAB_CACHE_DIR = saved.dir;
    if (saved.off !== undefined) process.env.SERVELAB_CACHE = saved.off;
  }
}
