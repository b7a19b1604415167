/**
 * The routing lab's child side, run in the sandbox with the student's router bundled in. Unit probes
 * run here whole (probes.ts). Simulations do not: the engine runs in the grader (engine-host.ts) and
 * asks this child, per router call, what the student's router decides (grader/kit/router-session.ts).
 * Scores are computed by the parent, never here.
 */
import { serveLab } from '../../kit/driver.js';
import { routerSessionTasks } from '../../kit/router-session.js';
import { AiRouter } from '@student/routing/ai-router.js';
import { routingUnits } from './probes.js';
import type { RoutingModule } from './student.js';

serveLab<RoutingModule>({
  module: { AiRouter },
  studentDir: 'starter/routing',
  probes: routingUnits.probes,
  tasks: routerSessionTasks((m: RoutingModule) => m.AiRouter),
});
