/**
 * Round robin over the replicas that can take requests now. The cursor counts assignments, so after
 * replicas are added, removed or marked it continues over the current list (whose ids need not be
 * contiguous).
 */
import { Router, type Assignment } from './router.js';

export class RoundRobinRouter extends Router {
  override readonly readsKvState = false;

  #cursor = 0;

  schedule(_now: number): Assignment[] {
    // Only read here, so with nothing marked the cluster's own list does, without a copy per routing step.
    const replicas = this.replicasToFree.size === 0 ? this.cluster.replicas : this.routableReplicas();
    if (replicas.length === 0) return [];
    return this.drainQueueByArrival().map((request) => ({
      replicaId: replicas[this.#cursor++ % replicas.length]!.replicaId,
      request,
    }));
  }
}
