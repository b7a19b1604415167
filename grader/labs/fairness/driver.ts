/** The fairness lab's sandbox entry: the student's three files as the lab's module, served (child.ts). */
// First: the child runtime must run before any student module body (grader/sandbox/child-runtime.ts).
import { serveLab } from '../../kit/driver.js';
import * as cost from '@student/fairness/service-cost.js';
import * as vtc from '@student/fairness/vtc-replica-scheduler.js';
import * as vtcSarathi from '@student/fairness/vtc-sarathi-replica-scheduler.js';
import { child } from './child.js';
import type { FairnessModule } from './student.js';

const module: FairnessModule = { cost, vtc, vtcSarathi };
serveLab({ module, ...child });
