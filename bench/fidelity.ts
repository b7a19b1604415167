/**
 * Side-by-side comparison with Vidur on its own benchmark: the 2,072 requests Vidur generated
 * (../shared/vidur-data/ground-truth/benchmark.requests.csv) replayed through servelab, against Vidur's
 * per-request output for the same run. Used by test/fidelity and by `npm run fidelity`, which prints
 * the table (and the synthetic-generator runs that show sampling noise separately).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import type { SimulationConfigInput } from '../sim/config/schema.js';
import { distribution, mean } from '../sim/metrics/stats.js';
import { runSimulation } from '../sim/run.js';
import { VIDUR_DATA } from './vidur-data.js';

export { VIDUR_DATA };

const GROUND_TRUTH = join(VIDUR_DATA, 'ground-truth');

export type FidelityRouter = 'lor' | 'round_robin';

export interface LatencyRow {
  readonly completed: number;
  readonly meanE2e: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly meanTtft: number;
}

export interface VidurRun extends LatencyRow {
  /** request id → e2e seconds, completed requests only. */
  readonly e2eById: ReadonlyMap<number, number>;
}

export function readVidurRun(router: FidelityRouter): VidurRun {
  const file = join(GROUND_TRUTH, `llama2-7b_a100_4rep_vllm_${router}_poisson2qps_1000s.request_metrics.csv`);
  const rows = parse(readFileSync(file, 'utf8'), { columns: true, skip_empty_lines: true }) as Record<string, string>[];
  const done = rows.filter((r) => r.request_e2e_time !== '' && r.request_e2e_time !== undefined);
  const e2e = done.map((r) => Number(r.request_e2e_time));
  const d = distribution(e2e);
  return {
    completed: done.length,
    meanE2e: d.mean,
    p50: d.p50,
    p90: d.p90,
    p99: d.p99,
    meanTtft: mean(done.map((r) => Number(r.prefill_e2e_time))),
    e2eById: new Map(done.map((r) => [Number(r['Request Id']), Number(r.request_e2e_time)])),
  };
}

export interface ServelabRun extends LatencyRow {
  readonly e2eById: ReadonlyMap<number, number>;
  readonly requestsPerReplica: Readonly<Record<string, number>>;
  readonly wallSeconds: number;
}

/** The benchmark config (issue 3): Llama-2-7B, A100, TP1, 4 replicas, vllm, 1000 s limit. */
export function benchmarkConfig(router: FidelityRouter, extra: SimulationConfigInput = {}): SimulationConfigInput {
  return {
    model: 'llama-2-7b',
    device: 'a100',
    tp: 1,
    replicas: 4,
    replicaScheduler: 'vllm',
    globalScheduler: router,
    batchSizeCap: 128,
    maxTokensInBatch: 4096,
    blockSize: 16,
    watermarkFraction: 0.01,
    memoryMarginFraction: 0.1,
    timeLimit: 1000,
    writeOutputs: false,
    progress: 'off',
    ...extra,
  };
}

export function runServelab(config: SimulationConfigInput): ServelabRun {
  const { result, summary } = runSimulation(config);
  const done = result.requests.filter((r) => r.completedAt !== undefined);
  return {
    completed: done.length,
    meanE2e: summary.e2e.mean,
    p50: summary.e2e.p50,
    p90: summary.e2e.p90,
    p99: summary.e2e.p99,
    meanTtft: summary.ttft.mean,
    e2eById: new Map(done.map((r) => [r.id, r.completedAt! - r.arrivedAt])),
    requestsPerReplica: summary.requestsPerReplica,
    wallSeconds: result.wallSeconds,
  };
}

export function replayConfig(router: FidelityRouter, model: 'fitted' | 'profiles'): SimulationConfigInput {
  return benchmarkConfig(router, {
    trace: join(GROUND_TRUTH, 'benchmark.requests.csv'),
    executionModel: model,
    ...(model === 'profiles' ? { profiles: join(VIDUR_DATA, 'data', 'profiling') } : {}),
  });
}

/** Median over requests completed in both runs of |ours − Vidur's| / Vidur's e2e. */
export function medianPerRequestError(ours: ReadonlyMap<number, number>, vidur: ReadonlyMap<number, number>): number {
  const errs: number[] = [];
  for (const [id, v] of vidur) {
    const o = ours.get(id);
    if (o !== undefined) errs.push(Math.abs(o - v) / v);
  }
  errs.sort((a, b) => a - b);
  return errs[Math.floor(errs.length / 2)]!;
}

export const relErr = (ours: number, theirs: number): number => (ours - theirs) / theirs;

export function formatRow(label: string, r: LatencyRow, ref?: LatencyRow): string {
  const cell = (x: number, y: number | undefined) =>
    y === undefined ? x.toFixed(3) : `${x.toFixed(3)} (${(100 * relErr(x, y)).toFixed(1)}%)`;
  return `| ${label} | ${r.completed} | ${cell(r.meanE2e, ref?.meanE2e)} | ${cell(r.p50, ref?.p50)} | ${cell(r.p90, ref?.p90)} | ${cell(r.p99, ref?.p99)} | ${cell(r.meanTtft, ref?.meanTtft)} |`;
}

export const TABLE_HEADER =
  '| run | completed | mean e2e (s) | P50 | P90 | P99 | mean TTFT |\n|---|---|---|---|---|---|---|';

if (process.argv[1]?.endsWith('fidelity.ts')) {
  console.log('## Llama-2-7B against Vidur (replayed requests, and the synthetic generator at the same settings)\n');
  console.log(TABLE_HEADER);
  for (const router of ['lor', 'round_robin'] as const) {
    const vidur = readVidurRun(router);
    console.log(formatRow(`Vidur ${router}`, vidur));
    for (const model of ['profiles', 'fitted'] as const) {
      const ours = runServelab(replayConfig(router, model));
      console.log(formatRow(`servelab ${router}, replay, ${model}`, ours, vidur));
      console.error(
        `  ${router}/${model}: per replica ${JSON.stringify(ours.requestsPerReplica)}, median per-request e2e error ${(100 * medianPerRequestError(ours.e2eById, vidur.e2eById)).toFixed(2)}%`,
      );
    }
    for (const seed of [42, 43, 44]) {
      const synth = runServelab(
        benchmarkConfig(router, {
          qps: 2,
          duration: 1000,
          seed,
          lengthsTrace: join(VIDUR_DATA, 'data', 'processed_traces', 'splitwise_conv.csv'),
        }),
      );
      console.log(formatRow(`servelab ${router}, synthetic seed ${seed}`, synth, vidur));
    }
  }
}

if (process.argv[1]?.endsWith('fidelity.ts')) {
  console.log('\n## servelab only: models and replica schedulers on the same replayed requests (committed tables)\n');
  console.log(TABLE_HEADER);
  for (const model of ['llama-2-7b', 'llama-3-8b'] as const) {
    for (const scheduler of ['vllm', 'sarathi'] as const) {
      for (const router of ['lor', 'round_robin'] as const) {
        const ours = runServelab({ ...replayConfig(router, 'fitted'), model, replicaScheduler: scheduler });
        console.log(formatRow(`${model} ${scheduler} ${router}`, ours));
      }
    }
  }
}
