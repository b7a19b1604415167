/**
 * The deadline lab's server and workloads, shared by the child (running the student's scheduler) and the parent
 * (replaying its batches; running the reference, FCFS and EDF), so every policy sees the same replica and requests.
 * The server is traces/deadline-lab.json's (labs/deadline/README.md explains each choice: batch tiers' deadlines
 * compressed ×0.1 so a 2,048-request run can miss them, α scaled with them, tiers uniform).
 */
import labServer from '../../../traces/deadline-lab.json' with { type: 'json' };
import { atRate, findCapacity } from '../../../sim/analysis/capacity.js';
import { loadRequests } from '../../../sim/config/build.js';
import type { SimulationObserver, SimulationResult } from '../../../sim/engine/simulator.js';
import type { Request } from '../../../sim/entities/request.js';
import { deadlineViolations, type DeadlineReport } from '../../../sim/metrics/deadlines.js';
import { deadlineOptions, type DeadlineOptions } from '../../../sim/policies/replica/deadline/deadline-options.js';
import type { ReplicaScheduler, ReplicaSchedulerInit } from '../../../sim/policies/replica/replica-scheduler.js';
import { derivedSeed } from '../../kit/seeds.js';
import { quietConfig, runSimulation } from '../../kit/simulation.js';
import { fromWire, toWire } from '../../kit/wire.js';
import type { CapacityTrace, Workload, WorkloadLengths } from './schemas.js';

/** Builds a replica with the lab server's deadline options (the engine passes a policy's options apart from its init). */
export type SchedulerFactory = (init: ReplicaSchedulerInit, options: DeadlineOptions) => ReplicaScheduler;

/** The server of traces/deadline-lab.json, without its scheduler, lengths trace and name (imported, as the cfs lab's). */
const { replicaSchedulerModule: _module, lengthsTrace: _lengths, name: _name, ...server } = labServer;
export const LAB_SERVER = server;

/** The lab's server config (lengths from traces/<lengths>.csv when the workload is drawn). */
export const labConfig = (lengths: WorkloadLengths = 'conv', seed = 0) =>
  quietConfig({ ...LAB_SERVER, lengthsTrace: `traces/${lengths}.csv`, seed, qps: 1 }, 'traces/deadline-lab.json');

/** A hidden workload as the parent names it. */
export type WorkloadSpec = { readonly lengths: WorkloadLengths; readonly seed: number };

const drawn = new Map<string, Workload>();
/** Draws the workload (reads the lengths trace: parent only; memoized, as batch grading draws the same ones again and again). */
export function drawWorkload({ lengths, seed }: WorkloadSpec): Workload {
  const key = `${lengths}:${seed}`;
  if (!drawn.has(key)) {
    const requests = loadRequests(labConfig(lengths, seed));
    drawn.set(key, { lengths, ...toWire(requests), tier: requests.map((r) => r.tier ?? 0) });
  }
  return drawn.get(key)!;
}

/** The hidden workloads: one with conversation lengths, one with code lengths, seeds from the hidden seed. */
export const hiddenWorkloads = (hiddenSeed: number): WorkloadSpec[] =>
  (['conv', 'code'] as const).map((lengths) => ({ lengths, seed: derivedSeed(hiddenSeed, `deadline-${lengths}`) }));

/** The overload item's timeline workload: conversation lengths from the public seed (the handout's numbers), no hidden arrivals. */
export const timelineWorkload = (publicSeed: number): WorkloadSpec => ({ lengths: 'conv', seed: publicSeed });

/**
 * Rates well above every capacity we measured (labs/deadline/README.md): sustained overload, where eager relegation
 * decides how many deadlines are lost (without it the reference misses 69% instead of 34% on conversations and 78%
 * instead of 10% on code, default hidden seed, OVERLOAD_BATCH_SIZE_CAP).
 */
export const OVERLOAD_QPS: Readonly<Record<WorkloadLengths, number>> = { conv: 16, code: 14 };

/**
 * Requests holding KV blocks in the overload runs: above the lab's 128, so that more requests decode than the 256
 * (`chunkSize`) decodes one iteration takes. In the conversation run the limit binds (the reference batches 256
 * decodes in 271 of its 2,726 iterations, default hidden seed) and `compareDecodes` picks the decodes cut.
 */
export const OVERLOAD_BATCH_SIZE_CAP = 384;

/** Observers; a batch-size cap replacing the lab's 128 (OVERLOAD_BATCH_SIZE_CAP); the requests at rate 1 if drawn already. */
export type RunOptions = {
  observers?: readonly SimulationObserver[];
  batchSizeCap?: number;
  base?: readonly Request[];
};

/** One run of the workload at `qps` with `make` as the replica scheduler. */
export function simulateAt(w: Workload, qps: number, make: SchedulerFactory, run: RunOptions = {}): SimulationResult {
  const config = labConfig(w.lengths);
  const options = deadlineOptions(config);
  return runSimulation(run.batchSizeCap === undefined ? config : { ...config, batchSizeCap: run.batchSizeCap }, {
    requests: atRate(run.base ?? fromWire(w), 1, qps),
    makeReplicaScheduler: (init) => make(init, options),
    observers: run.observers ?? [],
  });
}

export const violationsOf = (result: SimulationResult): DeadlineReport =>
  deadlineViolations(result.requests, LAB_SERVER.tierDeadlines);

/** Probe range of the capacity search per length distribution (req/s), and its bisection steps. */
export const SEARCH_RANGE = { conv: { low: 6, high: 12 }, code: { low: 4, high: 10 } } as const;
const SEARCH_STEPS = 5;

/** The capacity search of the lab (sim/analysis/capacity.ts) for one policy; `onRun` sees each probe's run. */
export function capacityOf(w: Workload, make: SchedulerFactory, onRun?: (qps: number) => void): CapacityTrace {
  const [base, perTier] = [fromWire(w), new Map<number, number[]>()];
  const evaluate = (qps: number) => {
    const result = simulateAt(w, qps, make, { base });
    onRun?.(qps);
    const report = violationsOf(result);
    const rates = LAB_SERVER.tierDeadlines.map((_, tier) => report.perTier.find((p) => p.tier === tier)?.rate ?? 0);
    perTier.set(qps, rates);
    return report.maxRate;
  };
  const r = findCapacity(evaluate, { ...SEARCH_RANGE[w.lengths], steps: SEARCH_STEPS });
  return { ...r, probes: r.probes.map((p) => ({ ...p, perTier: perTier.get(p.qps) ?? [] })) };
}
