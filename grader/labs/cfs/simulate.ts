/**
 * The CFS lab's simulations, shared by the child (running the student's scheduler) and the parent
 * (replaying its steps, and running FCFS and the reference), so both see exactly the same server.
 */
import homework from '../../../traces/cfs-homework.json' with { type: 'json' };
import type { SimulationObserver, SimulationResult } from '../../../sim/engine/simulator.js';
import { kvUsagePeaks, kvUsageSeries, latenciesInIssueOrder } from '../../../sim/metrics/kv-usage.js';
import { mean, percentile } from '../../../sim/metrics/stats.js';
import type { TimelineRecorder } from '../../../sim/metrics/timeline/index.js';
import * as v0 from '../../../sim/policies/replica/vllm-v0-replica-scheduler.js';
import type { VllmV0Scheduler, VllmV0SchedulerInit } from '../../../sim/policies/replica/vllm-v0-step-scheduler.js';
import { ReplayError } from '../../kit/batch-replay.js';
import { decodeSteps, V0StepReplayScheduler } from '../../kit/vllm-v0-step-replay.js';
import { quietConfig, runSimulation } from '../../kit/simulation.js';
import { fromWire } from '../../kit/wire.js';
import type { CfsRun, RunSteps } from './schemas.js';

/** The homework's server (labs/cfs/README.md): traces/cfs-homework.json, without its scheduler, interval and trace. */
const { replicaSchedulerModule: _module, cfsInterval: _interval, trace: _trace, name: _name, ...SERVER } = homework;

export type MakeScheduler = (init: VllmV0SchedulerInit) => VllmV0Scheduler;

/** One run on the homework's server with `makeScheduler` as the V0 scheduler; `onStep` sees every step. */
export function simulateCfs(
  run: CfsRun,
  makeScheduler: MakeScheduler,
  options: {
    onStep?: (step: v0.V0StepRecord) => void;
    usage?: boolean;
    observers?: readonly SimulationObserver[];
  } = {},
): { result: SimulationResult; replica: v0.VllmV0ReplicaScheduler } {
  const { cfsInterval, swapSpace } = run;
  const config = quietConfig({ ...SERVER, cfsInterval, swapSpace, seed: 0 });
  let replica: v0.VllmV0ReplicaScheduler | undefined;
  class LabReplica extends v0.VllmV0ReplicaScheduler {
    protected override createScheduler(init: VllmV0SchedulerInit): VllmV0Scheduler {
      return makeScheduler(init);
    }
  }
  const result = runSimulation(config, {
    requests: fromWire(run.requests),
    observers: options.observers,
    makeReplicaScheduler: (init) => {
      replica = new LabReplica(init, v0.vllmV0Options(config, options.usage ?? false));
      replica.onStep = options.onStep;
      return replica;
    },
  });
  return { result, replica: replica! };
}

/** A run as the items score it; the timeline when one was recorded (the report's side-by-side view). */
export type Measured = ReturnType<typeof measure>;

export function measure(run: CfsRun, make: MakeScheduler, timeline?: TimelineRecorder) {
  let preemptions = 0;
  const { result, replica } = simulateCfs(run, make, {
    usage: true,
    onStep: (s) => (preemptions += s.swappedOut.length + s.recomputed.length),
    ...(timeline !== undefined ? { observers: [timeline] } : {}),
  });
  const { ttft, tpot } = latenciesInIssueOrder(result.requests);
  const done = (xs: (number | null)[]) => xs.filter((x): x is number => x !== null);
  const [gpuBlocks, cpuBlocks] = [replica.kv.numBlocks, replica.cpu.numBlocks];
  return {
    completed: result.numCompleted,
    total: ttft.length,
    ttft,
    tpot,
    p99Ttft: percentile(done(ttft), 99),
    meanTpot: mean(done(tpot)),
    preemptions,
    gpu: kvUsageSeries(replica.usage, gpuBlocks, cpuBlocks).gpu,
    peaks: kvUsagePeaks(replica.usage, gpuBlocks, cpuBlocks),
    cpuBlocks,
    gpuBlocks,
    ...(timeline !== undefined ? { timeline: { recorder: timeline, endTime: result.endTime } } : {}),
  };
}

/** The student's run, replayed from its steps; the problem when it cannot be (or not every request finishes). */
export function replayStudent(
  run: CfsRun,
  wire: RunSteps | undefined,
  timeline?: TimelineRecorder,
): { measured?: Measured; problem?: string } {
  if (wire === undefined) return { problem: 'no result for this run' };
  const stopped = `the run stopped: the CPU swap pool filled and your onSwapPoolFull() chose 'raise' (${wire.stopped})`;
  if (wire.stopped !== undefined) return { problem: stopped };
  let scheduler: V0StepReplayScheduler | undefined;
  try {
    const steps = decodeSteps(wire.steps);
    const measured = measure(run, (init) => (scheduler = new V0StepReplayScheduler(init, steps)), timeline);
    if (scheduler!.remaining > 0)
      return { problem: `${scheduler!.remaining} of your scheduler's steps were never replayed: the run diverged` };
    const unfinished = measured.total - measured.completed;
    if (unfinished > 0) return { measured, problem: `${unfinished} of ${measured.total} requests never finished` };
    return { measured };
  } catch (err) {
    // The engine's own step checks (vllm-v0-replica-scheduler.ts) also hold the replayed steps to its rules.
    if (err instanceof ReplayError || (err instanceof Error && /vllm-v0 replica/.test(err.message)))
      return { problem: `your steps break the engine's rules: ${err.message}` };
    throw err;
  }
}
