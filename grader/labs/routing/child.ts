/**
 * The routing lab's child side, minus the student's module. Unit probes run here whole (probes.ts).
 * Simulations do not: the engine runs in the grader (engine-host.ts) and asks the child, per router
 * call, what the student's router decides (grader/kit/router-session.ts). driver.ts serves it in the
 * sandbox; tests run the probes in-process (grader/kit/in-process.ts).
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
