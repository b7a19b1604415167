/**
 * Capacity: the highest arrival rate at which the worst SLA tier still misses at most `target` of
 * its deadlines (Niyama's metric, Goel et al., arXiv 2503.22562; the capacity search of the Sarathi-Serve
 * paper, Agrawal et al., OSDI'24).
 *
 * The search is deterministic and makes one simulation per probed rate:
 * 1. bracket: probe `low` and `high`; halve `low` while it fails (at most 4 times) and double `high`
 *    while it passes (at most 4 times);
 * 2. bisect the bracket `steps` times;
 * 3. interpolate linearly between the highest passing and the lowest failing probe:
 *    q = qPass + (target − vPass) · (qFail − qPass) / (vFail − vPass).
 * Every probe uses the same requests with arrival times scaled by 1/qps (common random numbers), so
 * two policies are compared on exactly the same sequence of prompts and tiers.
 */
import type { Request } from '../entities/request.js';

export interface CapacityProbe {
  readonly qps: number;
  /** The worst tier's violation rate at this rate, 0..1. */
  readonly maxRate: number;
}

export interface CapacityResult {
  /** Interpolated capacity, requests per second (0 when even the lowest probe failed). */
  readonly capacity: number;
  /** Every probe, in the order made. */
  readonly probes: readonly CapacityProbe[];
  /** 'bracketed' normally; 'below-range' / 'above-range' when no probe failed or passed. */
  readonly status: 'bracketed' | 'below-range' | 'above-range';
}

export interface CapacitySearchOptions {
  readonly low: number;
  readonly high: number;
  readonly steps: number;
  /** Violation rate that still passes (0.01 = 1 %). */
  readonly target?: number;
}

/** The violation rate capacity is measured at: 1 % of the worst tier's deadlines. */
export const CAPACITY_TARGET = 0.01;

/** The rate where the violation rate crosses `target`, linear between a passing and a failing probe. */
export function interpolateCapacity(pass: CapacityProbe, fail: CapacityProbe, target = CAPACITY_TARGET): number {
  const span = fail.maxRate - pass.maxRate;
  return span > 0 ? pass.qps + ((target - pass.maxRate) * (fail.qps - pass.qps)) / span : pass.qps;
}

export function findCapacity(evaluate: (qps: number) => number, options: CapacitySearchOptions): CapacityResult {
  const target = options.target ?? CAPACITY_TARGET;
  if (!(options.low > 0) || !(options.high > options.low))
    throw new RangeError(`capacity search needs 0 < low < high, got ${options.low}, ${options.high}`);
  const probes: CapacityProbe[] = [];
  const probe = (qps: number): CapacityProbe => {
    const p = { qps, maxRate: evaluate(qps) };
    probes.push(p);
    return p;
  };
  let pass = probe(options.low);
  for (let k = 0; k < 4 && pass.maxRate > target; k++) pass = probe(pass.qps / 2);
  if (pass.maxRate > target) return { capacity: 0, probes, status: 'below-range' };
  let fail = probe(options.high);
  for (let k = 0; k < 4 && fail.maxRate <= target; k++) {
    pass = fail;
    fail = probe(fail.qps * 2);
  }
  if (fail.maxRate <= target) return { capacity: fail.qps, probes, status: 'above-range' };
  for (let k = 0; k < options.steps; k++) {
    const mid = probe((pass.qps + fail.qps) / 2);
    if (mid.maxRate <= target) pass = mid;
    else fail = mid;
  }
  return { capacity: interpolateCapacity(pass, fail, target), probes, status: 'bracketed' };
}

/** The same requests arriving `qps / baseQps` times as fast (fresh objects, ids and tiers kept). */
export function atRate(requests: readonly Request[], baseQps: number, qps: number): Request[] {
  const factor = baseQps / qps;
  return requests.map((r) => r.resubmitted({ arrivedAt: r.arrivedAt * factor }));
}

/** The probes a capacity is interpolated from: the highest passing and the lowest failing rate. */
export function capacityBracket<P extends CapacityProbe>(
  probes: readonly P[],
  target = CAPACITY_TARGET,
): { pass: P | undefined; fail: P | undefined } {
  const passing = probes.filter((p) => p.maxRate <= target);
  const failing = probes.filter((p) => p.maxRate > target);
  return {
    pass: passing.reduce<P | undefined>((best, p) => (best === undefined || p.qps > best.qps ? p : best), undefined),
    fail: failing.reduce<P | undefined>((best, p) => (best === undefined || p.qps < best.qps ? p : best), undefined),
  };
}

/** findCapacity's rule on a bracket: 0 with no passing probe, the passing rate with no failing one, else interpolated. */
export function bracketCapacity(
  pass: CapacityProbe | undefined,
  fail: CapacityProbe | undefined,
  target = CAPACITY_TARGET,
): number {
  if (pass === undefined) return 0;
  return fail === undefined ? pass.qps : interpolateCapacity(pass, fail, target);
}
