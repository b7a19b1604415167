/** The deadline lab's sandbox entry: the student's scheduler module, served (child.ts). */
// First: the child runtime must run before any student module body (grader/sandbox/child-runtime.ts).
import { serveLab } from '../../kit/driver.js';
import * as student from '@student/deadline/deadline-scheduler.js';
import { child } from './child.js';
import type { DeadlineModule } from './student.js';

const module: DeadlineModule = student;
serveLab({ module, ...child });
