/**
 * Routing lab: your global scheduler. Replace the random routing below with a router that lowers the
 * mean end-to-end latency of the benchmark (see labs/routing/README.md).
 *
 * Rules: assign every request exactly once, only to replicas from `this.routableReplicas()`, and do
 * not read a request's decode-token count (it is not part of `RoutableRequest`; the grader's request
 * views throw if you try).
 */
import { Router, type Assignment } from '../../sim/policies/router/router.js';

export class AiRouter extends Router {
  schedule(_now: number): Assignment[] {
    const replicas = this.routableReplicas();
    if (replicas.length === 0) return [];
    // Naive starting point: a uniformly random live replica for every queued request.
    return this.drainQueueByArrival().map((request) => ({
      replicaId: replicas[this.rng.int(0, replicas.length - 1)]!.replicaId,
      request,
    }));
  }
}
