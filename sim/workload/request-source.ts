/**
 * Where a run's requests come from: a replayed trace, or synthetic arrivals with generated lengths.
 * Ids follow arrival order, starting at 0.
 */
import { Request } from '../entities/request.js';
import { makeIntervalGenerator, type IntervalOptions } from './intervals.js';
import { clipLength, makeLengthGenerator, type LengthOptions } from './lengths.js';
import type { Rng } from './rng.js';
import type { TraceRecord } from './trace-file.js';

export interface ReplayOptions {
  readonly rows: readonly TraceRecord[];
  /** Multiplies every arrival time (0.5 = twice as fast). */
  readonly timeScale: number;
  readonly maxTokens: number;
  /** Only requests arriving before this time are kept (Infinity = all). */
  readonly duration: number;
}

/**
 * Trace replay. Over-long requests are clipped proportionally (the same rule as sampled lengths;
 * Vidur's replay trims the prompt only).
 */
export function replayTrace(options: ReplayOptions): Request[] {
  const out: Request[] = [];
  for (const row of options.rows) {
    const arrivedAt = row.arrivedAt! * options.timeScale;
    if (arrivedAt >= options.duration) break;
    const l = clipLength(
      Math.max(1, Math.trunc(row.numPrefillTokens)),
      Math.max(1, Math.trunc(row.numDecodeTokens)),
      options.maxTokens,
    );
    out.push(new Request({ id: out.length, arrivedAt, ...l, clientId: row.clientId, tier: row.tier }));
  }
  return out;
}

export interface SyntheticOptions {
  readonly intervals: IntervalOptions;
  readonly lengths: LengthOptions;
  /** Stop before the first arrival at or after this time (seconds). */
  readonly duration: number | undefined;
  /** Stop after this many requests. At least one of duration and count must be set. */
  readonly count: number | undefined;
}

/**
 * Synthetic arrivals: like Vidur, each request's gap is drawn before its lengths and the first
 * request arrives one gap after 0. Gaps and lengths use separate streams so changing one
 * generator never reshuffles the other.
 */
export function generateSynthetic(options: SyntheticOptions, rng: Rng): Request[] {
  if (options.duration === undefined && options.count === undefined) {
    throw new Error('a synthetic workload needs a duration (--duration) or a request count (--num-requests)');
  }
  const nextGap = makeIntervalGenerator(options.intervals, rng.fork('intervals'));
  const nextLength = makeLengthGenerator(options.lengths, rng.fork('lengths'));
  const duration = options.duration ?? Number.POSITIVE_INFINITY;
  const count = options.count ?? Number.POSITIVE_INFINITY;
  const out: Request[] = [];
  let now = 0;
  while (out.length < count) {
    now += nextGap();
    if (now >= duration) break;
    out.push(new Request({ id: out.length, arrivedAt: now, ...nextLength() }));
  }
  return out;
}
