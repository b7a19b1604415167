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
    const replicas = this.routableReplicas();
    if (replicas.length === 0) return [];
    return this.drainQueueByArrival().map((request) => ({
      replicaId: replicas[this.#cursor++ % replicas.length]!.replicaId,
      request,
    }));
  }
}
