/**
 * The deadline lab's child side: runs inside the sandbox with the student's scheduler bundled in and
 * returns raw observations (probe values, violation rates, batch logs). Scores are computed by the
 * parent, never here.
 */
// First: the child runtime must run before any student module body (grader/sandbox/child-runtime.ts).
import { childTask, serveLab } from '../../kit/driver.js';
import * as student from '@student/deadline/deadline-scheduler.js';
import { capacityBracket } from '../../../sim/analysis/capacity.js';
import { recordBatches } from '../../kit/batch-log.js';
import { describeThrown } from '../../kit/instance-hook.js';
import { DEADLINE_PROBES } from './probes.js';
import { CapacityInput, OverloadInput, type CapacityOutput, type OverloadOutput, type Workload } from './schemas.js';
import { capacityOf, simulateAt, type SchedulerFactory } from './simulate.js';
import { starterDefaults, type DeadlineModule } from './student.js';

const STUDENT_DIR = 'starter/deadline';
const lab: DeadlineModule = student;

/** The student's scheduler, every getNextBatch call appended to `sink.log` (grader/kit/batch-log.ts). */
const recording =
  (sink: { log: number[] }): SchedulerFactory =>
  (init, options) =>
    recordBatches(new lab.DeadlineScheduler(init, options), () => sink.log);

/** The capacity search; the batch logs of the two probes the capacity is interpolated from go to the parent. */
function capacitySearch(w: Workload): CapacityOutput['searches'][number] {
  const logs = new Map<number, number[]>();
  const sink = { log: [] as number[] };
  try {
    const trace = capacityOf(w, recording(sink), (qps) => {
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

function overloadRun({ workload, qps, batchSizeCap }: OverloadInput['runs'][number]): OverloadOutput['runs'][number] {
  const sink = { log: [] as number[] };
  try {
    simulateAt(workload, qps, recording(sink), { batchSizeCap });
    return { log: sink.log };
  } catch (err) {
    return { log: sink.log, error: describeThrown(err, STUDENT_DIR) };
  }
}

serveLab({
  module: lab,
  studentDir: STUDENT_DIR,
  probes: DEADLINE_PROBES,
  starterDefaults,
  tasks: {
    capacity: childTask(CapacityInput, (input): CapacityOutput => ({ searches: input.workloads.map(capacitySearch) })),
    overload: childTask(OverloadInput, (input): OverloadOutput => ({ runs: input.runs.map(overloadRun) })),
  },
});
