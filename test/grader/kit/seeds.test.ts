import { describe, expect, it } from 'vitest';
import { derivedSeed, derivedSeeds } from '../../../grader/kit/seeds.js';

describe('kit seeds: hidden workloads drawn from labelled streams of the hidden seed', () => {
  it('derives distinct, repeatable seeds per label', () => {
    expect(derivedSeeds(1, 'a', 3)).toEqual(derivedSeeds(1, 'a', 3));
    expect(derivedSeeds(1, 'a', 3)).not.toEqual(derivedSeeds(1, 'b', 3));
    expect(new Set(derivedSeeds(5, 'a', 3)).size).toBe(3);
    // A longer draw starts with the shorter one, so adding a workload never changes the others.
    expect(derivedSeeds(7, 'a', 5).slice(0, 2)).toEqual(derivedSeeds(7, 'a', 2));
    expect(derivedSeed(7, 'a')).toBe(derivedSeeds(7, 'a', 1)[0]);
  });
});
