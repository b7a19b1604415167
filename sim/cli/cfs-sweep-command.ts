/**
 * `npm run sim -- … --cfs-interval-sweep 0,5,10,20,40`: the CFS interval sweep (sim/analysis/cfs-sweep.ts)
 * printed as one row per interval. With `--write-outputs` (the default) each interval's
 * request_metrics.csv and kv_usage.csv go under the run directory, in `interval-<N>/`; with `--plots DIR`
 * the runs' TTFT/TPOT CDFs, TTFT/TPOT per request and KV/swap usage go into DIR, one series per
 * interval (sim/report/compare-plots.ts).
 *
 * The engine's own vllm-v0 has no CFS step (every interval then runs FCFS); pass a CFS scheduler
 * module with `--replica-scheduler-module` (traces/cfs-homework.json does).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { runCfsSweep, type SweepRow, type SweepRun } from '../analysis/cfs-sweep.js';
import type { BuildOptions } from '../config/build.js';
import type { SimulationConfig } from '../config/schema.js';
import { InputError } from '../errors.js';
import { comparePlots } from '../report/compare-plots.js';
import { writePlots } from '../report/run-plots.js';
import { runDirectory } from './output.js';

export function parseIntervals(text: string): number[] {
  const intervals = text.split(',').map((s) => Number(s.trim()));
  if (intervals.some((n) => !Number.isInteger(n) || n < 0))
    throw new InputError(`--cfs-interval-sweep expects whole numbers ≥ 0 separated by commas, got "${text}"`);
  return intervals;
}

const f = (x: number | null, digits: number) => (x === null || !Number.isFinite(x) ? '-' : x.toFixed(digits));

export function sweepTable(rows: readonly SweepRow[]): string {
  const header = [
    'interval',
    'p99 TTFT s',
    'mean TTFT s',
    'p99 TPOT ms',
    'mean TPOT ms',
    'TTFT #10 s',
    'TTFT #40 s',
    'peak GPU KV %',
    'running/pending at peak',
    'peak CPU KV %',
    'peak swapped',
    'swap-outs',
    'swap time s',
    'end s',
  ];
  const body = rows.map((r) => [
    String(r.interval) + (r.interval === 0 ? ' (FCFS)' : ''),
    f(r.p99Ttft, 2),
    f(r.meanTtft, 2),
    f(1000 * r.p99Tpot, 1),
    f(1000 * r.meanTpot, 1),
    f(r.ttftPrompt10, 2),
    f(r.ttftPrompt40, 2),
    f(r.peakGpuPercent, 1),
    `${r.runningAtPeak}/${r.waitingAtPeak}`,
    f(r.peakCpuPercent, 1),
    String(r.peakSwapped),
    String(r.swapOuts),
    f(r.swapSeconds, 3),
    f(r.endTime, 1),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), ...body.map(line)].join('\n');
}

export function describeSweep(config: SimulationConfig, rows: readonly SweepRow[]): string {
  const r = rows[0];
  const incomplete = rows
    .filter((x) => x.completed < x.requests)
    .map((x) => `interval ${x.interval}: ${x.completed}/${x.requests} completed`);
  return [
    `CFS interval sweep: ${r?.requests ?? 0} requests, ${config.model} on ${config.tp} × ${config.device} (TP ${config.tp}), ${r?.gpuBlocks ?? '?'} GPU blocks, ` +
      `${r?.cpuBlocks ?? '?'} CPU blocks (${config.swapSpace} GiB/GPU), preemption by ${config.preemptionMode}` +
      (config.replicaSchedulerModule !== undefined
        ? `, scheduler ${config.replicaSchedulerModule}`
        : ' (engine vllm-v0: no CFS step, every interval runs FCFS)'),
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
  writeFileSync(join(dir, 'config.json'), `${JSON.stringify(config, null, 2)}\n`);
  writeFileSync(
    join(dir, 'sweep.json'),
    `${JSON.stringify(
      runs.map((r) => r.row),
      null,
      2,
    )}\n`,
  );
}

/** Runs the sweep the config asks for, prints its table and writes its files and plots. */
export async function cfsSweepCommand(config: SimulationConfig, options: BuildOptions, startedAt: Date): Promise<void> {
  const runs = runCfsSweep(config, parseIntervals(config.cfsIntervalSweep ?? ''), options);
  console.log(
    describeSweep(
      config,
      runs.map((r) => r.row),
    ),
  );
  if (config.writeOutputs) {
    const dir = runDirectory(config, startedAt);
    writeSweep(dir, config, runs);
    console.log(`wrote      ${dir}/{config.json,sweep.json,interval-<N>/{request_metrics.csv,kv_usage.csv}}`);
  }
  if (config.plots !== undefined) {
    const labelled = runs.map((r) => ({
      label: `interval ${r.row.interval}${r.row.interval === 0 ? ' (FCFS)' : ''}`,
      result: r.result,
      usage: r.usage,
    }));
    const written = await writePlots(resolve(config.plots), comparePlots(labelled));
    console.log(`plots      ${resolve(config.plots)}/{${written.join(',')}}`);
  }
}
