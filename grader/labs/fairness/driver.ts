/**
 * The fairness lab's child side: the student's three files as the lab's module, the unit probes, and
 * the scenario runs, whose every getNextBatch call is logged for the parent to replay.
 */
// First: the child runtime must run before any student module body (grader/sandbox/child-runtime.ts).
import { childTask, serveLab } from '../../kit/driver.js';
import * as cost from '@student/fairness/service-cost.js';
import * as vtc from '@student/fairness/vtc-replica-scheduler.js';
import * as vtcSarathi from '@student/fairness/vtc-sarathi-replica-scheduler.js';
import { recordBatches } from '../../kit/batch-log.js';
import { FAIRNESS_PROBES } from './probes.js';
import { SimulateInput, type ScenarioResultWire, type SimulateOutput } from './schemas.js';
import { schedulerClass, type FairnessModule } from './student.js';
import { simulateScenario } from './workloads.js';

const module: FairnessModule = { cost, vtc, vtcSarathi };

serveLab<FairnessModule>({
  module,
  studentDir: 'starter/fairness',
  probes: FAIRNESS_PROBES,
  starterDefaults: (m) => m.cost?.STARTER_DEFAULTS,
  tasks: {
    simulate: childTask(SimulateInput, (input, m): SimulateOutput => {
      const runs = input.runs.flatMap((run): ScenarioResultWire[] => {
        const log: number[] = [];
        let calls = 0;
        try {
          const Student = schedulerClass(m, run.scheduler);
          simulateScenario(run, (init) => recordBatches(new Student(init), log, () => calls++));
        } catch (err) {
          // The timeline run must not fail the scored ones: the report simply has no timeline.
          if (run.timelineOnly === true) return [];
          throw err;
        }
        return [{ key: run.key, log, calls }];
      });
      return { task: 'simulate', runs };
    }),
  },
});
