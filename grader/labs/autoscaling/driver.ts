/** The autoscaling lab's sandbox entry: the student's four files as the lab's module, served (child.ts). */
// First: the child runtime must run before any student module body (grader/sandbox/child-runtime.ts).
import { serveLab } from '../../kit/driver.js';
import { CustomAutoscaler } from '@student/autoscaling/custom-autoscaler.js';
import { INFERLINE_CONFIG, InferlineAutoscaler } from '@student/autoscaling/inferline-autoscaler.js';
import { NetworkEnvelope } from '@student/autoscaling/network-envelope.js';
import { LorRouter, RoundRobinRouter } from '@student/autoscaling/scaling-routers.js';
import { child } from './child.js';
import type { AutoscalingModule } from './student.js';

const module: AutoscalingModule = {
  routers: { RoundRobinRouter, LorRouter },
  envelope: { NetworkEnvelope },
  inferline: { InferlineAutoscaler, INFERLINE_CONFIG },
  custom: { CustomAutoscaler },
};
serveLab({ module, ...child });
