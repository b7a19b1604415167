/**
 * The autoscaling lab's child side, minus the student's module: unit items run their probes
 * (probes.ts); the efficiency item times the student's envelope; the simulation items run the
 * student's autoscalers and return every non-zero tune() decision, which the parent replays in its
 * own engine. driver.ts serves it in the sandbox; tests run it in-process (grader/kit/in-process.ts).
 */
import { childTask, type LabChild } from '../../kit/driver.js';
import { PROBES } from './probes.js';
import { ScalingInput, SimInput } from './schemas.js';
import { measureScaling, runSimulations } from './simulate.js';
import type { AutoscalingModule } from './student.js';

const STUDENT_DIR = 'starter/autoscaling';

export const child: LabChild<AutoscalingModule> = {
  studentDir: STUDENT_DIR,
  probes: PROBES,
  tasks: {
    scaling: childTask(ScalingInput, (input, m: AutoscalingModule) => measureScaling(input, m)),
    simulate: childTask(SimInput, (input, m: AutoscalingModule) => runSimulations(m, input, STUDENT_DIR)),
  },
};
