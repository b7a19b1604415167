/** The routing lab's sandbox entry: the student's router module, served (child.ts). */
// First: the child runtime must run before any student module body (grader/sandbox/child-runtime.ts).
import { serveLab } from '../../kit/driver.js';
import { AiRouter } from '@student/routing/ai-router.js';
import { child } from './child.js';
import type { RoutingModule } from './student.js';

const module: RoutingModule = { AiRouter };
serveLab({ module, ...child });
