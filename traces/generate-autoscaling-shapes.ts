/**
 * Public autoscaling traces of other shapes than the shipped one, so students can see how their
 * autoscaler copes with a ramp, bursts and falling steps (the hidden traces have shapes like these):
 * `npx tsx traces/generate-autoscaling-shapes.ts` writes traces/autoscaling-{ramp,spikes,steps}.csv,
 * byte-identical on every machine (test/traces/autoscaling-shapes.test.ts checks it).
 *
 * Requests are the shipped trace's (256-token prompt, 1 output token); each trace lasts 20 minutes so the
 * files stay small. Fixed profiles, not random ones: the handout quotes the reference's results on them.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../sim/config/paths.js';
import { Rng } from '../sim/workload/rng.js';
import { rateProfileArrivals, type RatePoint } from '../sim/workload/rate-profile.js';
import { writeTraceCsv } from '../sim/workload/trace-file.js';
import { AUTOSCALING_DECODE_TOKENS, AUTOSCALING_PROMPT_TOKENS } from './generate-autoscaling.js';

export const SHAPES_SEED = 20240304;
export const SHAPE_DURATION = 1200;

export const AUTOSCALING_SHAPES: Readonly<Record<'ramp' | 'spikes' | 'steps', readonly RatePoint[]>> = {
  /** A day-like ramp: 10 req/s up to 55 at 8 minutes, down to 20 at the end. */
  ramp: [
    { time: 0, qps: 10 },
    { time: 480, qps: 55 },
    { time: 1200, qps: 20 },
  ],
  /** A base of 25 req/s with three bursts to 60 (one to two minutes, 20 s edges). */
  spikes: [
    { time: 0, qps: 25 },
    { time: 150, qps: 25 },
    { time: 170, qps: 60 },
    { time: 230, qps: 60 },
    { time: 250, qps: 25 },
    { time: 540, qps: 25 },
    { time: 560, qps: 60 },
    { time: 680, qps: 60 },
    { time: 700, qps: 25 },
    { time: 930, qps: 25 },
    { time: 950, qps: 60 },
    { time: 1040, qps: 60 },
    { time: 1060, qps: 25 },
    { time: 1200, qps: 25 },
  ],
  /** Steps up and down: 45 → 15 → 35 → 55 → 25 req/s, four minutes each. */
  steps: [45, 15, 35, 55, 25].flatMap((qps, i) => [
    { time: 240 * i, qps },
    { time: 240 * (i + 1), qps },
  ]),
};

export type AutoscalingShape = keyof typeof AUTOSCALING_SHAPES;
export const shapeTraceFile = (shape: AutoscalingShape): string => `traces/autoscaling-${shape}.csv`;

export function shapeTraceCsv(shape: AutoscalingShape): string {
  const times = rateProfileArrivals(AUTOSCALING_SHAPES[shape], new Rng(SHAPES_SEED).fork(shape));
  return writeTraceCsv(
    times.map((arrivedAt) => ({
      arrivedAt,
      numPrefillTokens: AUTOSCALING_PROMPT_TOKENS,
      numDecodeTokens: AUTOSCALING_DECODE_TOKENS,
    })),
  );
}

if (
  import.meta.url.endsWith('/traces/generate-autoscaling-shapes.ts') &&
  process.argv[1]?.endsWith('generate-autoscaling-shapes.ts')
) {
  for (const shape of Object.keys(AUTOSCALING_SHAPES) as AutoscalingShape[]) {
    writeFileSync(join(REPO_ROOT, shapeTraceFile(shape)), shapeTraceCsv(shape));
    console.log(`wrote ${shapeTraceFile(shape)}`);
  }
}
