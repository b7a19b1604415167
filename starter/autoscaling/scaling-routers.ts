/**
 * Autoscaling lab, part 1: routers that cope with replicas coming and going (labs/autoscaling/README.md).
 *
 * Replicas are added and removed while requests flow. A replica chosen for scale-down is *marked*
 * (its id is in `this.replicasToFree`): it finishes what it has but must get no new request. Replica ids
 * are never reused, so after scale-downs they are not 0..n−1. `this.routableReplicas()` lists the
 * replicas you may use now (existing, unmarked), in ascending id order.
 */
import { Router, type Assignment } from '../../sim/policies/router/router.js';

/**
 * Round robin (0.5 points): give queued requests (`this.drainQueueByArrival()`) to routable replicas in
 * ascending id order, one each in turn, continuing after the replica that got the previous request, also
 * across calls and after replicas were added, removed or marked. With no routable replica, return []
 * (the requests stay queued).
 */
export class RoundRobinRouter extends Router {
  override readonly readsKvState = false;

  schedule(_now: number): Assignment[] {
    throw new Error('not implemented: RoundRobinRouter.schedule in starter/autoscaling/scaling-routers.ts');
  }
}

/**
 * Least outstanding requests (1 point, with markReplicaToFree).
 */
export class LorRouter extends Router {
  override readonly readsKvState = false;

  /**
   * Each queued request goes to the routable replica with the fewest outstanding requests
   * (`numOutstanding`: waiting + running), counting the requests you assigned earlier in this call.
   */
  schedule(_now: number): Assignment[] {
    throw new Error('not implemented: LorRouter.schedule in starter/autoscaling/scaling-routers.ts');
  }

  /**
   * The engine calls this to scale down when no replica is idle: choose the unmarked replica with the
   * fewest outstanding requests, add its id to `this.replicasToFree` and return it; return null (and
   * mark nothing) when every replica is marked already.
   */
  override markReplicaToFree(): number | null {
    throw new Error('not implemented: LorRouter.markReplicaToFree in starter/autoscaling/scaling-routers.ts');
  }
}
