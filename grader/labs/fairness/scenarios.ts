/**
 * Measuring the fairness scenarios in the parent: the student's runs replayed in the grader's engine,
 * the reference solution and FCFS run on the same workloads, and each check's verdict with a bound
 * taken from the reference's own behaviour in the same run.
 */
import { createHash } from 'node:crypto';
import type { SimulationResult } from '../../../sim/engine/simulator.js';
import {
  SERVICE_WEIGHTS,
  ServiceRecorder,
  serviceByClient,
  serviceDifference,
  ticks,
  vtcFairnessBound,
  windowedServiceRate,
  type ServiceLog,
} from '../../../sim/metrics/fairness.js';
import { REPLICA_SCHEDULERS } from '../../../sim/policies/replica/registry.js';
import type { ReplicaScheduler, ReplicaSchedulerInit } from '../../../sim/policies/replica/replica-scheduler.js';
import { importReference } from '../../core/reference.js';
import { lineChart, type Plot } from '../../report/charts.js';
import type { ScenarioResultWire, ScenarioRun } from './protocol.js';
import { ReplayError, ReplayReplicaScheduler } from '../../kit/batch-replay.js';
import { SCENARIO_CLUSTER, simulateScenario, type SchedulerFactory } from './simulate.js';
import type { RecordedRun, TimelinePair } from '../../report/timeline-view.js';
import { reportRecorder, timelinePair } from '../../kit/timelines.js';
import { CLASS_NAMES } from './situation.js';
import type { Check, WorkloadDef } from './workloads.js';

export const REFERENCE_DIR = 'reference/fairness';

/** What the checks need from one run. */
export interface RunMetrics {
  readonly duration: number;
  readonly log: ServiceLog;
  readonly clientId: readonly number[];
  readonly arrivedAt: readonly number[];
  /** Time to first token, or undefined if the prefill never completed within the run. */
  readonly ttft: readonly (number | undefined)[];
}

function metricsOf(run: ScenarioRun, result: SimulationResult, recorder: ServiceRecorder): RunMetrics {
  return {
    duration: run.duration,
    log: recorder.log,
    clientId: result.requests.map((r) => r.clientId),
    arrivedAt: result.requests.map((r) => r.arrivedAt),
    ttft: result.requests.map((r) =>
      r.prefillCompletedAt === undefined ? undefined : r.prefillCompletedAt - r.arrivedAt,
    ),
  };
}

function measure(run: ScenarioRun, make: SchedulerFactory): RunMetrics {
  const recorder = new ServiceRecorder();
  const result = simulateScenario(run, make, [recorder]);
  return metricsOf(run, result, recorder);
}

// Reference and FCFS runs are pure functions of the workload, and the student's replays of the
// workload and the decision log: cached by content, so items sharing runs (and regrades in one
// process, e.g. the test suite) do not simulate twice. Bounded, oldest out first.
const CACHE_LIMIT = 48;
const cache = new Map<string, Promise<RunMetrics | { problem: string }>>();
const digest = (text: string) => createHash('sha1').update(text).digest('hex');

function cached(
  key: string,
  compute: () => Promise<RunMetrics | { problem: string }>,
): Promise<RunMetrics | { problem: string }> {
  let hit = cache.get(key);
  if (hit === undefined) {
    hit = compute();
    cache.set(key, hit);
    if (cache.size > CACHE_LIMIT) cache.delete(cache.keys().next().value!);
  }
  return hit;
}

const runKey = (run: ScenarioRun) => digest(JSON.stringify(run));

export async function referenceMetrics(run: ScenarioRun, repoRoot: string): Promise<RunMetrics> {
  const result = await cached(`reference|${runKey(run)}`, async () => {
    const { file, name } = CLASS_NAMES[run.scheduler];
    const module = await importReference<Record<string, unknown>>(repoRoot, REFERENCE_DIR, file);
    const Cls = module[name] as new (init: ReplicaSchedulerInit) => ReplicaScheduler;
    return measure(run, (init) => new Cls(init));
  });
  return result as RunMetrics;
}

export async function fcfsMetrics(run: ScenarioRun): Promise<RunMetrics> {
  const result = await cached(`fcfs|${runKey(run)}`, async () =>
    measure(run, REPLICA_SCHEDULERS[run.scheduler === 'vtc' ? 'vllm' : 'sarathi'].create),
  );
  return result as RunMetrics;
}

/** The student's run, replayed from its decision log; a problem if the log breaks the engine's rules. */
export function studentMetrics(
  run: ScenarioRun,
  wire: ScenarioResultWire | undefined,
): Promise<RunMetrics | { problem: string }> {
  if (wire === undefined) return Promise.resolve({ problem: 'no result for this workload' });
  return cached(`student|${runKey(run)}|${digest(JSON.stringify(wire.log))}`, async () => {
    let replay: ReplayReplicaScheduler | undefined;
    try {
      const recorder = new ServiceRecorder();
      const result = simulateScenario(
        run,
        (init) => (replay = new ReplayReplicaScheduler(init, wire.log, run.scheduler === 'vtc' ? 'vllm' : 'sarathi')),
        [recorder],
      );
      if (replay!.remaining)
        return {
          problem: `the scheduler reported ${wire.calls} getNextBatch calls, more than the replay made: the schedule did not follow the engine's rules`,
        };
      return metricsOf(run, result, recorder);
    } catch (err) {
      const message = err instanceof ReplayError ? err.message : `${(err as Error).name}: ${(err as Error).message}`;
      return { problem: `your scheduler's batches break the engine's rules: ${message}` };
    }
  });
}

// ---- checks ---------------------------------------------------------------------------------

/** U = max(w_p·longest prompt, w_q·KV tokens) for the workload (paper §4, Theorem 4.4). */
export function fairnessU(def: WorkloadDef): number {
  const longestPrompt = Math.max(...def.clients.map((c) => c.prefillMax ?? c.prefill ?? 256));
  return vtcFairnessBound(longestPrompt, SCENARIO_CLUSTER.numBlocks * SCENARIO_CLUSTER.blockSize) / 2;
}

export function checkValue(check: Check, m: RunMetrics, def: WorkloadDef): number {
  switch (check.kind) {
    case 'difference':
      return serviceDifference(m.log, { clients: check.clients, from: check.from, to: check.to ?? m.duration }).max;
    case 'periods':
      return Math.max(
        ...check.periods.map(([from, to]) => serviceDifference(m.log, { clients: check.clients, from, to }).max),
      );
    case 'shares': {
      const service = serviceByClient(m.log, check.from, m.duration);
      const perWeight = check.clients.map((c) => (service.get(c) ?? 0) / (def.weights[c] ?? 1));
      const mean = perWeight.reduce((a, b) => a + b, 0) / perWeight.length;
      return mean > 0 ? Math.max(...perWeight.map((x) => Math.abs(x / mean - 1))) : Number.POSITIVE_INFINITY;
    }
    case 'latency': {
      let sum = 0;
      let n = 0;
      m.clientId.forEach((c, i) => {
        const at = m.arrivedAt[i]!;
        if (c !== check.client || at < check.from || at >= check.to) return;
        sum += m.ttft[i] ?? m.duration - at;
        n++;
      });
      return n === 0 ? 0 : sum / n;
    }
    case 'throughput': {
      let total = 0;
      for (const s of m.log.service) total += s;
      return total / m.duration;
    }
  }
}

export interface CheckVerdict {
  readonly passed: boolean;
  readonly value: number;
  readonly reference: number;
  readonly fcfs: number;
  /** The limit applied, and how it reads ("≤ 23 100"). */
  readonly limit: number;
  readonly rule: string;
}

/**
 * Bounds from the reference on the same workload: a service difference may exceed the reference's
 * by U (never the paper's 2U); weighted shares may be off by 10% or twice the reference's error;
 * the light client's TTFT may be twice the reference's or 1 s more; throughput at least 95% of FCFS.
 */
export function judge(check: Check, def: WorkloadDef, value: number, reference: number, fcfs: number): CheckVerdict {
  const u = fairnessU(def);
  switch (check.kind) {
    case 'difference':
    case 'periods': {
      const limit = Math.min(2 * u, Math.max(2 * reference, reference + u));
      return {
        passed: value <= limit,
        value,
        reference,
        fcfs,
        limit,
        rule: `≤ min(2U, max(2 × reference, reference + U)), U = ${u}`,
      };
    }
    case 'shares': {
      const limit = Math.max(0.1, 2 * reference);
      return {
        passed: value <= limit,
        value,
        reference,
        fcfs,
        limit,
        rule: 'largest deviation ≤ max(10%, 2 × reference)',
      };
    }
    case 'latency': {
      const limit = Math.max(2 * reference, reference + 1);
      return { passed: value <= limit, value, reference, fcfs, limit, rule: '≤ max(2 × reference, reference + 1 s)' };
    }
    case 'throughput': {
      const limit = 0.95 * fcfs;
      return { passed: value >= limit, value, reference, fcfs, limit, rule: '≥ 95% of FCFS' };
    }
  }
}

export function formatValue(check: Check, x: number): string {
  if (!Number.isFinite(x)) return '-';
  switch (check.kind) {
    case 'shares':
      return `${(100 * x).toFixed(1)}%`;
    case 'latency':
      return `${x.toFixed(2)} s`;
    case 'throughput':
      return `${x.toFixed(0)}/s`;
    default:
      return x.toFixed(0);
  }
}

// ---- plots ----------------------------------------------------------------------------------

/** At most `bins` points, keeping each bin's largest value so peaks survive. */
function downsample(points: readonly [number, number][], bins: number, end: number): [number, number][] {
  if (points.length <= bins) return [...points];
  const out: [number, number][] = [];
  const width = end / bins;
  let bin = -1;
  for (const [x, y] of points) {
    const b = Math.min(bins - 1, Math.floor(x / width));
    if (b !== bin) {
      out.push([x, y]);
      bin = b;
    } else if (y > out[out.length - 1]![1]) out[out.length - 1] = [x, y];
  }
  return out;
}

export interface PlotChoice {
  /** Per-client service rate over time on this workload. */
  readonly rates: {
    readonly workload: WorkloadDef;
    readonly clients: readonly number[];
    readonly yours: RunMetrics;
    readonly reference: RunMetrics;
  };
  /** Accumulated service difference on this workload, from `from` (when the compared clients are all backlogged). */
  readonly difference: {
    readonly workload: WorkloadDef;
    readonly clients: readonly number[];
    readonly from: number;
    readonly yours: RunMetrics;
    readonly reference: RunMetrics;
    readonly fcfs: RunMetrics;
  };
}

export function scenarioPlots(choice: PlotChoice): Plot[] {
  const window = 30;
  const r = choice.rates;
  const at = ticks(0, r.workload.duration, 40);
  const rates = r.clients.flatMap((c) => [
    { name: `yours, client ${c}`, points: windowedServiceRate(r.yours.log, c, at, window, r.workload.duration) },
    {
      name: `reference, client ${c}`,
      points: windowedServiceRate(r.reference.log, c, at, window, r.workload.duration),
      dashed: true,
    },
  ]);
  const d = choice.difference;
  const def = d.workload;
  const series = (m: RunMetrics) =>
    serviceDifference(m.log, { clients: d.clients, from: d.from, to: def.duration, weights: def.weights });
  const u = fairnessU(def);
  const fcfs = series(d.fcfs);
  return [
    lineChart({
      title: `Service rate per client, ${r.workload.label} (${window} s windows; w_p = ${SERVICE_WEIGHTS.prefill}, w_q = ${SERVICE_WEIGHTS.decode})`,
      x: 'time (s)',
      y: 'service per second',
      series: rates,
    }),
    lineChart({
      title: `Accumulated service difference, ${def.label}, from t = ${d.from} s`,
      x: 'time (s)',
      y: def.weights.length > 0 ? 'max − min of service / weight' : 'max − min of service',
      series: [
        { name: 'yours', points: downsample(series(d.yours).points, 200, def.duration) },
        { name: 'reference', points: downsample(series(d.reference).points, 200, def.duration), dashed: true },
        // FCFS only when it fits the scale; in overload it grows without bound and would flatten the rest.
        ...(fcfs.max <= 6 * u ? [{ name: 'FCFS', points: downsample(fcfs.points, 200, def.duration) }] : []),
        {
          name: 'paper bound 2U',
          points: [
            [d.from, 2 * u],
            [def.duration, 2 * u],
          ],
        },
      ],
      step: true,
    }),
  ];
}

// ---- timelines ------------------------------------------------------------------------------

/**
 * The student's replayed run and the reference's on one workload, recorded for the report's
 * side-by-side timeline; undefined when the student's log cannot be replayed (the item says why).
 */
export async function scenarioTimelines(
  run: ScenarioRun,
  wire: ScenarioResultWire | undefined,
  repoRoot: string,
  workload: string,
): Promise<TimelinePair | undefined> {
  if (wire === undefined) return undefined;
  let student: RecordedRun;
  try {
    const recorder = reportRecorder();
    const result = simulateScenario(
      run,
      (init) => new ReplayReplicaScheduler(init, wire.log, run.scheduler === 'vtc' ? 'vllm' : 'sarathi'),
      [recorder],
    );
    student = { recorder, endTime: result.endTime };
  } catch {
    return undefined;
  }
  return timelinePair(workload, student, async () => {
    const { file, name } = CLASS_NAMES[run.scheduler];
    const module = await importReference<Record<string, unknown>>(repoRoot, REFERENCE_DIR, file);
    const Cls = module[name] as new (init: ReplicaSchedulerInit) => ReplicaScheduler;
    const recorder = reportRecorder();
    const result = simulateScenario(run, (init) => new Cls(init), [recorder]);
    return { recorder, endTime: result.endTime };
  });
}
