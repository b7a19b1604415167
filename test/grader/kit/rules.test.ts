import { describe, expect, it } from 'vitest';
import { allOrNothing, linear, proportion, threshold } from '../../../grader/kit/rules.js';
import { sameValue } from '../../../grader/kit/probes.js';
import { derivedSeeds } from '../../../grader/kit/seeds.js';

describe('kit scoring rules', () => {
  it('linear rises from the zero anchor to the full anchor in either direction, clamped', () => {
    expect(linear(0.05, 0, 0.1, 10)).toBe(5);
    expect(linear(0.2, 0, 0.1, 10)).toBe(10);
    expect(linear(-1, 0, 0.1, 10)).toBe(0);
    // Lower is better: zero at the baseline's 4 s, full at the reference's 2 s.
    expect(linear(3, 4, 2, 10)).toBe(5);
    expect(linear(Number.NaN, 0, 1, 10)).toBe(0);
  });

  it('threshold, all-or-nothing and proportion', () => {
    expect(threshold(13.9, 14, 'lower', 3)).toBe(3);
    expect(threshold(14.1, 14, 'lower', 3)).toBe(0);
    expect(threshold(0.2, 0.2, 'higher', 3)).toBe(3);
    expect(allOrNothing(false, 3)).toBe(0);
    expect(proportion(2, 3, 1)).toBe(0.667);
    expect(proportion(0, 0, 1)).toBe(0);
  });

  it('sameValue compares deeply with a relative tolerance', () => {
    expect(sameValue({ a: [1, 2.0000000001] }, { a: [1, 2] })).toBe(true);
    expect(sameValue({ a: [1, 2.001] }, { a: [1, 2] })).toBe(false);
    expect(sameValue({ a: 1 }, { a: 1, b: 2 })).toBe(false);
  });

  it('derived seeds are per label and reproducible', () => {
    expect(derivedSeeds(7, 'x', 3)).toEqual(derivedSeeds(7, 'x', 3));
    expect(derivedSeeds(7, 'x', 3)).not.toEqual(derivedSeeds(7, 'y', 3));
  });
});
