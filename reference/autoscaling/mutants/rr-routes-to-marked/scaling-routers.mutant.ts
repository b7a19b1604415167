/**
 * MUTANT (rr-routes-to-marked): round robin over every replica that exists, marked ones included
 * (`this.cluster.replicas` instead of `this.routableReplicas()`). Loses: round-robin.
 */
import { Router, type Assignment, type ReplicaView } from '../../sim/policies/router/router.js';

/**
 * Round robin in ascending id order, continuing after the replica that got the last request. Keeping
 * the last id rather than a counter means the rotation carries on correctly when replicas are added,
 * removed or marked between calls.
 */
export class RoundRobinRouter extends Router {
  override readonly readsKvState = false;
  #lastId = Number.NEGATIVE_INFINITY;

  schedule(_now: number): Assignment[] {
    const replicas = this.cluster.replicas;
    if (replicas.length === 0) return []; // requests wait until a replica can take them
    let i = replicas.findIndex((r) => r.replicaId > this.#lastId);
    if (i < 0) i = 0;
    const out: Assignment[] = [];
    for (const request of this.drainQueueByArrival()) {
      const replica = replicas[i]!;
      out.push({ replicaId: replica.replicaId, request });
      this.#lastId = replica.replicaId;
      i = (i + 1) % replicas.length;
    }
    return out;
  }
}

/**
 * Least outstanding requests: each request goes to the routable replica with the fewest requests
 * waiting or running, counting the ones assigned earlier in the same call; ties to the lowest id.
 */
export class LorRouter extends Router {
  override readonly readsKvState = false;

  schedule(_now: number): Assignment[] {
    const replicas = this.routableReplicas();
    if (replicas.length === 0) return [];
    const load = replicas.map((r) => r.numOutstanding);
    const out: Assignment[] = [];
    for (const request of this.drainQueueByArrival()) {
      let best = 0;
      for (let i = 1; i < load.length; i++) if (load[i]! < load[best]!) best = i;
      load[best]!++;
      out.push({ replicaId: replicas[best]!.replicaId, request });
    }
    return out;
  }

  /** The scale-down victim: the unmarked replica with the fewest outstanding requests (it drains soonest). */
  override markReplicaToFree(): number | null {
    let best: ReplicaView | undefined;
    for (const r of this.routableReplicas()) if (best === undefined || r.numOutstanding < best.numOutstanding) best = r;
    if (best === undefined) return null;
    this.replicasToFree.add(best.replicaId);
    return best.replicaId;
  }
}
