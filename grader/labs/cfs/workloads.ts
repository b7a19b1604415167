/**
 * The CFS lab's workloads: bursts of prompts with the homework's "dummy" lengths, on the homework's
 * server (CodeLlama-34B, TP 2 on two A100-40GB, 1,024 GPU blocks, 16 GiB swap per GPU, swap
 * preemption, 512 sequences, max_model_len 16,368).
 *
 * The lengths are servelab's own 50 (prompt, output) pairs drawn to match the summary of the
 * homework's dummy dataset (labs/cfs/README.md): 67,785 prompt and 15,255 output tokens, means ≈ 1,356
 * and 305, longest prompt 3,835. Together they need ≈ 5 times the GPU KV cache (16,384 tokens).
 * They ship as traces/cfs-dummy-lengths.json; the public burst as `traces/cfs-burst.csv` (`npm run gen-cfs-trace`).
 */
import lengths from '../../../traces/cfs-dummy-lengths.json' with { type: 'json' };
import { Rng } from '../../../sim/workload/rng.js';
import { writeTraceCsv } from '../../../sim/workload/trace-file.js';
import type { CfsRun } from './schemas.js';

/** (prompt tokens, output tokens), in the dataset's order. */
export const DUMMY_LENGTHS: readonly (readonly [number, number])[] = lengths.map(([p, o]) => [p!, o!] as const);

/** The homework's burst: 50 prompts at 3 requests per second. */
export const HOMEWORK_BURST = { count: 50, qps: 3 } as const;
/** CPU swap space per GPU on the homework's server, GiB. */
export const HOMEWORK_SWAP_GIB = 16;
/** The public burst's seed: labs/cfs/manifest.json's publicSeed (a unit probe has no context to read it from; a test checks they agree). */
export const PUBLIC_BURST_SEED = 42;

/**
 * A burst of `count` prompts drawn from `seed`: the dummy lengths shuffled (whole shuffles back to back when
 * more than 50 are asked for), Poisson arrivals at `qps` from t = 0 (the first at 0, as vLLM's benchmark client).
 */
export function burst(spec: { readonly count: number; readonly qps: number; readonly seed: number }) {
  const rng = new Rng(spec.seed);
  const [lengthsRng, arrivalsRng] = [rng.fork('lengths'), rng.fork('arrivals')];
  const order: number[] = [];
  while (order.length < spec.count) order.push(...lengthsRng.shuffle(DUMMY_LENGTHS.map((_, i) => i)));
  const arrivedAt: number[] = [];
  let t = 0;
  for (let i = 0; i < spec.count; i++) {
    if (i > 0) t += arrivalsRng.exponential(spec.qps);
    arrivedAt.push(Math.round(t * 1e6) / 1e6); // microseconds, so the shipped CSV replays exactly
  }
  const picked = order.slice(0, spec.count).map((i) => DUMMY_LENGTHS[i]!);
  return { arrivedAt, numPrefillTokens: picked.map((p) => p[0]), numDecodeTokens: picked.map((p) => p[1]) };
}

/** The homework's burst drawn from `seed`, as a run on the homework's server. */
export const homeworkRun = (label: string, seed: number, cfsInterval: number, swapSpace = HOMEWORK_SWAP_GIB) => ({
  label,
  requests: burst({ ...HOMEWORK_BURST, seed }),
  cfsInterval,
  swapSpace,
});

/** The public burst (traces/cfs-burst.csv) at `cfsInterval`. */
export const publicRun = (cfsInterval: number) =>
  homeworkRun(`public burst (seed ${PUBLIC_BURST_SEED}), interval ${cfsInterval}`, PUBLIC_BURST_SEED, cfsInterval);

/** The trace file format of `--trace` (sim/workload/trace-file.ts). */
export const burstCsv = (r: CfsRun['requests']): string =>
  writeTraceCsv(
    r.arrivedAt.map((arrivedAt, i) => ({
      arrivedAt,
      numPrefillTokens: r.numPrefillTokens[i]!,
      numDecodeTokens: r.numDecodeTokens[i]!,
    })),
  );
