/**
 * The true 2-D hypervolume (sim/metrics/hypervolume.ts) against the worked table and the edge cases of
 * the servelab notes (algorithms.md §7.2–7.3).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hypervolume, HypervolumeInputError, type CostLatencyPoint } from '../../sim/metrics/hypervolume.js';

const ref = { cost: 100, latency: 10 };
const pts = (...xs: [number, number][]): CostLatencyPoint[] => xs.map(([cost, latency]) => ({ cost, latency }));

describe('hypervolume: the worked table (reference $100, 10 s)', () => {
  it.each([
    ['one point', pts([50, 5]), 0.25],
    ['a proper front', pts([20, 8], [40, 4], [70, 2]), 0.46],
    ['a dominated point adds nothing', pts([20, 2], [50, 9]), 0.64],
    ['a point dominated by a later one', pts([20, 4], [40, 9], [70, 2]), 0.54],
    ['equal costs, better latency first', pts([40, 2], [40, 6]), 0.48],
    ['equal costs, better latency second', pts([40, 6], [40, 2]), 0.48],
  ])('%s', (_name, points, expected) => {
    expect(hypervolume(points, ref)).toBeCloseTo(expected, 12);
  });
});

describe('hypervolume: edge cases', () => {
  it('no points → 0', () => expect(hypervolume([], ref)).toBe(0));
  it('every point beyond the reference → 0', () =>
    expect(hypervolume(pts([150, 5], [50, 12], [200, 20]), ref)).toBe(0));
  it('a point exactly at the reference → 0', () => expect(hypervolume(pts([100, 10]), ref)).toBe(0));
  it('a point at the origin → 1', () => expect(hypervolume(pts([0, 0]), ref)).toBe(1));
  it('equal latencies: only the cheapest counts', () => {
    expect(hypervolume(pts([20, 5], [60, 5]), ref)).toBeCloseTo(0.4, 12);
  });
  it('a cost at or beyond the reference closes the previous slab at 1', () => {
    // (20, 8) spans ĉ 0.2..1 at height 0.2; (120, 1) is clipped to ĉ = 1 and adds no width.
    expect(hypervolume(pts([20, 8], [120, 1]), ref)).toBeCloseTo(0.16, 12);
    expect(hypervolume(pts([20, 8], [100, 1]), ref)).toBeCloseTo(0.16, 12);
  });
  it('latency beyond the reference is clipped to it (adds nothing)', () => {
    expect(hypervolume(pts([20, 30], [50, 5]), ref)).toBeCloseTo(0.25, 12);
  });
  it('rejects NaN, negative values and a bad reference with a clear message', () => {
    expect(() => hypervolume(pts([Number.NaN, 1]), ref)).toThrow(HypervolumeInputError);
    expect(() => hypervolume(pts([Number.NaN, 1]), ref)).toThrow(/point 0: cost is not a number/);
    expect(() => hypervolume(pts([10, -1]), ref)).toThrow(/point 0: latency must be ≥ 0 \(got -1\)/);
    expect(() => hypervolume(pts([10, 1]), { cost: 0, latency: 1 })).toThrow(
      /reference cost must be a finite number > 0/,
    );
    expect(() => hypervolume(pts([10, 1]), { cost: 1, latency: Number.POSITIVE_INFINITY })).toThrow(
      /reference latency/,
    );
  });
});

describe('hypervolume: properties', () => {
  const point = fc.record({
    cost: fc.double({ min: 0, max: 150, noNaN: true }),
    latency: fc.double({ min: 0, max: 15, noNaN: true }),
  });
  const front = fc.array(point, { maxLength: 8 });

  it('lies in [0, 1] and does not depend on the order of the points', () => {
    fc.assert(
      fc.property(front, fc.integer(), (points, seed) => {
        const h = hypervolume(points, ref);
        expect(h).toBeGreaterThanOrEqual(0);
        expect(h).toBeLessThanOrEqual(1);
        const shuffled = [...points].sort(
          (a, b) =>
            ((a.cost * 7919 + a.latency * 104729 + seed) % 13) - ((b.cost * 7919 + b.latency * 104729 + seed) % 13),
        );
        expect(hypervolume(shuffled, ref)).toBeCloseTo(h, 12);
      }),
    );
  });

  it('is scale invariant: scaling costs and the cost reference together changes nothing', () => {
    fc.assert(
      fc.property(front, fc.double({ min: 0.01, max: 100, noNaN: true }), (points, k) => {
        const scaled = points.map((p) => ({ cost: p.cost * k, latency: p.latency * k }));
        expect(hypervolume(scaled, { cost: ref.cost * k, latency: ref.latency * k })).toBeCloseTo(
          hypervolume(points, ref),
          9,
        );
      }),
    );
  });

  it('never drops when a point is added, and a dominated point changes nothing', () => {
    fc.assert(
      fc.property(front, point, (points, extra) => {
        const before = hypervolume(points, ref);
        expect(hypervolume([...points, extra], ref)).toBeGreaterThanOrEqual(before - 1e-12);
        for (const p of points) {
          const dominated = { cost: p.cost + 1, latency: p.latency + 0.5 };
          expect(hypervolume([...points, dominated], ref)).toBeCloseTo(before, 12);
        }
      }),
    );
  });

  it('equals the sum of rectangle slabs of the lab formula on a proper staircase', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: 99 }), { minLength: 1, maxLength: 6 }), (costs) => {
        const sorted = [...costs].sort((a, b) => a - b);
        const points = sorted.map((cost, i) => ({ cost, latency: 9 - i }));
        // Lab formula (algorithms.md §7.2), equal to the true HV when latencies fall as costs rise.
        const c = points.map((p) => p.cost / 100);
        const l = points.map((p) => p.latency / 10);
        let lab = (1 - c.at(-1)!) * (1 - l.at(-1)!);
        for (let i = 0; i < c.length - 1; i++) lab += (c[i + 1]! - c[i]!) * (1 - l[i]!);
        expect(hypervolume(points, ref)).toBeCloseTo(lab, 12);
      }),
    );
  });
});
