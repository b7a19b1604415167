/** The CFS lab's sandbox entry: the student's scheduler and answer sheet as the lab's module, served (child.ts). */
// First: the child runtime must run before any student module body (grader/sandbox/child-runtime.ts).
import { serveLab } from '../../kit/driver.js';
import * as studentAnswers from '@student/cfs/cfs-answers.js';
import { CfsScheduler } from '@student/cfs/cfs-scheduler.js';
import { child } from './child.js';
import type { CfsModule } from './student.js';

const module: CfsModule = { CfsScheduler, answerSheet: () => (studentAnswers as { answers?: unknown }).answers };
serveLab({ module, ...child });
