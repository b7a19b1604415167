/**
 * The CFS lab's simulations, shared by the child (running the student's scheduler) and the parent
 * (replaying its steps, and running FCFS and the reference), so both see exactly the same server.
 */
import { buildSimulation } from '../../../sim/config/build.js';
import { parseConfig, type SimulationConfig } from '../../../sim/config/schema.js';
import { Simulator, type SimulationObserver, type SimulationResult } from '../../../sim/engine/simulator.js';
import { Request } from '../../../sim/entities/request.js';
import {
  vllmV0Options,
  VllmV0ReplicaScheduler,
  type V0StepRecord,
} from '../../../sim/policies/replica/vllm-v0-replica-scheduler.js';
import type { VllmV0Scheduler, VllmV0SchedulerInit } from '../../../sim/policies/replica/vllm-v0-step-scheduler.js';
import type { BurstRequests } from './workloads.js';

/** The homework's server (labs/cfs/README.md): what `traces/cfs-homework.json` sets for `npm run sim`. */
export const SERVER = {
  model: 'codellama-34b',
  device: 'a100-40gb',
  tp: 2,
  replicas: 1,
  replicaScheduler: 'vllm-v0',
  numBlocks: 1024,
  batchSizeCap: 512,
  maxTokensInBatch: 16368,
  maxTokens: 16368,
  swapSpace: 16,
  preemptionMode: 'swap',
  executionModel: 'roofline',
} as const;

export interface CfsRun {
  readonly label: string;
  readonly requests: BurstRequests;
  readonly cfsInterval: number;
  /** CPU swap space per GPU, GiB (16 on the homework's server). */
  readonly swapSpace: number;
}

export function runConfig(run: CfsRun): SimulationConfig {
  return parseConfig({
    ...SERVER,
    cfsInterval: run.cfsInterval,
    swapSpace: run.swapSpace,
    seed: 0,
    writeOutputs: false,
    progress: 'off',
  });
}

export function fromWire(w: BurstRequests): Request[] {
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

export interface CfsSimulation {
  readonly result: SimulationResult;
  readonly replica: VllmV0ReplicaScheduler;
}

/** One run on the homework's server with `makeScheduler` as the V0 scheduler; `onStep` sees every step. */
export function simulateCfs(
  run: CfsRun,
  makeScheduler: (init: VllmV0SchedulerInit) => VllmV0Scheduler,
  options: {
    onStep?: (step: V0StepRecord) => void;
    recordUsage?: boolean;
    observers?: readonly SimulationObserver[];
  } = {},
): CfsSimulation {
  const config = runConfig(run);
  let replica: VllmV0ReplicaScheduler | undefined;
  class LabReplica extends VllmV0ReplicaScheduler {
    protected override createScheduler(init: VllmV0SchedulerInit): VllmV0Scheduler {
      return makeScheduler(init);
    }
  }
  const v0Options = vllmV0Options(config, options.recordUsage ?? false);
  const setup = buildSimulation(config, {
    requests: fromWire(run.requests),
    observers: options.observers,
    makeReplicaScheduler: (init) => {
      replica = new LabReplica(init, v0Options);
      replica.onStep = options.onStep;
      return replica;
    },
  });
  const result = new Simulator(setup).run();
  return { result, replica: replica! };
}
