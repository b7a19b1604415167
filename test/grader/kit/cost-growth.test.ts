/** The cost-growth measure: the slope of the student/baseline time ratio over doubling sizes. */
import { describe, expect, it } from 'vitest';
import { costSlope, measureGrowth, pairRatios } from '../../../grader/kit/cost-growth.js';

describe('cost growth', () => {
  const sizes = [512, 1024, 2048, 4096, 8192];
  it('reads ≈ 0 for a flat ratio and ≈ 1 for a ratio proportional to n, and shrugs off one outlier', () => {
    expect(costSlope(sizes, [2, 2, 2, 2, 2])).toBeCloseTo(0, 12);
    expect(
      costSlope(
        sizes,
        sizes.map((n) => n / 100),
      ),
    ).toBeCloseTo(1, 12);
    expect(Math.abs(costSlope(sizes, [2, 2, 2, 2, 40]))).toBeLessThan(0.1);
    expect(Math.abs(costSlope(sizes, [40, 2, 2, 2, 2]))).toBeLessThan(0.1);
  });

  it('uses the median of pairwise ratios per size', () => {
    expect(pairRatios([[1, 2, 100]], [[1, 1, 1]])).toEqual([2]);
  });

  it('measures every size with interleaved samples, and stops at a pass slower than maxRunMs', () => {
    const settings = {
      sizes: [1, 2, 4],
      samples: 3,
      minSampleMs: 0.01,
      maxRunMs: 1000,
      retryBand: [9, 10] as [number, number],
    };
    const passes = () => ({ student: () => 1, baseline: () => 1 });
    const [attempt, ...more] = measureGrowth(settings, passes);
    expect(more).toEqual([]);
    expect(attempt!.student.map((s) => s.length)).toEqual([3, 3, 3]);
    expect(attempt!.baseline.map((s) => s.length)).toEqual([3, 3, 3]);
    const slow = measureGrowth({ ...settings, maxRunMs: 1 }, (i) => ({
      student: () => {
        const end = Date.now() + (i === 0 ? 0 : 5);
        while (Date.now() < end);
        return 1;
      },
      baseline: () => 1,
    }));
    expect(slow[0]!.tooSlowMs).toBe(1);
    expect(slow[0]!.student).toHaveLength(1);
  });
});
