/**
 * The hidden fairness workloads, modelled on the VTC paper's suites (§6, `fair_bench/exp_suite.py`)
 * and scaled to the lab's replica (SCENARIO_CLUSTER: it serves ≈ 5.8 requests/s of 256/256, about
 * 4 500 service units per second). Arrivals are drawn from the hidden seed; rates and shapes are
 * fixed. Each workload lists the checks made on it; items pick the checks they score.
 * Every run (the student's replayed, the reference's, FCFS's) simulates the same replica.
 */
import type { SimulationObserver, SimulationResult } from '../../../sim/engine/simulator.js';
import { vtcFairnessBound } from '../../../sim/metrics/fairness.js';
import { REPLICA_SCHEDULERS } from '../../../sim/policies/replica/registry.js';
import type { ReplicaScheduler, ReplicaSchedulerInit } from '../../../sim/policies/replica/replica-scheduler.js';
import { generateMultiClient, type ClientWorkloadInput, ClientWorkload } from '../../../sim/workload/multi-client.js';
import { Rng } from '../../../sim/workload/rng.js';
import { derivedSeed } from '../../kit/seeds.js';
import { quietConfig, runSimulation } from '../../kit/simulation.js';
import { fromWire, toWire } from '../../kit/wire.js';
import type { ScenarioRun, SchedulerKind } from './schemas.js';

export type WorkloadKey = 'overload' | 'on-off' | 'weighted' | 'short-long' | 'shift';

/**
 * difference: the worst accumulated service difference between `clients` over the periods (from, to] (each
 * restarted from zero: a client returning from silence); shares: max_i |(S_i/w_i) / mean_j(S_j/w_j) − 1| over
 * (from, end]; latency: mean TTFT of `client`'s requests arriving in [from, to) (unfinished: counted to the
 * end); throughput: service per second, against FCFS.
 */
export type Check = { readonly id: string; readonly title: string } & (
  | { readonly kind: 'difference'; readonly clients: readonly number[]; readonly periods: readonly [number, number][] }
  | { readonly kind: 'shares'; readonly clients: readonly number[]; readonly from: number }
  | { readonly kind: 'latency'; readonly client: number; readonly from: number; readonly to: number }
  | { readonly kind: 'throughput' }
);

export interface WorkloadDef {
  readonly key: WorkloadKey;
  readonly label: string;
  readonly description: string;
  readonly duration: number;
  readonly clients: readonly ClientWorkloadInput[];
  readonly checks: readonly Check[];
  /** Client weights (none: all 1). */
  readonly weights?: readonly number[];
  /** Where the report's service-difference plot of this workload starts (all clients backlogged; default 30 s). */
  readonly plotFrom?: number;
}

const title = 'service difference of the two backlogged clients after 30 s';
const backlogged: Check = { kind: 'difference', id: 'difference', title, clients: [0, 1], periods: [[30, 180]] };
const throughput: Check = { kind: 'throughput', id: 'throughput', title: 'service per second vs FCFS' };

// biome-ignore format: a table of workloads
export const WORKLOADS: readonly WorkloadDef[] = [
  {
    key: 'overload',
    label: 'overload',
    description: 'two backlogged clients at 4 and 8 req/s, 256/256 tokens, 180 s (paper Fig. 3)',
    duration: 180,
    clients: [{ qps: 4 }, { qps: 8 }],
    checks: [backlogged, throughput],
  },
  {
    key: 'on-off',
    label: 'on/off',
    description: 'client 0 at 4 req/s on for 60 s, off for 60 s; client 1 always on at 6 req/s; 256/256, 300 s (paper Fig. 6)',
    duration: 300,
    clients: [{ qps: 4, on: 60, off: 60 }, { qps: 6 }],
    checks: [{ kind: 'difference', id: 'returning', title: 'service difference while client 0 is back (t = 120–180 s and 240–300 s)',
      clients: [0, 1], periods: [[120, 180], [240, 300]] }],
  },
  {
    key: 'weighted',
    label: 'weighted 1:2:3:4',
    description: 'four clients at 2, 2, 3, 4 req/s with weights 1, 2, 3, 4; 256/256, 180 s (paper revision)',
    duration: 180,
    clients: [{ qps: 2 }, { qps: 2 }, { qps: 3 }, { qps: 4 }],
    weights: [1, 2, 3, 4],
    checks: [
      { kind: 'shares', id: 'shares', title: 'service per unit of weight, all four clients, after 30 s', clients: [0, 1, 2, 3], from: 30 },
    ],
  },
  {
    key: 'short-long',
    label: 'prefill-heavy vs decode-heavy',
    description: 'client 0 sends 512/32, client 1 sends 32/512, both at 8 req/s, 180 s (paper Fig. 8)',
    duration: 180,
    clients: [{ qps: 8, prefill: 512, decode: 32 }, { qps: 8, prefill: 32, decode: 512 }],
    checks: [backlogged, throughput],
  },
  {
    key: 'shift',
    label: 'shifting demand',
    description: 'first 100 s: client 0 light (1 req/s), client 1 heavy (7 req/s); then both at 6 req/s until 200 s; 256/256 (paper Fig. 10)',
    duration: 200,
    clients: [{ client: 0, qps: 1, end: 100 }, { client: 1, qps: 7, end: 100 }, { client: 0, qps: 6, start: 100 }, { client: 1, qps: 6, start: 100 }],
    checks: [
      { kind: 'latency', id: 'light-latency', title: 'mean TTFT of the light client (arrivals in the first 100 s)', client: 0, from: 0, to: 100 },
      { kind: 'difference', id: 'after-shift', title: 'service difference once both are heavy (t = 100–200 s)', clients: [0, 1], periods: [[100, 200]] },
    ],
    plotFrom: 100,
  },
];

export const workload = (key: WorkloadKey): WorkloadDef => WORKLOADS.find((w) => w.key === key)!;

/** The workload's run for one part, its arrivals drawn from `seed` (a stream per workload). */
export function scenarioRun(def: WorkloadDef, scheduler: SchedulerKind, seed: number): ScenarioRun {
  const requests = generateMultiClient(
    { clients: def.clients.map((c) => ClientWorkload.parse(c)), duration: def.duration, maxTokens: 4096 },
    new Rng(derivedSeed(seed, `fairness-workload-${def.key}`)),
  );
  const [{ key, label, duration }, clientWeights] = [def, [...(def.weights ?? [])]];
  return { key, label, scheduler, duration, clientWeights, requests: toWire(requests, { clientId: true }) };
}

/** Every workload for one part (the same child input for all of that part's scenario items, so one child run serves them). */
export const partRuns = (kind: SchedulerKind, seed: number) => WORKLOADS.map((def) => scenarioRun(def, kind, seed));

/**
 * The report's timeline run: the on/off workload drawn from the public seed, as `npm run try --
 * fairness` runs it, under its own key so no scored check ever finds it. The trace files beside the
 * report then hold no hidden arrivals.
 */
export function timelineRun(scheduler: SchedulerKind, publicSeed: number): ScenarioRun {
  const run = scenarioRun(workload('on-off'), scheduler, publicSeed);
  return { ...run, key: `public-${run.key}`, label: `${run.label}, public seed ${publicSeed}`, timelineOnly: true };
}

// biome-ignore format: the replica, one line per part of it
export const SCENARIO_CLUSTER = {
  model: 'llama-2-7b', device: 'a100', tp: 1, replicas: 1, // the VTC paper's setting
  numBlocks: 625, blockSize: 16, // 10 000 tokens of KV cache, the paper's pool
  batchSizeCap: 128, maxTokensInBatch: 4096, chunkSize: 512, // Vidur's vllm and sarathi limits
} as const;

/** U = max(w_p·longest prompt, w_q·KV tokens) for the workload (paper §4, Theorem 4.4). */
export function fairnessU(def: WorkloadDef): number {
  const longestPrompt = Math.max(...def.clients.map((c) => c.prefillMax ?? c.prefill ?? 256));
  return vtcFairnessBound(longestPrompt, SCENARIO_CLUSTER.numBlocks * SCENARIO_CLUSTER.blockSize) / 2;
}

export type SchedulerFactory = (init: ReplicaSchedulerInit) => ReplicaScheduler;
/** The engine scheduler each part builds on: its batching rules for a replay, and FCFS, the baseline. */
export const engineOf = (kind: SchedulerKind) => (kind === 'vtc' ? 'vllm' : 'sarathi');
export const engineFcfs = (kind: SchedulerKind): SchedulerFactory => REPLICA_SCHEDULERS[engineOf(kind)].create;

/** `run` on the lab's replica with the given scheduler (the student's recorded, a replay, the reference or FCFS). */
export function simulateScenario(
  run: ScenarioRun,
  makeReplicaScheduler: SchedulerFactory,
  observers: readonly SimulationObserver[] = [],
): SimulationResult {
  const config = quietConfig({
    ...SCENARIO_CLUSTER,
    replicaScheduler: engineOf(run.scheduler),
    executionModel: 'fitted',
    clientWeights: run.clientWeights.length > 0 ? run.clientWeights : undefined,
    timeLimit: run.duration,
    fastForward: false,
    seed: 0,
  });
  return runSimulation(config, { requests: fromWire(run.requests), makeReplicaScheduler, observers });
}
