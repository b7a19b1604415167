/**
 * The autoscaling lab's cluster, shared by the child (running the student's autoscaler or routers) and
 * the parent (replaying the autoscaler's decisions and running the reference), so both simulate
 * exactly the same thing: Llama-3-70B, TP4 on A100s (calibrated roofline: no profiles exist for it),
 * vllm batching with at most 16 requests and 4,096 tokens per batch, round-robin routing, one replica
 * at the start, scale-ups after 10 s, scale-downs at once, 1 to 64 replicas, $8 per replica-hour.
 */
import { buildSimulation } from '../../../sim/config/build.js';
import { parseConfig, type SimulationConfig } from '../../../sim/config/schema.js';
import { Simulator, type SimulationObserver, type SimulationResult } from '../../../sim/engine/simulator.js';
import { Request } from '../../../sim/entities/request.js';
import type { Autoscaler } from '../../../sim/policies/autoscaler/autoscaler.js';
import type { Router, RouterInit } from '../../../sim/policies/router/router.js';
import { percentileSorted } from '../../../sim/metrics/stats.js';
import type { WireRequests } from './protocol.js';

export const ENVIRONMENT = {
  initialReplicas: 1,
  scaleUpDelay: 10,
  scaleDownDelay: 0,
  minReplicas: 1,
  maxReplicas: 64,
  costPerReplicaHour: 8,
} as const;

export function clusterConfig(replicas: number = ENVIRONMENT.initialReplicas): SimulationConfig {
  return parseConfig({
    model: 'llama-3-70b',
    device: 'a100',
    tp: 4,
    replicas,
    replicaScheduler: 'vllm',
    batchSizeCap: 16,
    maxTokensInBatch: 4096,
    executionModel: 'roofline',
    globalScheduler: 'round_robin',
    seed: 0,
    writeOutputs: false,
    progress: 'off',
  });
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

export interface RunOptions {
  readonly autoscaler?: Autoscaler;
  readonly makeRouter?: (init: RouterInit) => Router;
  readonly initialReplicas?: number;
  /** Collectors (the report's timeline recorders). */
  readonly observers?: readonly SimulationObserver[];
}

export function simulateCluster(requests: WireRequests, options: RunOptions): SimulationResult {
  const config = clusterConfig(options.initialReplicas);
  const setup = buildSimulation(config, {
    requests: fromWire(requests),
    ...(options.makeRouter !== undefined ? { makeRouter: options.makeRouter } : {}),
    ...(options.observers !== undefined ? { observers: options.observers } : {}),
    autoscaling:
      options.autoscaler === undefined
        ? undefined
        : {
            policy: options.autoscaler,
            scaleUpDelay: ENVIRONMENT.scaleUpDelay,
            scaleDownDelay: ENVIRONMENT.scaleDownDelay,
            minReplicas: ENVIRONMENT.minReplicas,
            maxReplicas: ENVIRONMENT.maxReplicas,
          },
  });
  if (setup.costPerReplicaHour !== ENVIRONMENT.costPerReplicaHour)
    throw new Error(`cost per replica-hour is ${setup.costPerReplicaHour}, expected ${ENVIRONMENT.costPerReplicaHour}`);
  return new Simulator(setup).run();
}

export interface RunMetrics {
  readonly p90: number;
  readonly costDollars: number;
  readonly completed: number;
  readonly total: number;
}

export function runMetrics(result: SimulationResult): RunMetrics {
  const e2e: number[] = [];
  for (const r of result.requests) if (r.completedAt !== undefined) e2e.push(r.completedAt - r.arrivedAt);
  const sorted = Float64Array.from(e2e).sort();
  return {
    p90: percentileSorted(sorted, 90),
    costDollars: result.costDollars,
    completed: result.numCompleted,
    total: result.requests.length,
  };
}
