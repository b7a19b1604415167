/**
 * The fairness lab's child side, minus the student's module: the unit probes, and the scenario runs,
 * whose every getNextBatch call is logged for the parent to replay. driver.ts serves it in the sandbox
 * with the student's files; tests run it in-process on the reference or a mutant (grader/kit/in-process.ts).
 */
import { recordBatches } from '../../kit/batch-log.js';
import { childTask, type LabChild } from '../../kit/driver.js';
import { FAIRNESS_PROBES } from './probes.js';
import { SimulateInput, type ScenarioResultWire, type SimulateOutput } from './schemas.js';
import { schedulerClass, type FairnessModule } from './student.js';
import { simulateScenario } from './workloads.js';

export const child: LabChild<FairnessModule> = {
  studentDir: 'starter/fairness',
  probes: FAIRNESS_PROBES,
  starterDefaults: (m) => m.cost?.STARTER_DEFAULTS,
  tasks: {
    simulate: childTask(SimulateInput, (input, m: FairnessModule): SimulateOutput => {
      const runs = input.runs.flatMap((run): ScenarioResultWire[] => {
        const log: number[] = [];
        try {
          simulateScenario(run, (init) => recordBatches(new (schedulerClass(m, run.scheduler))(init), log));
        } catch (err) {
          // The timeline run must not fail the scored ones: the report simply has no timeline.
          if (run.timelineOnly === true) return [];
          throw err;
        }
        return [{ key: run.key, log }];
      });
      return { task: 'simulate', runs };
    }),
  },
};
