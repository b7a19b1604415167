/**
 * Regenerates the autoscaling lab's shipped trace, traces/autoscaling.csv, with a fixed seed:
 * `npx tsx traces/generate-autoscaling.ts`. The output is byte-identical on every machine
 * (test/traces/autoscaling-trace.test.ts checks it).
 *
 * The trace follows the course lab's synthetic one-hour trace: every request has a 256-token prompt
 * and 1 output token, and Poisson arrivals step from 20 to 30, 50 and 40 requests per second at 0, 20,
 * 30 and 50 minutes: 126,000 requests in all.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../sim/config/paths.js';
import { Rng } from '../sim/workload/rng.js';
import { rateProfileArrivals, type RatePoint } from '../sim/workload/rate-profile.js';
import { writeTraceCsv } from '../sim/workload/trace-file.js';

export const AUTOSCALING_TRACE_SEED = 20240303;
export const AUTOSCALING_TRACE_FILE = 'traces/autoscaling.csv';
export const AUTOSCALING_PROMPT_TOKENS = 256;
export const AUTOSCALING_DECODE_TOKENS = 1;

/** Rate steps: 20 → 30 → 50 → 40 requests per second at 0, 20, 30 and 50 minutes, one hour in all. */
export const AUTOSCALING_RATE_STEPS: readonly RatePoint[] = [
  { time: 0, qps: 20 },
  { time: 1200, qps: 20 },
  { time: 1200, qps: 30 },
  { time: 1800, qps: 30 },
  { time: 1800, qps: 50 },
  { time: 3000, qps: 50 },
  { time: 3000, qps: 40 },
  { time: 3600, qps: 40 },
];

export function autoscalingTraceCsv(): string {
  const times = rateProfileArrivals(AUTOSCALING_RATE_STEPS, new Rng(AUTOSCALING_TRACE_SEED).fork('arrivals'));
  return writeTraceCsv(
    times.map((arrivedAt) => ({
      arrivedAt,
      numPrefillTokens: AUTOSCALING_PROMPT_TOKENS,
      numDecodeTokens: AUTOSCALING_DECODE_TOKENS,
    })),
  );
}

if (
  import.meta.url.endsWith('/traces/generate-autoscaling.ts') &&
  process.argv[1]?.endsWith('generate-autoscaling.ts')
) {
  writeFileSync(join(REPO_ROOT, AUTOSCALING_TRACE_FILE), autoscalingTraceCsv());
  console.log(`wrote ${AUTOSCALING_TRACE_FILE}`);
}
