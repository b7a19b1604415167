/**
 * The deadline lab's child side, minus the student's module: unit probes, the capacity search and the overload
 * runs, each recording the scheduler's batches for the parent to replay. driver.ts serves it in the sandbox;
 * tests run it in-process (grader/kit/in-process.ts).
 */
import { capacityBracket } from '../../../sim/analysis/capacity.js';
import { recordBatches } from '../../kit/batch-log.js';
import { childTask, type LabChild } from '../../kit/driver.js';
import { describeThrown } from '../../kit/instance-hook.js';
import { DEADLINE_PROBES } from './probes.js';
import { CapacityInput, OverloadInput, type CapacityOutput, type OverloadOutput, type Workload } from './schemas.js';
import { capacityOf, simulateAt, type SchedulerFactory } from './simulate.js';
import { starterDefaults, type DeadlineModule } from './student.js';

const STUDENT_DIR = 'starter/deadline';
/** The student's scheduler, every getNextBatch call appended to `sink.log` (grader/kit/batch-log.ts). */
function recording(m: DeadlineModule, sink: { log: number[] }): SchedulerFactory {
  return (init, options) => recordBatches(new m.DeadlineScheduler(init, options), () => sink.log);
}

/** The capacity search; the batch logs of the two probes the capacity is interpolated from go to the parent. */
function capacitySearch(m: DeadlineModule, w: Workload): CapacityOutput['searches'][number] {
  const [logs, sink] = [new Map<number, number[]>(), { log: [] as number[] }];
  try {
    const trace = capacityOf(w, recording(m, sink), (qps) => {
      logs.set(qps, sink.log);
      sink.log = [];
    });
    const { pass, fail } = capacityBracket(trace.probes);
    const kept = [pass, fail].flatMap((p) => (p === undefined ? [] : [{ qps: p.qps, log: logs.get(p.qps) ?? [] }]));
    return { probes: trace.probes.map((p) => ({ ...p, perTier: [...p.perTier] })), logs: kept };
  } catch (err) {
    return { probes: [], logs: [], error: describeThrown(err, STUDENT_DIR) };
  }
}

function overloadRun(m: DeadlineModule, { workload, qps, batchSizeCap }: OverloadInput['runs'][number]) {
  const sink = { log: [] as number[] };
  try {
    simulateAt(workload, qps, recording(m, sink), { batchSizeCap });
    return { log: sink.log };
  } catch (err) {
    return { log: sink.log, error: describeThrown(err, STUDENT_DIR) };
  }
}

const capacity = (input: CapacityInput, m: DeadlineModule): CapacityOutput => ({
  searches: input.workloads.map((w) => capacitySearch(m, w)),
});
const overload = (input: OverloadInput, m: DeadlineModule): OverloadOutput => ({
  runs: input.runs.map((r) => overloadRun(m, r)),
});

export const child: LabChild<DeadlineModule> = {
  studentDir: STUDENT_DIR,
  probes: DEADLINE_PROBES,
  starterDefaults,
  tasks: { capacity: childTask(CapacityInput, capacity), overload: childTask(OverloadInput, overload) },
};
