/** Arrivals from a piecewise-linear rate profile (sim/workload/rate-profile.ts). */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../sim/workload/rng.js';
import {
  checkRateProfile,
  expectedArrivals,
  rateAt,
  rateProfileArrivals,
  type RatePoint,
} from '../../sim/workload/rate-profile.js';

const count = (times: readonly number[], lo: number, hi: number) => times.filter((t) => t >= lo && t < hi).length;
/** |observed − expected| within 5 standard deviations of a binomial split of n. */
const near = (observed: number, p: number, n: number) =>
  Math.abs(observed - p * n) <= 5 * Math.sqrt(n * p * (1 - p)) + 1;

describe('rateProfileArrivals', () => {
  const steps: RatePoint[] = [
    { time: 0, qps: 20 },
    { time: 100, qps: 20 },
    { time: 100, qps: 50 },
    { time: 200, qps: 50 },
  ];

  it('draws exactly round(Λ(T)) sorted arrivals inside [0, T], the same for the same seed', () => {
    const a = rateProfileArrivals(steps, new Rng(3));
    expect(expectedArrivals(steps)).toBe(7000);
    expect(a).toHaveLength(7000);
    for (let i = 1; i < a.length; i++) expect(a[i]!).toBeGreaterThanOrEqual(a[i - 1]!);
    expect(a[0]!).toBeGreaterThanOrEqual(0);
    expect(a.at(-1)!).toBeLessThanOrEqual(200);
    expect(rateProfileArrivals(steps, new Rng(3))).toEqual(a);
    expect(rateProfileArrivals(steps, new Rng(4))).not.toEqual(a);
  });

  it('follows steps: each phase holds its share of the arrivals', () => {
    const a = rateProfileArrivals(steps, new Rng(11));
    expect(near(count(a, 0, 100), 2000 / 7000, 7000)).toBe(true);
    expect(near(count(a, 100, 200), 5000 / 7000, 7000)).toBe(true);
  });

  it('follows ramps: the first half of a 0 → r ramp holds a quarter of its arrivals', () => {
    const ramp: RatePoint[] = [
      { time: 0, qps: 0 },
      { time: 400, qps: 40 },
    ];
    const a = rateProfileArrivals(ramp, new Rng(5));
    expect(a).toHaveLength(8000);
    expect(near(count(a, 0, 200), 0.25, 8000)).toBe(true);
  });

  it('puts nothing where the rate is 0', () => {
    const gap: RatePoint[] = [
      { time: 0, qps: 10 },
      { time: 50, qps: 10 },
      { time: 50, qps: 0 },
      { time: 150, qps: 0 },
      { time: 150, qps: 10 },
      { time: 200, qps: 10 },
    ];
    const a = rateProfileArrivals(gap, new Rng(9));
    expect(a).toHaveLength(1000);
    expect(count(a, 50.000001, 150)).toBe(0);
  });

  it('rejects malformed profiles with a clear message', () => {
    expect(() => checkRateProfile([{ time: 0, qps: 1 }])).toThrow(/at least two points/);
    expect(() =>
      checkRateProfile([
        { time: 5, qps: 1 },
        { time: 6, qps: 1 },
      ]),
    ).toThrow(/starts at time 0/);
    expect(() =>
      checkRateProfile([
        { time: 0, qps: 1 },
        { time: -1, qps: 1 },
      ]),
    ).toThrow(/non-decreasing/);
    expect(() =>
      checkRateProfile([
        { time: 0, qps: -1 },
        { time: 1, qps: 1 },
      ]),
    ).toThrow(/qps must be finite and ≥ 0/);
  });

  it('rateAt: linear between points, the later point of a step from its time on', () => {
    expect(rateAt(steps, 50)).toBe(20);
    expect(rateAt(steps, 100)).toBe(50);
    expect(rateAt(steps, 150)).toBe(50);
    expect(
      rateAt(
        [
          { time: 0, qps: 0 },
          { time: 10, qps: 10 },
        ],
        2.5,
      ),
    ).toBe(2.5);
    expect(rateAt(steps, 250)).toBe(0);
  });
});
