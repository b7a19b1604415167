/**
 * `npm run sim -- … --cfs-interval-sweep 0,5,10,20,40`: runs the same workload once per CFS interval
 * on `vllm-v0` replicas and prints one row per interval: P99 and mean TTFT, P99 and mean TPOT, the
 * TTFT of prompts 10 and 40 (issue order), KV-cache peaks (vLLM's stats log: GPU and CPU KV usage,
 * running, pending and swapped requests) and swap traffic. With `--write-outputs` (the default) each
 * interval's request_metrics.csv and kv_usage.csv go under the run directory, in `interval-<N>/`; with
 * `--plots DIR` the runs' TTFT/TPOT CDFs, TTFT/TPOT per request and KV/swap usage go into DIR, one series
 * per interval (sim/report/compare-plots.ts).
 *
 * The engine's own vllm-v0 has no CFS step (every interval then runs FCFS); pass a CFS scheduler
 * module, e.g. `--replica-scheduler-module starter/cfs/cfs-scheduler.ts` (traces/cfs-homework.json does).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSimulation, vllmV0Options } from '../config/build.js';
import type { SimulationConfig } from '../config/schema.js';
import { Simulator, type SimulationResult } from '../engine/simulator.js';
import type { UsageSample } from '../report/usage-recorder.js';
import { InputError } from '../errors.js';
import { kvUsagePeaks, latenciesInIssueOrder } from '../metrics/kv-usage.js';
import { requestMetricsCsv } from '../metrics/request-metrics.js';
import { mean, percentile } from '../metrics/stats.js';
import type { BuildOptions } from '../config/build.js';
import { VllmV0ReplicaScheduler, type KvUsageSample } from '../policies/replica/vllm-v0-replica-scheduler.js';

export interface SweepRow {
  readonly interval: number;
  readonly completed: number;
  readonly requests: number;
  readonly p99Ttft: number;
  readonly meanTtft: number;
  readonly p99Tpot: number;
  readonly meanTpot: number;
  /** TTFT of the 10th and 40th prompt in issue order (null when the run has fewer, or they never started). */
  readonly ttftPrompt10: number | null;
  readonly ttftPrompt40: number | null;
  readonly gpuBlocks: number;
  readonly cpuBlocks: number;
  readonly peakGpuPercent: number;
  readonly runningAtPeak: number;
  readonly waitingAtPeak: number;
  readonly peakCpuPercent: number;
  readonly peakSwapped: number;
  readonly swapOuts: number;
  readonly preemptions: number;
  readonly swapSeconds: number;
  readonly endTime: number;
}

export interface SweepRun {
  readonly row: SweepRow;
  readonly requestMetricsCsv: string;
  readonly kvUsageCsv: string;
  /** The finished run and its first replica's KV usage (for `--plots`). */
  readonly result: SimulationResult;
  readonly usage: readonly UsageSample[];
}

export function parseIntervals(text: string): number[] {
  const intervals = text.split(',').map((s) => Number(s.trim()));
  if (intervals.some((n) => !Number.isInteger(n) || n < 0)) throw new InputError(`--cfs-interval-sweep expects whole numbers ≥ 0 separated by commas, got "${text}"`);
  return intervals;
}

export function kvUsageCsv(samples: readonly KvUsageSample[], gpuBlocks: number, cpuBlocks: number): string {
  const lines = ['time,gpu_kv_blocks,gpu_kv_percent,cpu_kv_blocks,cpu_kv_percent,running,swapped,waiting'];
  const pct = (used: number, total: number) => (total === 0 ? 0 : Math.round((1e6 * used) / total) / 1e4);
  for (const s of samples) {
    lines.push([Math.round(s.time * 1e9) / 1e9, s.gpuBlocksUsed, pct(s.gpuBlocksUsed, gpuBlocks), s.cpuBlocksUsed, pct(s.cpuBlocksUsed, cpuBlocks), s.running, s.swapped, s.waiting].join(','));
  }
  return `${lines.join('\n')}\n`;
}

/** One run per interval (same workload, same seed). */
export function runCfsSweep(config: SimulationConfig, intervals: readonly number[], options: BuildOptions = {}): SweepRun[] {
  return intervals.map((interval) => {
    const c: SimulationConfig = { ...config, cfsInterval: interval };
    const setup = buildSimulation(c, options);
    const simulator = new Simulator({ ...setup, vllmV0: vllmV0Options(c, true) });
    const result = simulator.run();
    const replicas = simulator.cluster.replicas.filter((r): r is VllmV0ReplicaScheduler => r instanceof VllmV0ReplicaScheduler);
    if (replicas.length === 0) throw new InputError('--cfs-interval-sweep needs vllm-v0 replicas: add --replica-scheduler vllm-v0 or a CFS --replica-scheduler-module');
    const first = replicas[0]!;
    const lat = latenciesInIssueOrder(result.requests);
    const ttft = lat.ttft.filter((x): x is number => x !== null);
    const tpot = lat.tpot.filter((x): x is number => x !== null);
    const gpuBlocks = first.kv.numBlocks;
    const cpuBlocks = first.cpu.numBlocks;
    // One replica in the homework's setup; with several, the peaks are the first replica's.
    const peaks = kvUsagePeaks(first.usage, gpuBlocks, cpuBlocks);
    const row: SweepRow = {
      interval,
      completed: result.numCompleted,
      requests: result.requests.length,
      p99Ttft: percentile(ttft, 99),
      meanTtft: mean(ttft),
      p99Tpot: percentile(tpot, 99),
      meanTpot: mean(tpot),
      ttftPrompt10: lat.ttft[9] ?? null,
      ttftPrompt40: lat.ttft[39] ?? null,
      gpuBlocks,
      cpuBlocks,
      peakGpuPercent: peaks.peakGpuPercent,
      runningAtPeak: peaks.runningAtPeak,
      waitingAtPeak: peaks.waitingAtPeak,
      peakCpuPercent: peaks.peakCpuPercent,
      peakSwapped: peaks.peakSwapped,
      swapOuts: replicas.reduce((s, r) => s + r.numSwapOuts, 0),
      preemptions: result.numPreemptions,
      swapSeconds: replicas.reduce((s, r) => s + r.swapSeconds, 0),
      endTime: result.endTime,
    };
    const usage = first.usage.map((u) => ({ ...u, replicaId: first.replicaId, gpuBlocks, cpuBlocks }));
    return { row, requestMetricsCsv: requestMetricsCsv(result.requests), kvUsageCsv: kvUsageCsv(first.usage, gpuBlocks, cpuBlocks), result, usage };
  });
}

const f = (x: number | null, digits: number) => (x === null || !Number.isFinite(x) ? '-' : x.toFixed(digits));

export function sweepTable(rows: readonly SweepRow[]): string {
  const header = ['interval', 'p99 TTFT s', 'mean TTFT s', 'p99 TPOT ms', 'mean TPOT ms', 'TTFT #10 s', 'TTFT #40 s', 'peak GPU KV %', 'running/pending at peak', 'peak CPU KV %', 'peak swapped', 'swap-outs', 'swap time s', 'end s'];
  const body = rows.map((r) => [
    String(r.interval) + (r.interval === 0 ? ' (FCFS)' : ''),
    f(r.p99Ttft, 2), f(r.meanTtft, 2), f(1000 * r.p99Tpot, 1), f(1000 * r.meanTpot, 1), f(r.ttftPrompt10, 2), f(r.ttftPrompt40, 2),
    f(r.peakGpuPercent, 1), `${r.runningAtPeak}/${r.waitingAtPeak}`, f(r.peakCpuPercent, 1), String(r.peakSwapped), String(r.swapOuts), f(r.swapSeconds, 3), f(r.endTime, 1),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), ...body.map(line)].join('\n');
}

export function describeSweep(config: SimulationConfig, rows: readonly SweepRow[]): string {
  const r = rows[0];
  const incomplete = rows.filter((x) => x.completed < x.requests).map((x) => `interval ${x.interval}: ${x.completed}/${x.requests} completed`);
  return [
    `CFS interval sweep: ${r?.requests ?? 0} requests, ${config.model} on ${config.tp} × ${config.device} (TP ${config.tp}), ${r?.gpuBlocks ?? '?'} GPU blocks, ` +
      `${r?.cpuBlocks ?? '?'} CPU blocks (${config.swapSpace} GiB/GPU), preemption by ${config.preemptionMode}` +
      (config.replicaSchedulerModule !== undefined ? `, scheduler ${config.replicaSchedulerModule}` : ' (engine vllm-v0: no CFS step, every interval runs FCFS)'),
    sweepTable(rows),
    ...incomplete.map((s) => `warning: ${s}`),
  ].join('\n');
}

export function writeSweep(dir: string, config: SimulationConfig, runs: readonly SweepRun[]): void {
  for (const run of runs) {
    const sub = join(dir, `interval-${run.row.interval}`);
    mkdirSync(sub, { recursive: true });
    writeFileSync(join(sub, 'request_metrics.csv'), run.requestMetricsCsv);
    writeFileSync(join(sub, 'kv_usage.csv'), run.kvUsageCsv);
  }
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config, null, 2) + '\n');
  writeFileSync(join(dir, 'sweep.json'), JSON.stringify(runs.map((r) => r.row), null, 2) + '\n');
}
