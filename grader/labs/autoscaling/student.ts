/**
 * The autoscaling lab's student module: what starter/autoscaling's four files export, by file. The
 * child-side driver builds it from the student's files, the oracle from reference/autoscaling's.
 */
import { referenceOracle } from '../../kit/oracle.js';
import type { Request } from '../../../sim/entities/request.js';
import type { Autoscaler } from '../../../sim/policies/autoscaler/autoscaler.js';
import type { Router, RouterInit } from '../../../sim/policies/router/router.js';
import type { InferlineConfig } from './schemas.js';

export interface Envelope {
  /** The envelope reads only these of a request. */
  onRequestArrival(request: Pick<Request, 'arrivedAt' | 'numPrefillTokens' | 'numDecodeTokens'>): void;
  getMaxRequestRate(time: number, windowSize: number, lookBackTime: number): number;
}

/** The tuner as the probes drive it: a config, an envelope (a stand-in for tune()), and μ to read. */
export interface Inferline extends Autoscaler {
  readonly replicaTokenThroughput: number;
}

export interface AutoscalingModule {
  readonly routers: {
    readonly RoundRobinRouter: new (init: RouterInit) => Router;
    readonly LorRouter: new (init: RouterInit) => Router;
  };
  readonly envelope: { readonly NetworkEnvelope: new () => Envelope };
  readonly inferline: {
    readonly InferlineAutoscaler: new (config?: InferlineConfig, envelope?: Envelope) => Inferline;
    readonly INFERLINE_CONFIG: InferlineConfig;
  };
  readonly custom: { readonly CustomAutoscaler: new (level: 1 | 2 | 3) => Autoscaler };
}

/** reference/autoscaling as the lab's module, for the unit probes and the scenario runs. */
export const oracle = referenceOracle<AutoscalingModule>('autoscaling', {
  routers: 'scaling-routers.ts',
  envelope: 'network-envelope.ts',
  inferline: 'inferline-autoscaler.ts',
  custom: 'custom-autoscaler.ts',
});
