/**
 * Does the student's work per call grow with the input size? The student's code is built with its work
 * counted (grader/build/count-work.ts: one per loop iteration and one per function call, builtins not
 * counted); the child counts the work of the same calls at doubling sizes (measureWork) and the parent
 * judges the growth of the work per call (costSlope). Counts, not times: no machine load can move them,
 * and a regrade gives the same verdict.
 *
 * The growth is the Theil–Sen slope (median of the pairwise slopes) of log2(work per call) against
 * log2(size): ≈ 0 for O(1) amortised work per call, ≈ 1 when every call scans what was stored.
 */
import { z } from 'zod';
import { workDone } from '../build/work-counter.js';
import { median } from '../core/scoring.js';
import { realCpuUsage } from '../sandbox/pinned-clock.js';

export const WorkGrowth = z.strictObject({
  /** Counted work per size measured, in the order of the sizes. */
  work: z.array(z.number().nonnegative()),
  /** Set when a pass took longer than this (CPU ms) and the larger sizes were not measured. */
  tooSlowMs: z.number().optional(),
});
export type WorkGrowth = z.infer<typeof WorkGrowth>;

/** Theil–Sen slope of log2(cost) against log2(size), per doubling of the size. */
export function costSlope(sizes: readonly number[], costs: readonly number[]): number {
  const n = Math.min(sizes.length, costs.length);
  if (n < 2) return Number.NaN;
  const slopes: number[] = [];
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++)
      slopes.push((Math.log2(costs[j]!) - Math.log2(costs[i]!)) / (Math.log2(sizes[j]!) - Math.log2(sizes[i]!)));
  return median(slopes);
}

const cpuMs = () => {
  const u = realCpuUsage();
  return (u.user + u.system) / 1000;
};

/**
 * The counted work of `pass(i)` for each of `count` sizes, smallest first; a pass slower than `maxRunMs`
 * of CPU ends the measurement (a quadratic pass on the largest size would not finish in time).
 */
export function measureWork(count: number, maxRunMs: number, pass: (sizeIndex: number) => void): WorkGrowth {
  const work: number[] = [];
  for (let i = 0; i < count; i++) {
    const [w0, t0] = [workDone(), cpuMs()];
    pass(i);
    work.push(workDone() - w0);
    if (cpuMs() - t0 > maxRunMs) return { work, tooSlowMs: maxRunMs };
  }
  if (work.every((w) => w === 0)) throw new Error('no work was counted: the code was not built with its work counted');
  return { work };
}
