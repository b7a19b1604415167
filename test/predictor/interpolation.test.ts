import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  pava,
  pavaGrid,
  PiecewiseLinear,
  roundSignificant,
  RowTable,
  simplifyCurve,
  simplifyRows,
  type GridPoint,
} from '../../sim/predictor/interpolation.js';

/** Strictly increasing knots with non-decreasing values. */
const monotoneKnots = fc
  .array(fc.tuple(fc.integer({ min: 1, max: 100 }), fc.double({ min: 0, max: 10, noNaN: true })), {
    minLength: 1,
    maxLength: 30,
  })
  .map((steps) => {
    let x = 0;
    let y = 0;
    return steps.map(([dx, dy]) => [(x += dx), (y += dy)] as const);
  });

describe('pava', () => {
  it('pools adjacent violators into their mean', () => {
    expect(pava([1, 3, 2, 4])).toEqual([1, 2.5, 2.5, 4]);
    expect(pava([5, 4, 3, 2, 1])).toEqual([3, 3, 3, 3, 3]);
    expect(pava([1, 2, 3])).toEqual([1, 2, 3]);
    expect(pava([2, 1, 4, 3, 6])).toEqual([1.5, 1.5, 3.5, 3.5, 6]);
  });

  it('weights pooled blocks by their weights', () => {
    // (3·3 + 1·1) / 4 = 2.5
    expect(pava([3, 1], [3, 1])).toEqual([2.5, 2.5]);
    expect(pava([1, 3, 2], [1, 1, 3])).toEqual([1, 2.25, 2.25]);
  });

  it('returns a non-decreasing sequence with the same weighted sum', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -100, max: 100, noNaN: true }), { minLength: 1, maxLength: 50 }), (ys) => {
        const out = pava(ys);
        for (let i = 1; i < out.length; i++) expect(out[i]!).toBeGreaterThanOrEqual(out[i - 1]! - 1e-9);
        const sum = (a: number[]): number => a.reduce((s, v) => s + v, 0);
        expect(sum(out)).toBeCloseTo(sum(ys), 6);
      }),
    );
  });

  it('rejects non-positive weights', () => {
    expect(() => pava([1, 2], [1, 0])).toThrow(/weight 0 at index 1/);
  });
});

describe('PiecewiseLinear', () => {
  const f = new PiecewiseLinear([8, 16, 32], [1, 3, 4]);

  it('is exact at the knots and linear between them', () => {
    expect(f.at(8)).toBe(1);
    expect(f.at(16)).toBe(3);
    expect(f.at(32)).toBe(4);
    expect(f.at(12)).toBe(2);
    expect(f.at(24)).toBe(3.5);
  });

  it('clamps outside the knots', () => {
    expect(f.at(1)).toBe(1);
    expect(f.at(1e6)).toBe(4);
  });

  it('is monotone when its knots are', () => {
    fc.assert(
      fc.property(
        monotoneKnots,
        fc.double({ min: -10, max: 4000, noNaN: true }),
        fc.double({ min: -10, max: 4000, noNaN: true }),
        (knots, a, b) => {
          const g = new PiecewiseLinear(
            knots.map(([x]) => x),
            knots.map(([, y]) => y),
          );
          const [lo, hi] = a <= b ? [a, b] : [b, a];
          expect(g.at(lo)).toBeLessThanOrEqual(g.at(hi) + 1e-9);
          for (const [x, y] of knots) expect(g.at(x)).toBe(y);
        },
      ),
    );
  });

  it('combines tables exactly on the union of their knots', () => {
    const g = new PiecewiseLinear([10, 20], [0, 10]);
    const sum = PiecewiseLinear.combine([f, g], [1, 2], 0.5);
    for (const x of [0, 8, 10, 12, 15, 16, 20, 25, 32, 40])
      expect(sum.at(x)).toBeCloseTo(f.at(x) + 2 * g.at(x) + 0.5, 12);
  });

  it('rejects unsorted or mismatched knots', () => {
    expect(() => new PiecewiseLinear([1, 1], [0, 1])).toThrow(/increase strictly/);
    expect(() => new PiecewiseLinear([1, 2], [0])).toThrow(/as many y values/);
  });
});

describe('RowTable', () => {
  // f(r, x) = r·x + 1 on a shared grid: bilinear interpolation reproduces it exactly.
  const grid = (rs: number[], xs: number[]) => rs.map((r) => ({ r, x: xs, y: xs.map((x) => r * x + 1) }));
  const t = new RowTable(grid([1, 2, 4], [0, 10, 30]));

  it('is exact at grid points and bilinear inside', () => {
    for (const r of [1, 2, 4]) for (const x of [0, 10, 30]) expect(t.at(r, x)).toBe(r * x + 1);
    expect(t.at(3, 20)).toBeCloseTo(61, 12);
    expect(t.at(1.5, 5)).toBeCloseTo(8.5, 12);
  });

  it('clamps in r and beyond the largest x', () => {
    expect(t.at(0, 10)).toBe(t.at(1, 10));
    expect(t.at(100, 10)).toBe(t.at(4, 10));
    expect(t.at(2, 1000)).toBe(t.at(2, 30));
    expect(t.at(2, -5)).toBe(t.at(2, 0));
  });

  it('continues a row that ends early along its chord, up to the longest row', () => {
    const ragged = new RowTable([
      { r: 1, x: [0, 100], y: [0, 100] },
      { r: 2, x: [0, 50], y: [0, 100] },
    ]);
    expect(ragged.at(2, 80)).toBe(160);
    expect(ragged.at(2, 500)).toBe(200);
    expect(ragged.at(1.5, 80)).toBe(120);
  });

  it('is monotone in both directions on a monotone grid', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 5, noNaN: true }),
        fc.double({ min: 0, max: 40, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (r, x, d) => {
          expect(t.at(r, x)).toBeLessThanOrEqual(t.at(r + d, x) + 1e-9);
          expect(t.at(r, x)).toBeLessThanOrEqual(t.at(r, x + d * 10) + 1e-9);
        },
      ),
    );
  });
});

describe('simplification', () => {
  it('keeps the ends and stays within the allowance', () => {
    const x = Array.from({ length: 200 }, (_, i) => i * 8);
    const y = pava(x.map((v) => 0.1 + v * 1e-3 + 0.02 * Math.sin(v / 50)));
    const s = simplifyCurve(x, y, (_r, _x, v) => 0.01 * v);
    expect(s.x[0]).toBe(0);
    expect(s.x[s.x.length - 1]).toBe(x[x.length - 1]);
    expect(s.x.length).toBeLessThan(x.length / 4);
    const f = new PiecewiseLinear(s.x, s.y);
    x.forEach((v, i) => expect(Math.abs(f.at(v) - y[i]!)).toBeLessThanOrEqual(0.01 * y[i]! + 1e-12));
  });

  it('drops rows that interpolation between neighbours reproduces', () => {
    const rows = [1, 2, 3, 4, 8].map((r) => ({ r, x: [0, 10, 20], y: [r, 2 * r, 4 * r] }));
    const kept = simplifyRows(rows, () => 1e-9);
    expect(kept.map((row) => row.r)).toEqual([1, 8]);
  });

  it('rounds to significant digits without breaking order', () => {
    expect(roundSignificant(0.123456, 4)).toBe(0.1235);
    expect(roundSignificant(1234567, 4)).toBe(1235000);
    fc.assert(
      fc.property(
        fc.double({ min: 1e-6, max: 1e6, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (a, d) => {
          expect(roundSignificant(a, 4)).toBeLessThanOrEqual(roundSignificant(a * (1 + d), 4));
        },
      ),
    );
  });
});

describe('pavaGrid', () => {
  it('makes a ragged grid monotone along both axes and keeps ordered points', () => {
    const points: GridPoint[] = [
      { r: 1, x: 1, y: 1, w: 1 },
      { r: 1, x: 2, y: 3, w: 1 },
      { r: 1, x: 3, y: 2, w: 1 },
      { r: 2, x: 1, y: 0.5, w: 1 },
      { r: 2, x: 2, y: 4, w: 1 },
      { r: 3, x: 1, y: 5, w: 1 },
    ];
    pavaGrid(points);
    const at = (r: number, x: number): number => points.find((p) => p.r === r && p.x === x)!.y;
    expect(at(1, 2)).toBeLessThanOrEqual(at(1, 3));
    expect(at(1, 1)).toBeLessThanOrEqual(at(2, 1));
    expect(at(2, 1)).toBeLessThanOrEqual(at(2, 2));
    expect(at(1, 2)).toBeLessThanOrEqual(at(2, 2));
    expect(at(3, 1)).toBe(5);
  });
});
