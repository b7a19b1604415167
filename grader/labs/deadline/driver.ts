/**
 * The deadline lab's child side: runs inside the sandbox with the student's scheduler bundled in and
 * returns raw observations (probe values, violation rates, batch logs). Scores are computed by the
 * parent, never here.
 */
import * as student from '@student/deadline-scheduler.js';
import type { Batch } from '../../../sim/entities/batch.js';
import type { Request } from '../../../sim/entities/request.js';
import { logCall } from '../../kit/batch-log.js';
import { childTask, serveLab } from '../../kit/driver.js';
import { describeThrown, hookMethod } from '../../kit/instance-hook.js';
import { DEADLINE_PROBES } from './probes.js';
import { CapacityInput, OverloadInput, type CapacityOutput, type OverloadOutput, type Workload } from './schemas.js';
import { bracketOf, capacityOf, simulateAt, type SchedulerFactory } from './simulate.js';
import { starterDefaults, type DeadlineModule } from './student.js';

const STUDENT_DIR = 'starter/deadline';
const lab: DeadlineModule = student;
const message = (err: unknown): string => describeThrown(err, STUDENT_DIR);

/**
 * The student's scheduler, recording every getNextBatch call into `sink.log`. Wrapped on the instance
 * (grader/kit/instance-hook.ts), so traces keep the student's class name.
 */
function recording(sink: { log: number[] }): SchedulerFactory {
  return (init, options) => {
    const scheduler = new lab.DeadlineScheduler(init, options);
    return hookMethod(scheduler, 'getNextBatch', (original: (now: number) => Batch | undefined) => (now: number) => {
      const before: [Request, number][] = scheduler.running.map((r) => [r, r.numRestarts]);
      const batch = original(now);
      const preempted = before.filter(([r, n]) => r.numRestarts > n).map(([r]) => r.id);
      logCall(sink.log, now, preempted, batch);
      return batch;
    });
  };
}

function capacitySearch(w: Workload): CapacityOutput['searches'][number] {
  const logs = new Map<number, number[]>();
  const sink = { log: [] as number[] };
  try {
    const trace = capacityOf(w, recording(sink), (qps) => {
      logs.set(qps, sink.log);
      sink.log = [];
    });
    const { pass, fail } = bracketOf(trace.probes);
    const kept = [pass, fail].flatMap((p) => (p === undefined ? [] : [{ qps: p.qps, log: logs.get(p.qps) ?? [] }]));
    return { probes: trace.probes.map((p) => ({ ...p, perTier: [...p.perTier] })), logs: kept };
  } catch (err) {
    return { probes: [], logs: [], error: message(err) };
  }
}

function overloadRun({ workload, qps, batchSizeCap }: OverloadInput['runs'][number]): OverloadOutput['runs'][number] {
  const sink = { log: [] as number[] };
  try {
    simulateAt(workload, qps, recording(sink), [], undefined, batchSizeCap);
    return { log: sink.log };
  } catch (err) {
    return { log: sink.log, error: message(err) };
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
