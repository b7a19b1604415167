/**
 * The efficiency check's measure, shared by the harness (to decide on a retry) and the parent (to judge).
 *
 * For each size the student's envelope and a linear baseline were timed in interleaved pairs; a pair's
 * ratio cancels most of what the machine's load does to both, and the median over pairs drops the pairs
 * a preemption hit. The growth of that ratio with the number of requests is the Theil–Sen slope (median
 * of the pairwise slopes) of log2(ratio) against log2(size): ≈ 0 for O(1) amortised work per call, ≈ 1
 * when every query scans the stored arrivals. A single outlying size cannot move a median of slopes far.
 */

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  return s.length % 2 === 1 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

/** Median over the interleaved pairs of student time / baseline time, per size measured. */
export function pairRatios(
  student: readonly (readonly number[])[],
  baseline: readonly (readonly number[])[],
): number[] {
  return student.map((samples, i) => median(samples.map((s, k) => s / baseline[i]![k]!)));
}

/** Theil–Sen slope of log2(ratio) against log2(size), per doubling of the number of requests. */
export function costSlope(sizes: readonly number[], ratios: readonly number[]): number {
  const n = Math.min(sizes.length, ratios.length);
  if (n < 2) return Number.NaN;
  const slopes: number[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++)
      slopes.push((Math.log2(ratios[j]!) - Math.log2(ratios[i]!)) / (Math.log2(sizes[j]!) - Math.log2(sizes[i]!)));
  }
  return median(slopes);
}
