/**
 * The routing lab's simulations, shared by the child (running the student's router) and the parent
 * (replaying its decisions and running the baselines), so both see exactly the same cluster.
 */
import { buildSimulation } from '../../../sim/config/build.js';
import { parseConfig, type SimulationConfig } from '../../../sim/config/schema.js';
import { Simulator, type SimulationObserver, type SimulationResult } from '../../../sim/engine/simulator.js';
import { Request } from '../../../sim/entities/request.js';
import type { Autoscaler } from '../../../sim/policies/autoscaler/autoscaler.js';
import type { Router, RouterInit } from '../../../sim/policies/router/router.js';
import type { ScalingStep, SimulationRun, WireRequests } from './protocol.js';

/** The benchmark cluster: Llama-2-7B on A100-80GB, TP1, vllm batching with Vidur's defaults. */
export function benchmarkConfig(replicas: number, seed = 0): SimulationConfig {
  return parseConfig({
    model: 'llama-2-7b',
    device: 'a100',
    tp: 1,
    replicas,
    replicaScheduler: 'vllm',
    executionModel: 'fitted',
    seed,
    writeOutputs: false,
    progress: 'off',
  });
}

export function toWire(requests: readonly Request[]): WireRequests {
  return {
    arrivedAt: requests.map((r) => r.arrivedAt),
    numPrefillTokens: requests.map((r) => r.numPrefillTokens),
    numDecodeTokens: requests.map((r) => r.numDecodeTokens),
  };
}

export function fromWire(w: WireRequests): Request[] {
  return w.arrivedAt.map(
    (arrivedAt, id) =>
      new Request({
        id,
        arrivedAt,
        numPrefillTokens: w.numPrefillTokens[id]!,
        numDecodeTokens: w.numDecodeTokens[id]!,
      }),
  );
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

export function meanE2e(result: SimulationResult): number | null {
  let sum = 0;
  let n = 0;
  for (const r of result.requests) {
    if (r.completedAt === undefined) continue;
    sum += r.completedAt - r.arrivedAt;
    n++;
  }
  return n === 0 ? null : sum / n;
}
