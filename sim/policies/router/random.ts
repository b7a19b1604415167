/** Uniformly random routing from the simulation's seeded generator. */
import { Router, type Assignment } from './router.js';

export class RandomRouter extends Router {
  override readonly readsKvState = false;

  schedule(_now: number): Assignment[] {
    const replicas = this.routableReplicas();
    if (replicas.length === 0) return [];
    return this.drainQueueByArrival().map((request) => ({
      replicaId: replicas[this.rng.int(0, replicas.length - 1)]!.replicaId,
      request,
    }));
  }
}
