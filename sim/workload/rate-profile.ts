/**
 * Arrivals whose rate changes over time: a piecewise-linear rate profile (a step is two points at the
 * same time), drawn as a non-homogeneous Poisson process conditioned on its expected count.
 *
 * Time rescaling: with Λ(t) = ∫₀ᵗ rate, the arrival times are Λ⁻¹ of sorted uniform points on
 * [0, Λ(T)]. Using exactly N = round(Λ(T)) points gives a trace whose size does not depend on the seed
 * (the autoscaling lab's shipped trace has exactly 126,000 requests). Sorted uniforms come from
 * normalised exponential spacings, so no sort is needed.
 */
import type { Rng } from './rng.js';

export interface RatePoint {
  /** Seconds from the start of the trace. */
  readonly time: number;
  /** Requests per second at that time; the rate is linear between points. */
  readonly qps: number;
}

/** Checks a profile: at least two points, times non-decreasing from 0, rates finite and ≥ 0. */
export function checkRateProfile(points: readonly RatePoint[]): void {
  if (points.length < 2) throw new RangeError('a rate profile needs at least two points');
  if (points[0]!.time !== 0) throw new RangeError(`a rate profile starts at time 0, not ${points[0]!.time}`);
  for (let i = 0; i < points.length; i++) {
    const p = points[i]!;
    if (!Number.isFinite(p.qps) || p.qps < 0)
      throw new RangeError(`rate profile point ${i}: qps must be finite and ≥ 0, got ${p.qps}`);
    if (!Number.isFinite(p.time) || (i > 0 && p.time < points[i - 1]!.time)) {
      throw new RangeError(`rate profile point ${i}: times must be finite and non-decreasing, got ${p.time}`);
    }
  }
}

/** Expected number of arrivals over the whole profile, Λ(T). */
export function expectedArrivals(points: readonly RatePoint[]): number {
  let total = 0;
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1]!;
    const b = points[i]!;
    total += ((a.qps + b.qps) / 2) * (b.time - a.time);
  }
  return total;
}

/** The rate at time t (the later point of a step wins, so a step at t takes effect at t). */
export function rateAt(points: readonly RatePoint[], t: number): number {
  for (let i = points.length - 1; i > 0; i--) {
    const a = points[i - 1]!;
    const b = points[i]!;
    if (t >= a.time && t <= b.time) {
      if (b.time === a.time) return b.qps;
      if (t === b.time && i < points.length - 1 && points[i + 1]!.time === b.time) continue;
      return a.qps + ((b.qps - a.qps) * (t - a.time)) / (b.time - a.time);
    }
  }
  return 0;
}

/** Inverts Λ on one segment: the time within [a.time, b.time] where the segment's integral reaches `mass`. */
function invertSegment(a: RatePoint, b: RatePoint, mass: number): number {
  const dt = b.time - a.time;
  if (!(dt > 0)) return a.time;
  const slope = (b.qps - a.qps) / dt;
  if (Math.abs(slope) < 1e-12) return a.qps > 0 ? Math.min(b.time, a.time + mass / a.qps) : a.time;
  // a.qps·x + slope·x²/2 = mass, solved stably for x ≥ 0.
  const disc = Math.max(0, a.qps * a.qps + 2 * slope * mass);
  const x = (2 * mass) / (a.qps + Math.sqrt(disc));
  return Math.min(b.time, a.time + x);
}

/** Sorted arrival times of the profile: exactly round(Λ(T)) of them, all in [0, T]. */
export function rateProfileArrivals(points: readonly RatePoint[], rng: Rng): number[] {
  checkRateProfile(points);
  const total = expectedArrivals(points);
  const n = Math.round(total);
  if (n === 0) return [];
  // n sorted uniforms on (0, total): cumulative sums of n + 1 exponential spacings, normalised.
  const cum = new Float64Array(n);
  let acc = 0;
  for (let i = 0; i < n; i++) {
    acc += rng.exponential(1);
    cum[i] = acc;
  }
  acc += rng.exponential(1);
  const scale = total / acc;
  const out = new Array<number>(n);
  let seg = 1;
  let segStartMass = 0;
  const segMass = (i: number) => ((points[i - 1]!.qps + points[i]!.qps) / 2) * (points[i]!.time - points[i - 1]!.time);
  for (let i = 0; i < n; i++) {
    const target = cum[i]! * scale;
    while (seg < points.length - 1 && target > segStartMass + segMass(seg)) {
      segStartMass += segMass(seg);
      seg++;
    }
    // Zero-mass segments (steps, idle stretches) are skipped by the loop above.
    out[i] = invertSegment(points[seg - 1]!, points[seg]!, Math.max(0, target - segStartMass));
  }
  return out;
}
