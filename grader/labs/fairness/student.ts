/** The fairness lab's student module: what starter/fairness/ (and reference/fairness/) export, by file. */
import type { Request } from '../../../sim/entities/request.js';
import type { ReplicaScheduler, ReplicaSchedulerInit } from '../../../sim/policies/replica/replica-scheduler.js';
import type { SchedulerKind } from './schemas.js';

/** The state and methods of either VTC scheduler that the probes read or call (the handout's contract). */
interface VtcState extends ReplicaScheduler {
  readonly virtualCounters: Map<number, number>;
  lastClientScheduled: number | undefined;
}

export interface VtcScheduler extends VtcState {
  selectNextRequest(): { readonly request: Request; readonly index: number } | undefined;
}

export interface VtcSarathiScheduler extends VtcState {
  selectNextRequest(
    runningPrefills: readonly Request[],
  ): { readonly request: Request; readonly index: number; readonly isRunningPrefill: boolean } | undefined;
}

export interface FairnessModule {
  /** service-cost.ts */
  readonly cost: {
    getPrefillTokenServiceCost(numTokens: number): number;
    getDecodeTokenServiceCost(): number;
    getServiceCost(numPrefillTokens: number, numDecodeTokens: number): number;
    /** The starter's defaults that ran (starter/fairness/service-cost.ts); absent in a finished solution. */
    readonly STARTER_DEFAULTS?: Set<string>;
  };
  /** vtc-replica-scheduler.ts */
  readonly vtc: { readonly VtcReplicaScheduler: new (init: ReplicaSchedulerInit) => VtcScheduler };
  /** vtc-sarathi-replica-scheduler.ts */
  readonly vtcSarathi: { readonly VtcSarathiReplicaScheduler: new (init: ReplicaSchedulerInit) => VtcSarathiScheduler };
}

/** The part's scheduler class from the module, with a clear message when the export is missing. */
export function schedulerClass(
  m: FairnessModule,
  kind: SchedulerKind,
): new (
  init: ReplicaSchedulerInit,
) => VtcScheduler | VtcSarathiScheduler {
  const [cls, file, name] =
    kind === 'vtc'
      ? [m.vtc?.VtcReplicaScheduler, 'vtc-replica-scheduler.ts', 'VtcReplicaScheduler']
      : [m.vtcSarathi?.VtcSarathiReplicaScheduler, 'vtc-sarathi-replica-scheduler.ts', 'VtcSarathiReplicaScheduler'];
  if (typeof cls !== 'function')
    throw new TypeError(`${file} does not export the class ${name}; keep its name and export`);
  return cls;
}
