/** The CFS lab's student module: what starter/cfs/cfs-scheduler.ts (and the reference's) exports. */
import type { VllmV0Scheduler, VllmV0SchedulerInit } from '../../../sim/policies/replica/vllm-v0-step-scheduler.js';
import { referenceOracle } from '../../kit/oracle.js';

export interface CfsModule {
  readonly CfsScheduler: new (init: VllmV0SchedulerInit) => VllmV0Scheduler;
}

/** reference/cfs/cfs-scheduler.ts as a CfsModule (loaded at scoring time). */
export const oracle = referenceOracle<CfsModule>('cfs', 'cfs-scheduler.ts');
