/**
 * The fairness lab's child-side harness: runs inside the sandbox with the student's files bundled in.
 * It executes what the parent asks (unit cases or scenario runs) and returns raw observations; scores
 * are computed by the parent, never here.
 */
import { serve } from '../../sandbox/child-runtime.js';
import type { Batch } from '../../../sim/entities/batch.js';
import type { Request } from '../../../sim/entities/request.js';
import type { ReplicaScheduler, ReplicaSchedulerInit } from '../../../sim/policies/replica/replica-scheduler.js';
import * as cost from '@student/fairness/service-cost.js';
import * as vtc from '@student/fairness/vtc-replica-scheduler.js';
import * as vtcSarathi from '@student/fairness/vtc-sarathi-replica-scheduler.js';
import { FairnessInput, type FairnessOutput, type ScenarioRun, type ScenarioResultWire } from './protocol.js';
import { hookMethod } from '../../kit/instance-hook.js';
import { logCall, simulateScenario } from './simulate.js';
import { runUnitCase, schedulerClass, type StudentModules } from './situation.js';

const modules: StudentModules = { cost, vtc, vtcSarathi };

/**
 * The student's scheduler, every getNextBatch call recorded: what it formed and whom it preempted.
 * Wrapped on the instance (shared/instance-hook.ts), so traces keep the student's class name.
 */
function recording(
  run: ScenarioRun,
  log: number[],
  counter: { calls: number },
): (init: ReplicaSchedulerInit) => ReplicaScheduler {
  const Student = schedulerClass(modules, run.scheduler) as unknown as new (
    init: ReplicaSchedulerInit,
  ) => ReplicaScheduler;
  return (init) => {
    const scheduler = new Student(init) as ReplicaScheduler & { running: Request[] };
    return hookMethod(scheduler, 'getNextBatch', (original: (now: number) => Batch | undefined) => (now) => {
      const before: [Request, number][] = scheduler.running.map((r) => [r, r.numRestarts]);
      const batch = original(now);
      const preempted = before.filter(([r, n]) => r.numRestarts > n).map(([r]) => r.id);
      logCall(log, now, preempted, batch);
      counter.calls++;
      return batch;
    });
  };
}

serve((raw): FairnessOutput => {
  const input = FairnessInput.parse(raw);
  if (input.task === 'units') return { task: 'units', cases: input.cases.map((c) => runUnitCase(modules, c)) };
  const runs: ScenarioResultWire[] = input.runs.flatMap((run) => {
    const log: number[] = [];
    const counter = { calls: 0 };
    try {
      simulateScenario(run, recording(run, log, counter));
    } catch (err) {
      // The timeline run must not fail the scored ones: the report simply has no timeline.
      if (run.timelineOnly === true) return [];
      throw err;
    }
    return [{ key: run.key, log, calls: counter.calls }];
  });
  return { task: 'simulate', runs };
});
