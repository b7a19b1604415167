/** The fairness lab's student module: what starter/fairness/ (and reference/fairness/) export, by file. */
import { referenceOracle } from '../../kit/oracle.js';
import type { Request } from '../../../sim/entities/request.js';
import type { ReplicaScheduler, ReplicaSchedulerInit } from '../../../sim/policies/replica/replica-scheduler.js';
import type { SchedulerKind } from './schemas.js';

/** The state and methods of a VTC scheduler the probes read or call (the handout's contract). */
interface VtcState extends ReplicaScheduler {
  readonly virtualCounters: Map<number, number>;
  lastClientScheduled: number | undefined;
}
/** What selectNextRequest returns; part 2 also says whether it is a prompt in progress. */
type Selection = { readonly request: Request; readonly index: number; readonly isRunningPrefill?: boolean } | undefined;
export type VtcScheduler = VtcState & { selectNextRequest(): Selection };
export type VtcSarathiScheduler = VtcState & { selectNextRequest(runningPrefills: readonly Request[]): Selection };

export interface FairnessModule {
  /** service-cost.ts; STARTER_DEFAULTS: the starter's defaults that ran (absent in a finished solution). */
  readonly cost: {
    getPrefillTokenServiceCost(numTokens: number): number;
    getDecodeTokenServiceCost(): number;
    getServiceCost(numPrefillTokens: number, numDecodeTokens: number): number;
    readonly STARTER_DEFAULTS?: Set<string>;
  };
  readonly vtc: { readonly VtcReplicaScheduler: new (init: ReplicaSchedulerInit) => VtcScheduler };
  readonly vtcSarathi: { readonly VtcSarathiReplicaScheduler: new (init: ReplicaSchedulerInit) => VtcSarathiScheduler };
}

/** The part's scheduler class, with a clear message when the export is missing. */
export function schedulerClass(m: FairnessModule, kind: SchedulerKind) {
  const [cls, file, name] =
    kind === 'vtc'
      ? [m.vtc?.VtcReplicaScheduler, 'vtc-replica-scheduler.ts', 'VtcReplicaScheduler']
      : [m.vtcSarathi?.VtcSarathiReplicaScheduler, 'vtc-sarathi-replica-scheduler.ts', 'VtcSarathiReplicaScheduler'];
  if (typeof cls !== 'function')
    throw new TypeError(`${file} does not export the class ${name}; keep its name and export`);
  return cls;
}

/** reference/fairness as the lab's module, for the unit probes and the scenario runs. */
export const oracle = referenceOracle<FairnessModule>('fairness', {
  cost: 'service-cost.ts',
  vtc: 'vtc-replica-scheduler.ts',
  vtcSarathi: 'vtc-sarathi-replica-scheduler.ts',
});
