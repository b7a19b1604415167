/** What a routing submission exports (starter/routing/ai-router.ts; the reference's file has the same shape). */
import type { Router, RouterInit } from '../../../sim/policies/router/router.js';

export interface RoutingModule {
  readonly AiRouter: new (init: RouterInit) => Router;
}
