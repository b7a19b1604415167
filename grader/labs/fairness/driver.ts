/**
 * The fairness lab's child side: the student's three files as the lab's module, the unit probes, and
 * the scenario runs, whose every getNextBatch call is recorded for the parent to replay.
 */
import type { Batch } from '../../../sim/entities/batch.js';
import type { Request } from '../../../sim/entities/request.js';
import type { ReplicaSchedulerInit } from '../../../sim/policies/replica/replica-scheduler.js';
import * as cost from '@student/service-cost.js';
import * as vtc from '@student/vtc-replica-scheduler.js';
import * as vtcSarathi from '@student/vtc-sarathi-replica-scheduler.js';
import { logCall } from '../../kit/batch-log.js';
import { childTask, serveLab } from '../../kit/driver.js';
import { hookMethod } from '../../kit/instance-hook.js';
import { FAIRNESS_PROBES } from './probes.js';
import { SimulateInput, type ScenarioResultWire, type SimulateOutput } from './schemas.js';
import { simulateScenario } from './simulate.js';
import { schedulerClass, type FairnessModule } from './student.js';

const module: FairnessModule = { cost, vtc, vtcSarathi };

/** The student's scheduler with every getNextBatch call logged (wrapped on the instance: traces keep the class name). */
function recording(m: FairnessModule, run: SimulateInput['runs'][number], log: number[], counter: { calls: number }) {
  const Student = schedulerClass(m, run.scheduler);
  return (init: ReplicaSchedulerInit) => {
    const scheduler = new Student(init);
    return hookMethod(scheduler, 'getNextBatch', (original: (now: number) => Batch | undefined) => (now) => {
      const before: [Request, number][] = scheduler.running.map((r) => [r, r.numRestarts]);
      const batch = original(now);
      logCall(
        log,
        now,
        before.filter(([r, n]) => r.numRestarts > n).map(([r]) => r.id),
        batch,
      );
      counter.calls++;
      return batch;
    });
  };
}

serveLab<FairnessModule>({
  module,
  studentDir: 'starter/fairness',
  probes: FAIRNESS_PROBES,
  starterDefaults: (m) => m.cost?.STARTER_DEFAULTS,
  tasks: {
    simulate: childTask(SimulateInput, (input, m): SimulateOutput => {
      const runs = input.runs.flatMap((run): ScenarioResultWire[] => {
        const log: number[] = [];
        const counter = { calls: 0 };
        try {
          simulateScenario(run, recording(m, run, log, counter));
        } catch (err) {
          // The timeline run must not fail the scored ones: the report simply has no timeline.
          if (run.timelineOnly === true) return [];
          throw err;
        }
        return [{ key: run.key, log, calls: counter.calls }];
      });
      return { task: 'simulate', runs };
    }),
  },
});
