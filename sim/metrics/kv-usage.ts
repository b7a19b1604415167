/**
 * Per-request latencies in issue order and KV-cache usage over time: what the CFS homework plots
 * (TTFT and TPOT per prompt as issued; GPU and CPU KV usage, running, swapped and pending requests
 * as vLLM's stats log prints them). Pure functions over a finished run.
 */
import type { Request } from '../entities/request.js';
import type { KvUsageSample } from '../policies/replica/vllm-v0-replica-scheduler.js';

export interface IssueOrderLatencies {
  /** Request ids by arrival (ties by id): the order the client issued them. */
  readonly ids: number[];
  /** Seconds; null for a request that never got its first token. */
  readonly ttft: (number | null)[];
  /** Seconds per output token after the first; null if unfinished or with a single output token. */
  readonly tpot: (number | null)[];
}

export function latenciesInIssueOrder(requests: readonly Request[]): IssueOrderLatencies {
  const sorted = [...requests].sort((a, b) => a.arrivedAt - b.arrivedAt || a.id - b.id);
  return {
    ids: sorted.map((r) => r.id),
    ttft: sorted.map((r) => (r.prefillCompletedAt === undefined ? null : r.prefillCompletedAt - r.arrivedAt)),
    tpot: sorted.map((r) =>
      r.completedAt === undefined || r.prefillCompletedAt === undefined || r.numDecodeTokens <= 1
        ? null
        : (r.completedAt - r.prefillCompletedAt) / (r.numDecodeTokens - 1),
    ),
  };
}

export interface KvUsagePeaks {
  /** Highest share of GPU blocks in use at a batch start, percent. */
  readonly peakGpuPercent: number;
  /** Requests running and waiting at the first sample with that peak. */
  readonly runningAtPeak: number;
  readonly waitingAtPeak: number;
  readonly peakCpuPercent: number;
  readonly peakCpuBlocks: number;
  readonly peakSwapped: number;
  readonly peakWaiting: number;
  /** Time-weighted mean GPU usage between the first and the last sample, percent. */
  readonly meanGpuPercent: number;
}

export function kvUsagePeaks(samples: readonly KvUsageSample[], gpuBlocks: number, cpuBlocks: number): KvUsagePeaks {
  let peakGpu = -1;
  let runningAtPeak = 0;
  let waitingAtPeak = 0;
  let peakCpuBlocks = 0;
  let peakSwapped = 0;
  let peakWaiting = 0;
  let area = 0;
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i]!;
    if (s.gpuBlocksUsed > peakGpu) {
      peakGpu = s.gpuBlocksUsed;
      runningAtPeak = s.running;
      waitingAtPeak = s.waiting;
    }
    peakCpuBlocks = Math.max(peakCpuBlocks, s.cpuBlocksUsed);
    peakSwapped = Math.max(peakSwapped, s.swapped);
    peakWaiting = Math.max(peakWaiting, s.waiting);
    if (i + 1 < samples.length) area += s.gpuBlocksUsed * (samples[i + 1]!.time - s.time);
  }
  const span = samples.length > 1 ? samples[samples.length - 1]!.time - samples[0]!.time : 0;
  return {
    peakGpuPercent: samples.length === 0 ? 0 : (100 * peakGpu) / gpuBlocks,
    runningAtPeak,
    waitingAtPeak,
    peakCpuPercent: cpuBlocks === 0 ? 0 : (100 * peakCpuBlocks) / cpuBlocks,
    peakCpuBlocks,
    peakSwapped,
    peakWaiting,
    meanGpuPercent:
      span > 0
        ? (100 * area) / span / gpuBlocks
        : samples.length === 1
          ? (100 * samples[0]!.gpuBlocksUsed) / gpuBlocks
          : 0,
  };
}

/** Usage over time as [time, percent] points (GPU, CPU), at most `maxPoints` (every k-th sample, plus the last). */
export function kvUsageSeries(
  samples: readonly KvUsageSample[],
  gpuBlocks: number,
  cpuBlocks: number,
  maxPoints = 400,
): { gpu: [number, number][]; cpu: [number, number][] } {
  const step = Math.max(1, Math.ceil(samples.length / maxPoints));
  const gpu: [number, number][] = [];
  const cpu: [number, number][] = [];
  for (let i = 0; i < samples.length; i += step) push(samples[i]!);
  if (samples.length > 0 && (samples.length - 1) % step !== 0) push(samples[samples.length - 1]!);
  return { gpu, cpu };
  function push(s: KvUsageSample) {
    gpu.push([s.time, (100 * s.gpuBlocksUsed) / gpuBlocks]);
    cpu.push([s.time, cpuBlocks === 0 ? 0 : (100 * s.cpuBlocksUsed) / cpuBlocks]);
  }
}
