/**
 * The routing lab's simulations: the benchmark cluster and workloads, run with any router (the
 * student's through engine-host.ts, the engine's baselines and the reference in the grader), so every
 * side sees exactly the same cluster.
 */
import { buildSimulation, loadRequests } from '../../../sim/config/build.js';
import { parseConfig, type SimulationConfig } from '../../../sim/config/schema.js';
import { Simulator, type SimulationObserver, type SimulationResult } from '../../../sim/engine/simulator.js';
import type { Autoscaler } from '../../../sim/policies/autoscaler/autoscaler.js';
import type { Router, RouterInit } from '../../../sim/policies/router/router.js';
import { quietConfig } from '../../kit/simulation.js';
import { fromWire, toWire } from '../../kit/wire.js';
import type { ScalingStep, SimulationRun } from './schemas.js';

/** The benchmark cluster: Llama-2-7B on A100-80GB, TP1, vllm batching with Vidur's defaults. */
export function benchmarkConfig(replicas: number, seed = 0): SimulationConfig {
  return quietConfig({
    model: 'llama-2-7b',
    device: 'a100',
    tp: 1,
    replicas,
    replicaScheduler: 'vllm',
    executionModel: 'fitted',
    seed,
  });
}

const BENCHMARK_REPLICAS = 4;
const BENCHMARK_DURATION = 1000;

/** The benchmark workload: 1000 s of conversation-like requests at `qps` on 4 replicas, drawn from `seed`. */
export function benchmarkRun(label: string, seed: number, qps: number, scaling: ScalingStep[] = []): SimulationRun {
  const config = parseConfig({ qps, duration: BENCHMARK_DURATION, seed, lengthsTrace: 'traces/conv.csv' });
  return { label, replicas: BENCHMARK_REPLICAS, requests: toWire(loadRequests(config)), scaling };
}

/** Adds or removes replicas at scripted times (multiples of the tune interval). */
class ScriptedScaling implements Autoscaler {
  readonly tuneInterval = 5;
  readonly #steps: Map<number, number>;
  constructor(steps: readonly ScalingStep[]) {
    this.#steps = new Map(steps.map((s) => [s.time, s.delta]));
  }
  tune(now: number): number {
    return this.#steps.get(now) ?? 0;
  }
}

export interface RoutingRunOptions {
  /** Lab mode: the router's request views throw on the decode length. */
  readonly guardDecodeTokens: boolean;
  /** Collectors (the report's timeline recorder). */
  readonly observers?: readonly SimulationObserver[];
}

export function simulateRouting(
  run: SimulationRun,
  makeRouter: (init: RouterInit) => Router,
  options: RoutingRunOptions,
): SimulationResult {
  const config = benchmarkConfig(run.replicas);
  const setup = buildSimulation(config, {
    requests: fromWire(run.requests),
    makeRouter,
    observers: options.observers,
    autoscaling:
      run.scaling.length > 0
        ? {
            policy: new ScriptedScaling(run.scaling),
            scaleUpDelay: 10,
            scaleDownDelay: 0,
            minReplicas: 1,
            maxReplicas: 16,
          }
        : undefined,
  });
  return new Simulator({ ...setup, guardDecodeTokens: options.guardDecodeTokens }).run();
}
