/**
 * The autoscaling lab's workloads: the shipped one-hour trace's rate steps, and hidden traces of other
 * shapes drawn in the parent from the hidden seed. Every request is like the shipped trace's (256-token
 * prompt, 1 output token); only the arrival rate's shape changes.
 */
import { join } from 'node:path';
import { Rng } from '../../../sim/workload/rng.js';
import { rateProfileArrivals, type RatePoint } from '../../../sim/workload/rate-profile.js';
import * as shipped from '../../../traces/generate-autoscaling.js';
import { readTraceFile } from '../../../sim/workload/trace-file.js';
import { shapeTraceFile } from '../../../traces/generate-autoscaling-shapes.js';
import { derivedSeeds } from '../../kit/seeds.js';
import type { SimRun } from './schemas.js';

const TRACE_DURATION = 3600;

const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;
const uniform = (rng: Rng, lo: number, hi: number) => lo + (hi - lo) * rng.next();

/** Rate levels that change at random times, each level held at least 5 minutes. */
function stepsProfile(rng: Rng, duration: number): RatePoint[] {
  const phases = rng.int(4, 6);
  const cuts = [0];
  for (let i = 1; i < phases; i++)
    cuts.push(round(uniform(rng, (i * duration) / phases - 240, (i * duration) / phases + 240), 0));
  cuts.push(duration);
  const points: RatePoint[] = [];
  let previous = 0;
  for (let i = 0; i < phases; i++) {
    let qps: number;
    do qps = round(uniform(rng, 15, 55));
    while (Math.abs(qps - previous) < 8);
    previous = qps;
    points.push({ time: cuts[i]!, qps }, { time: cuts[i + 1]!, qps });
  }
  return points;
}

/** A day-like ramp: low, up to a peak around the middle, down again, with a wobble on each side. */
function rampProfile(rng: Rng, duration: number): RatePoint[] {
  const start = round(uniform(rng, 10, 20));
  const peak = round(uniform(rng, 45, 60));
  const end = round(uniform(rng, 15, 30));
  const peakAt = round(uniform(rng, 0.35, 0.65) * duration, 0);
  const mid1 = round(peakAt * uniform(rng, 0.4, 0.6), 0);
  const mid2 = round(peakAt + (duration - peakAt) * uniform(rng, 0.4, 0.6), 0);
  const wobble = (a: number, b: number) => round(((a + b) / 2) * uniform(rng, 0.85, 1.15));
  return [
    { time: 0, qps: start },
    { time: mid1, qps: wobble(start, peak) },
    { time: peakAt, qps: peak },
    { time: mid2, qps: wobble(peak, end) },
    { time: duration, qps: end },
  ];
}

/** A steady base rate with three bursts of one to three minutes, each rising and falling within 20 s. */
function spikesProfile(rng: Rng, duration: number): RatePoint[] {
  const base = round(uniform(rng, 20, 30));
  const points: RatePoint[] = [{ time: 0, qps: base }];
  const slot = duration / 3;
  for (let i = 0; i < 3; i++) {
    const length = round(uniform(rng, 60, 180), 0);
    const at = round(i * slot + uniform(rng, 120, slot - length - 160), 0);
    const height = round(uniform(rng, 50, 65));
    points.push(
      { time: at, qps: base },
      { time: at + 20, qps: height },
      { time: at + 20 + length, qps: height },
      { time: at + 40 + length, qps: base },
    );
  }
  points.push({ time: duration, qps: base });
  return points;
}

const PROFILES = { steps: stepsProfile, ramp: rampProfile, spikes: spikesProfile } as const;

/** Requests like the shipped trace's, arriving at the rate `profile` gives, drawn from `seed`. */
function profileRun(label: string, profile: readonly RatePoint[], seed: number): SimRun {
  const arrivedAt = rateProfileArrivals(profile, new Rng(seed).fork('arrivals'));
  const numPrefillTokens = arrivedAt.map(() => shipped.AUTOSCALING_PROMPT_TOKENS);
  const numDecodeTokens = arrivedAt.map(() => shipped.AUTOSCALING_DECODE_TOKENS);
  return { label, requests: { arrivedAt, numPrefillTokens, numDecodeTokens } };
}

/** One hidden workload per shape (its label names the shape), from seeds derived from the hidden seed and the item `label`. */
export function hiddenWorkloads(hiddenSeed: number, label: string): SimRun[] {
  const seeds = derivedSeeds(hiddenSeed, `autoscaling-${label}`, 3);
  return Object.entries(PROFILES).map(([shape, profile], i) =>
    profileRun(`hidden ${shape} trace`, profile(new Rng(seeds[i]!).fork('profile'), TRACE_DURATION), seeds[i]!),
  );
}

/** The public trace's shape with a given seed (the shipped file is seed AUTOSCALING_TRACE_SEED). */
export const shippedShapeWorkload = (seed: number): SimRun =>
  profileRun('shipped-shape trace', shipped.AUTOSCALING_RATE_STEPS, seed);

/** A shipped trace file as a run (read by the parent; the child gets it as data). */
function traceRun(repoRoot: string, file: string): SimRun {
  const rows = readTraceFile(join(repoRoot, file), { requireArrivals: true });
  return {
    label: file,
    requests: {
      arrivedAt: rows.map((r) => r.arrivedAt!),
      numPrefillTokens: rows.map((r) => r.numPrefillTokens),
      numDecodeTokens: rows.map((r) => r.numDecodeTokens),
    },
  };
}

/** The shipped trace (the public-trace item and `npm run try`). */
export const shippedTrace = (repoRoot: string): SimRun => traceRun(repoRoot, shipped.AUTOSCALING_TRACE_FILE);

/**
 * The tuning item's timeline trace: the shipped steps-shaped trace (traces/generate-autoscaling-shapes.ts),
 * a public trace of the first hidden trace's shape, so the report's trace files hold no hidden arrivals.
 */
export const timelineTrace = (repoRoot: string): SimRun => ({
  ...traceRun(repoRoot, shapeTraceFile('steps')),
  timelineOnly: true,
});
