/** What a routing submission exports (starter/routing/ai-router.ts; the reference's file has the same shape). */
import { referenceOracle } from '../../kit/oracle.js';
import type { Router, RouterInit } from '../../../sim/policies/router/router.js';

export interface RoutingModule {
  readonly AiRouter: new (init: RouterInit) => Router;
}

/** reference/routing as the lab's module, for the unit probes. */
export const oracle = referenceOracle<RoutingModule>('routing', 'ai-router.ts');
