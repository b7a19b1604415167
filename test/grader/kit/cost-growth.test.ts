/** The cost-growth measure: counted work (grader/build/count-work.ts) and the slope of the work per call over doubling sizes. */
import { describe, expect, it } from 'vitest';
import { countWork } from '../../../grader/build/count-work.js';
import { WORK_COUNTER, workDone } from '../../../grader/build/work-counter.js';
import { costSlope, measureWork } from '../../../grader/kit/cost-growth.js';

describe('cost growth', () => {
  const sizes = [512, 1024, 2048, 4096, 8192];
  it('reads ≈ 0 for a flat cost and ≈ 1 for a cost proportional to n, and shrugs off one outlier', () => {
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

  it('counts one per loop iteration and one per function call, without moving a line', async () => {
    const source = [
      'export function f(xs: number[]): number {',
      '  let n = 0;',
      '  for (const x of xs) n += x;',
      '  let i = 0;',
      '  while (i < 3) i++;',
      '  return xs.map((x) => x * 2).filter((x) => {',
      '    return x > n;',
      '  }).length;',
      '}',
    ].join('\n');
    const counted = countWork(source);
    expect(counted.split('\n')).toHaveLength(source.split('\n').length);
    const esbuild = await import('esbuild');
    const js = (await esbuild.transform(counted, { loader: 'ts', format: 'esm' })).code;
    const { f } = (await import(`data:text/javascript,${encodeURIComponent(js)}`)) as { f: (xs: number[]) => number };
    const before = workDone();
    expect(f([1, 2, 3, 4])).toBe(0);
    // 1 call of f, 4 + 3 loop iterations, 4 map and 4 filter callbacks.
    expect(workDone() - before).toBe(16);
    expect(countWork('this is not { typescript')).toBe('this is not { typescript');
  });

  it('measures the counted work of each size, and refuses code that counts nothing', () => {
    const g = globalThis as Record<string, unknown>;
    const tick = (n: number) => {
      g[WORK_COUNTER] = workDone() + n;
    };
    expect(measureWork(3, 1000, (i) => tick(10 * (i + 1)))).toEqual({ work: [10, 20, 30] });
    expect(() => measureWork(2, 1000, () => {})).toThrow(/no work was counted/);
  });
});
