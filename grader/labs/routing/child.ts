/**
 * The routing lab's child side, minus the student's module: the unit probes (probes.ts), and the kit's
 * per-call router tasks for the engine that runs in the grader (engine-host.ts, grader/kit/router-session.ts).
 */
import type { LabChild } from '../../kit/driver.js';
import { routerSessionTasks } from '../../kit/router-session.js';
import { routingUnits } from './probes.js';
import type { RoutingModule } from './student.js';

export const child: LabChild<RoutingModule> = {
  studentDir: 'starter/routing',
  probes: routingUnits.probes,
  tasks: routerSessionTasks((m: RoutingModule) => m.AiRouter),
};
