/**
 * Does the student's cost per call grow with the input size? The child times the student's code and a
 * baseline known to cost O(1) amortised per call on the same calls, in interleaved pairs of CPU time,
 * at doubling sizes (measureGrowth); the parent judges the growth of their ratio (costSlope).
 *
 * A pair's ratio cancels most of what the machine's load does to both, and the median over pairs drops
 * the pairs a preemption hit. The growth of the ratio with the size is the Theil–Sen slope (median of
 * the pairwise slopes) of log2(ratio) against log2(size): ≈ 0 for O(1) amortised work per call, ≈ 1
 * when every call scans what was stored. A single outlying size cannot move a median of slopes far.
 */
import { z } from 'zod';
import { median } from '../core/scoring.js';
import { realCpuUsage } from '../sandbox/pinned-clock.js';

export const GrowthSettings = z.strictObject({
  /** Sizes, ascending (doubling). */
  sizes: z.array(z.number().int().positive()),
  samples: z.number().int().positive(),
  /** Each sample repeats the pass until it lasts at least this long, ms. */
  minSampleMs: z.number().positive(),
  /** A single pass slower than this stops the measurement (ms). */
  maxRunMs: z.number().positive(),
  /** A second attempt is measured when the first one's slope lies in this band: above the pass mark, not clearly linear. */
  retryBand: z.tuple([z.number(), z.number()]),
});
export type GrowthSettings = z.infer<typeof GrowthSettings>;

export const GrowthAttempt = z.strictObject({
  /** Per size, per sample: CPU ms per pass of the student's code and of the baseline, in interleaved pairs. */
  student: z.array(z.array(z.number().positive())),
  baseline: z.array(z.array(z.number().positive())),
  /** Set when a pass exceeded maxRunMs at sizes[student.length]. */
  tooSlowMs: z.number().optional(),
});
export type GrowthAttempt = z.infer<typeof GrowthAttempt>;

/** Median over the interleaved pairs of student time / baseline time, per size measured. */
export function pairRatios(
  student: readonly (readonly number[])[],
  baseline: readonly (readonly number[])[],
): number[] {
  return student.map((samples, i) => median(samples.map((s, k) => s / baseline[i]![k]!)));
}

/** Theil–Sen slope of log2(ratio) against log2(size), per doubling of the size. */
export function costSlope(sizes: readonly number[], ratios: readonly number[]): number {
  const n = Math.min(sizes.length, ratios.length);
  if (n < 2) return Number.NaN;
  const slopes: number[] = [];
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++)
      slopes.push((Math.log2(ratios[j]!) - Math.log2(ratios[i]!)) / (Math.log2(sizes[j]!) - Math.log2(sizes[i]!)));
  return median(slopes);
}

/**
 * CPU time of this process, ms (user + system), from the real clock (student code sees a pinned one,
 * grader/sandbox/pinned-clock.ts). Not wall-clock: time the child spends preempted by other
 * processes on a loaded machine does not count, so load stretches neither side of a pair; what remains
 * (cache and frequency effects) hits both sides of an interleaved pair alike and cancels in the ratio.
 */
function cpuMs(): number {
  const u = realCpuUsage();
  return (u.user + u.system) / 1000;
}

/** A pass returns a checksum, so nothing is optimised away. */
export interface GrowthPasses {
  readonly student: () => number;
  readonly baseline: () => number;
}

/** Times the passes of every size (passes(i) for sizes[i]); a second attempt only when the first is close to the mark. */
export function measureGrowth(settings: GrowthSettings, passes: (sizeIndex: number) => GrowthPasses): GrowthAttempt[] {
  let sink = 0;
  const reps = (pass: () => number): number | undefined => {
    const t0 = cpuMs();
    sink += pass();
    const single = cpuMs() - t0;
    return single > settings.maxRunMs
      ? undefined
      : Math.max(1, Math.ceil(settings.minSampleMs / Math.max(single, 1e-3)));
  };
  const sample = (pass: () => number, n: number): number => {
    const t0 = cpuMs();
    for (let r = 0; r < n; r++) sink += pass();
    return Math.max(1e-6, (cpuMs() - t0) / n);
  };
  const all = settings.sizes.map((_, i) => passes(i));
  // Warm-up: let the JIT optimise both on the smallest size first (about 50 ms each, at least 3 passes).
  for (const pass of [all[0]!.student, all[0]!.baseline]) {
    const t0 = cpuMs();
    for (let i = 0; i < 3 || (cpuMs() - t0 < 50 && i < 1000); i++) sink += pass();
  }
  const attempts: GrowthAttempt[] = [];
  for (let attempt = 0; attempt < 2; attempt++) {
    const student: number[][] = [];
    const baseline: number[][] = [];
    let tooSlowMs: number | undefined;
    for (const { student: s, baseline: b } of all) {
      const sReps = reps(s);
      if (sReps === undefined) {
        tooSlowMs = settings.maxRunMs;
        break;
      }
      const bReps = reps(b)!;
      const [sSamples, bSamples]: number[][] = [[], []];
      for (let k = 0; k < settings.samples; k++) {
        // Interleaved, alternating which goes first, so both see the same machine load.
        const first = k % 2 === 0;
        if (!first) bSamples.push(sample(b, bReps));
        sSamples.push(sample(s, sReps));
        if (first) bSamples.push(sample(b, bReps));
      }
      student.push(sSamples);
      baseline.push(bSamples);
    }
    attempts.push({ student, baseline, ...(tooSlowMs !== undefined ? { tooSlowMs } : {}) });
    // One retry, only for a slope just above the pass mark: a busy machine can fake a mild one, not
    // hide a steep one, and a clearly steep one needs no second look.
    const slope = costSlope(settings.sizes, pairRatios(student, baseline));
    if (tooSlowMs !== undefined || !(slope > settings.retryBand[0] && slope < settings.retryBand[1])) break;
  }
  if (sink === 0.5) console.log(''); // keeps the checksums observable
  return attempts;
}
