/**
 * The autoscaling lab's child side: runs in the sandbox with the student's files bundled in. Unit
 * items run their probes (probes.ts); the efficiency item times the student's envelope; the
 * simulation items run the student's autoscalers and return every non-zero tune() decision, which
 * the parent replays in its own engine. Scores are computed by the parent, never here.
 */
// First: the child runtime must run before any student module body (grader/sandbox/child-runtime.ts).
import { childTask, serveLab } from '../../kit/driver.js';
import { CustomAutoscaler } from '@student/autoscaling/custom-autoscaler.js';
import { INFERLINE_CONFIG, InferlineAutoscaler } from '@student/autoscaling/inferline-autoscaler.js';
import { NetworkEnvelope } from '@student/autoscaling/network-envelope.js';
import { LorRouter, RoundRobinRouter } from '@student/autoscaling/scaling-routers.js';
import { PROBES } from './probes.js';
import { measureScaling } from './scaling.js';
import { ScalingInput, SimInput } from './schemas.js';
import { runSimulations } from './simulate.js';
import type { AutoscalingModule } from './student.js';

const STUDENT_DIR = 'starter/autoscaling';

const module: AutoscalingModule = {
  routers: { RoundRobinRouter, LorRouter },
  envelope: { NetworkEnvelope },
  inferline: { InferlineAutoscaler, INFERLINE_CONFIG },
  custom: { CustomAutoscaler },
};

serveLab<AutoscalingModule>({
  module,
  studentDir: STUDENT_DIR,
  probes: PROBES,
  tasks: {
    scaling: childTask(ScalingInput, (input, m) => ({ attempts: measureScaling(input, m.envelope.NetworkEnvelope) })),
    simulate: childTask(SimInput, (input, m) => runSimulations(m, input, STUDENT_DIR)),
  },
});
