/**
 * The fairness lab's scenario runs, shared by the child (the student's scheduler, recorded) and the
 * parent (replaying what the child reported, and running the reference and FCFS), so all of them
 * simulate exactly the same replica.
 *
 * The replica is the VTC paper's setting scaled to servelab: Llama-2-7B on an A100, one replica, a
 * KV cache of 10 000 tokens (625 blocks, the paper's pool), Vidur's vllm and sarathi limits.
 */
import { buildSimulation } from '../../../sim/config/build.js';
import { parseConfig, type SimulationConfig } from '../../../sim/config/schema.js';
import { Simulator, type SimulationObserver, type SimulationResult } from '../../../sim/engine/simulator.js';
import type { ReplicaScheduler, ReplicaSchedulerInit } from '../../../sim/policies/replica/replica-scheduler.js';
import { fromWire } from '../../kit/wire.js';
import type { ScenarioRun } from './schemas.js';

export const SCENARIO_CLUSTER = {
  model: 'llama-2-7b',
  device: 'a100',
  tp: 1,
  replicas: 1,
  numBlocks: 625,
  blockSize: 16,
  batchSizeCap: 128,
  maxTokensInBatch: 4096,
  chunkSize: 512,
} as const;

export function scenarioConfig(run: Pick<ScenarioRun, 'scheduler' | 'duration' | 'clientWeights'>): SimulationConfig {
  return parseConfig({
    ...SCENARIO_CLUSTER,
    replicaScheduler: run.scheduler === 'vtc' ? 'vllm' : 'sarathi',
    executionModel: 'fitted',
    clientWeights: run.clientWeights.length > 0 ? run.clientWeights : undefined,
    timeLimit: run.duration,
    fastForward: false,
    writeOutputs: false,
    progress: 'off',
    seed: 0,
  });
}

export type SchedulerFactory = (init: ReplicaSchedulerInit) => ReplicaScheduler;

export function simulateScenario(
  run: ScenarioRun,
  makeReplicaScheduler: SchedulerFactory,
  observers: readonly SimulationObserver[] = [],
): SimulationResult {
  const config = scenarioConfig(run);
  const setup = buildSimulation(config, { requests: fromWire(run.requests), makeReplicaScheduler, observers });
  return new Simulator(setup).run();
}
