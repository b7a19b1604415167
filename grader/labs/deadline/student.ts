/** The deadline lab's student module: what starter/deadline/deadline-scheduler.ts (and the reference) export. */
import { referenceOracle } from '../../kit/oracle.js';
import type { Request } from '../../../sim/entities/request.js';
import type { BatchSample, BatchTimeModel as Model } from '../../../sim/policies/replica/deadline/batch-time-model.js';
import type { DeadlineOptions } from '../../../sim/policies/replica/deadline/deadline-options.js';
import type { DeadlineReplicaScheduler } from '../../../sim/policies/replica/deadline/deadline-replica-scheduler.js';
import type { ReplicaSchedulerInit } from '../../../sim/policies/replica/replica-scheduler.js';

/** The methods the student writes (public on the lab's class; getNextBatch is protected and reached through `schedule`). */
export interface LabScheduler extends DeadlineReplicaScheduler {
  tokenDeadline(r: Request): number;
  compareDecodes(a: Request, b: Request, now: number): number;
  shouldRelegate(r: Request, now: number): boolean;
  prefillSizeBySlack(minSlack: number, decodes: readonly Request[], freeBlocks: number): number;
}

export interface DeadlineModule {
  readonly DeadlineScheduler: new (init: ReplicaSchedulerInit, options?: DeadlineOptions) => LabScheduler;
  readonly fitBatchTimeModel: (samples: readonly BatchSample[], fallback: Model, min?: number) => Model;
  /** The starter's defaults that ran (starter/deadline/deadline-scheduler.ts); absent in a finished solution. */
  readonly STARTER_DEFAULTS?: Set<string>;
}

/** The starter's record of its simple defaults, when the module has one (runProbes' `starterDefaults`). */
export const starterDefaults = (m: DeadlineModule): Set<string> | undefined =>
  m.STARTER_DEFAULTS instanceof Set ? m.STARTER_DEFAULTS : undefined;

/** reference/deadline as the lab's module, for the unit probes. */
export const oracle = referenceOracle<DeadlineModule>('deadline', 'deadline-scheduler.ts');
