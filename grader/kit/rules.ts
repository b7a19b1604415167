/**
 * Scoring rules: how a measured value becomes points. Pure functions; every lab's items use these,
 * so "linear between two anchors" means the same thing everywhere.
 */
import { roundPoints } from '../core/scoring.js';

/** All points when `ok`, none otherwise. */
export function allOrNothing(ok: boolean, maxScore: number): number {
  return ok ? maxScore : 0;
}

/**
 * Points rising linearly from 0 at `zeroAt` to `maxScore` at `fullAt` (either direction), clamped.
 * Anchors come from measured runs: e.g. 0 at the strongest shipped baseline, full at the reference.
 */
export function linear(value: number, zeroAt: number, fullAt: number, maxScore: number): number {
  if (!Number.isFinite(value) || zeroAt === fullAt) return value === fullAt ? maxScore : 0;
  const t = (value - zeroAt) / (fullAt - zeroAt);
  return roundPoints(maxScore * Math.min(1, Math.max(0, t)));
}

/** All points when `value` is at or past `bar` in the good direction. */
export function threshold(value: number, bar: number, better: 'lower' | 'higher', maxScore: number): number {
  if (!Number.isFinite(value)) return 0;
  return allOrNothing(better === 'lower' ? value <= bar : value >= bar, maxScore);
}

/** Points for `passed` of `total` cases, in proportion. */
export function proportion(passed: number, total: number, maxScore: number): number {
  return total === 0 ? 0 : roundPoints((maxScore * passed) / total);
}

export { median, roundPoints } from '../core/scoring.js';
