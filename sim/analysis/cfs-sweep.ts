/**
 * The CFS interval sweep: the same workload once per CFS interval on `vllm-v0` replicas (a CFS
 * scheduler module, or the engine's vllm-v0, which has no CFS step and so runs FCFS at every
 * interval), and per interval: P99 and mean TTFT, P99 and mean TPOT, the TTFT of prompts 10 and 40
 * (issue order), KV-cache peaks (vLLM's stats log: GPU and CPU KV usage, running, pending and
 * swapped requests) and swap traffic. The command around it is sim/cli/cfs-sweep-command.ts.
 */
import { buildSimulation, type BuildOptions } from '../config/build.js';
import type { SimulationConfig } from '../config/schema.js';
import { Simulator, type SimulationResult } from '../engine/simulator.js';
import type { UsageSample } from '../report/usage-recorder.js';
import { InputError } from '../errors.js';
import { kvUsagePeaks, latenciesInIssueOrder } from '../metrics/kv-usage.js';
import { requestMetricsCsv } from '../metrics/request-metrics.js';
import { mean, percentile } from '../metrics/stats.js';
import type { ReplicaSchedulerClass } from '../policies/replica/registry.js';
import type { ReplicaSchedulerInit } from '../policies/replica/replica-scheduler.js';
import {
  vllmV0Options,
  VllmV0ReplicaScheduler,
  type KvUsageSample,
  type VllmV0Options,
} from '../policies/replica/vllm-v0-replica-scheduler.js';

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

export function kvUsageCsv(samples: readonly KvUsageSample[], gpuBlocks: number, cpuBlocks: number): string {
  const lines = ['time,gpu_kv_blocks,gpu_kv_percent,cpu_kv_blocks,cpu_kv_percent,running,swapped,waiting'];
  const pct = (used: number, total: number) => (total === 0 ? 0 : Math.round((1e6 * used) / total) / 1e4);
  for (const s of samples) {
    lines.push(
      [
        Math.round(s.time * 1e9) / 1e9,
        s.gpuBlocksUsed,
        pct(s.gpuBlocksUsed, gpuBlocks),
        s.cpuBlocksUsed,
        pct(s.cpuBlocksUsed, cpuBlocks),
        s.running,
        s.swapped,
        s.waiting,
      ].join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}

type VllmV0Class = new (init: ReplicaSchedulerInit, options: VllmV0Options) => VllmV0ReplicaScheduler;

function isVllmV0Class(cls: ReplicaSchedulerClass): cls is VllmV0Class & ReplicaSchedulerClass {
  return cls === VllmV0ReplicaScheduler || cls.prototype instanceof VllmV0ReplicaScheduler;
}

const NEEDS_VLLM_V0 =
  '--cfs-interval-sweep needs vllm-v0 replicas: add --replica-scheduler vllm-v0 or a CFS --replica-scheduler-module';

/**
 * The sweep's replicas: `vllm-v0` or a module's subclass of it, with the config's options and every
 * batch's KV usage recorded (the sweep's peaks and kv_usage.csv read it).
 */
function recordingFactory(config: SimulationConfig, options: BuildOptions): BuildOptions['makeReplicaScheduler'] {
  if (options.makeReplicaScheduler !== undefined) return options.makeReplicaScheduler;
  const cls =
    options.replicaSchedulerClass ?? (config.replicaScheduler === 'vllm-v0' ? VllmV0ReplicaScheduler : undefined);
  if (cls === undefined || !isVllmV0Class(cls)) throw new InputError(NEEDS_VLLM_V0);
  const v0Options = vllmV0Options(config, true);
  return (init) => new cls(init, v0Options);
}

/** One run per interval (same workload, same seed). */
export function runCfsSweep(
  config: SimulationConfig,
  intervals: readonly number[],
  options: BuildOptions = {},
): SweepRun[] {
  return intervals.map((interval) => {
    const c: SimulationConfig = { ...config, cfsInterval: interval };
    const simulator = new Simulator(
      buildSimulation(c, { ...options, makeReplicaScheduler: recordingFactory(c, options) }),
    );
    const result = simulator.run();
    const replicas = simulator.cluster.replicas.filter(
      (r): r is VllmV0ReplicaScheduler => r instanceof VllmV0ReplicaScheduler,
    );
    if (replicas.length === 0) throw new InputError(NEEDS_VLLM_V0);
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
    return {
      row,
      requestMetricsCsv: requestMetricsCsv(result.requests),
      kvUsageCsv: kvUsageCsv(first.usage, gpuBlocks, cpuBlocks),
      result,
      usage,
    };
  });
}
