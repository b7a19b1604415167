/** The CFS lab's student module: what starter/cfs/cfs-scheduler.ts (and the reference's) exports. */
import type { VllmV0Scheduler, VllmV0SchedulerInit } from '../../../sim/policies/replica/vllm-v0-step-scheduler.js';
import { assembledOracle } from '../../kit/oracle.js';

export interface CfsModule {
  readonly CfsScheduler: new (init: VllmV0SchedulerInit) => VllmV0Scheduler;
  /** The answer sheet (starter/cfs/cfs-answers.ts `answers`), read lazily: reading it may throw. */
  readonly answerSheet?: () => unknown;
}

/** reference/cfs's scheduler and answer sheet as a CfsModule, as driver.ts assembles the student's (loaded at scoring time). */
export const oracle = assembledOracle(
  'cfs',
  { scheduler: 'cfs-scheduler.ts', answers: 'cfs-answers.ts' },
  (m: { scheduler: Pick<CfsModule, 'CfsScheduler'>; answers: { answers?: unknown } }): CfsModule => ({
    CfsScheduler: m.scheduler.CfsScheduler,
    answerSheet: () => m.answers.answers,
  }),
);
