/**
 * The routing lab's simulations: the benchmark cluster and workloads, run with any router (the
 * student's through engine-host.ts, the engine's baselines and the reference in the grader), so every
 * side sees exactly the same cluster.
 */
import { loadRequests } from '../../../sim/config/build.js';
import { parseConfig, type SimulationConfig } from '../../../sim/config/schema.js';
import type { SimulationObserver } from '../../../sim/engine/simulator.js';
import type { Autoscaler } from '../../../sim/policies/autoscaler/autoscaler.js';
import type { Router, RouterInit } from '../../../sim/policies/router/router.js';
import { quietConfig, runSimulation } from '../../kit/simulation.js';
import { fromWire, toWire } from '../../kit/wire.js';
import type { ScalingStep, SimulationRun } from './schemas.js';

const BENCHMARK_REPLICAS = 4;
const BENCHMARK_DURATION = 1000;

/** The benchmark workload: 1000 s of conversation-like requests at `qps` on 4 replicas, drawn from `seed`. */
export function benchmarkRun(label: string, seed: number, qps: number, scaling: ScalingStep[] = []): SimulationRun {
  const config = parseConfig({ qps, duration: BENCHMARK_DURATION, seed, lengthsTrace: 'traces/conv.csv' });
  return { label, replicas: BENCHMARK_REPLICAS, requests: toWire(loadRequests(config)), scaling };
}

/**
 * A graded workload (sim/analysis/routing-workloads.ts) drawn from `seed`, with replicas removed and
 * added at `scaling`'s times: the engine config travels with the run, so every side builds the same
 * cluster (replica kinds, execution model) and the same engine seed.
 */
export function workloadRun(
  label: string,
  config: Readonly<Record<string, unknown>>,
  seed: number,
  scaling: ScalingStep[] = [],
): SimulationRun {
  const engine = { config: { ...config }, seed };
  const parsed = runConfig({ engine });
  const requests = toWire(loadRequests(parsed), { clientId: true });
  return { label, replicas: parsed.replicas, requests, scaling, engine };
}

/** The engine config a run is simulated with. */
export function runConfig(run: Partial<Pick<SimulationRun, 'replicas' | 'engine'>>): SimulationConfig {
  if (run.engine !== undefined) return quietConfig({ ...run.engine.config, seed: run.engine.seed });
  // The benchmark cluster: Llama-2-7B on A100-80GB, TP1, vllm batching with Vidur's defaults.
  const cluster = { model: 'llama-2-7b', device: 'a100', tp: 1, replicaScheduler: 'vllm', executionModel: 'fitted' };
  return quietConfig({ ...cluster, replicas: run.replicas ?? BENCHMARK_REPLICAS, seed: 0 });
}

/** Adds or removes replicas at scripted times (multiples of the tune interval), telling `onTune` each time. */
function scriptedScaling(steps: readonly ScalingStep[], onTune?: (now: number) => void): Autoscaler {
  const deltas = new Map(steps.map((s) => [s.time, s.delta]));
  return {
    tuneInterval: 5,
    tune(now) {
      onTune?.(now);
      return deltas.get(now) ?? 0;
    },
  };
}

export interface RoutingRunOptions {
  /** Lab mode: the router's request views throw on the decode length. */
  readonly guardDecodeTokens: boolean;
  /** Collectors (the report's timeline recorder). */
  readonly observers?: readonly SimulationObserver[];
  /** Told the time of every scaling decision (scale-downs happen then: no delay), to date marks. */
  readonly onTune?: (now: number) => void;
}

export type MakeRouter = (init: RouterInit) => Router;

export function simulateRouting(run: SimulationRun, makeRouter: MakeRouter, options: RoutingRunOptions) {
  const policy = run.scaling.length > 0 ? scriptedScaling(run.scaling, options.onTune) : undefined;
  return runSimulation(
    { ...runConfig(run), guardDecodeTokens: options.guardDecodeTokens },
    {
      requests: fromWire(run.requests),
      makeRouter,
      observers: options.observers,
      autoscaling: policy && { policy, scaleUpDelay: 10, scaleDownDelay: 0, minReplicas: 1, maxReplicas: 16 },
    },
  );
}
