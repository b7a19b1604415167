/**
 * The base of every global scheduler (router): it holds requests that have arrived but are not yet
 * assigned, and `schedule()` decides which replica gets which. The engine calls `schedule()` after
 * every arrival and every batch end, so a router may also hold requests back (late binding).
 *
 * Routers see requests through `RoutableRequest`, which omits the decode length: a real router cannot
 * know how many tokens a request will generate.
 */
import type { Request } from '../../entities/request.js';
import type { Rng } from '../../workload/rng.js';

export type RoutableRequest = Pick<Request, 'id' | 'arrivedAt' | 'numPrefillTokens' | 'clientId' | 'tier'>;

/** What a router may read about a replica. */
export interface ReplicaView {
  readonly replicaId: number;
  /** Routed here, not yet admitted (no KV blocks). */
  readonly numWaiting: number;
  /** Holding KV blocks (admitted, unfinished). */
  readonly numRunning: number;
  readonly numOutstanding: number;
  readonly kv: { readonly numBlocks: number; readonly numFreeBlocks: number };
  /** Device and parallelism when replicas are unequal (`--replica-mix`), e.g. "h100/tp2"; else undefined. */
  readonly kind?: string | undefined;
}

export interface ClusterView {
  /** Replicas that exist now (provisioned, not yet freed), ascending id; ids need not be contiguous. */
  readonly replicas: readonly ReplicaView[];
}

export interface Assignment {
  readonly replicaId: number;
  readonly request: RoutableRequest;
}

export interface RouterInit {
  readonly cluster: ClusterView;
  readonly rng: Rng;
}

export abstract class Router {
  protected readonly queue: RoutableRequest[] = [];
  /** Replicas marked for scale-down: they get no new requests and are freed once drained. */
  readonly replicasToFree = new Set<number>();
  protected readonly cluster: ClusterView;
  protected readonly rng: Rng;
  /**
   * Whether `schedule` reads replicas' KV state (`kv.numFreeBlocks`). The engine may run a replica's
   * steady decode iterations in one event, during which that figure is only brought up to date at the
   * run's end; routers that read it keep the default `true`, which turns that shortcut off.
   */
  readonly readsKvState: boolean = true;

  constructor(init: RouterInit) {
    this.cluster = init.cluster;
    this.rng = init.rng;
  }

  /** Policy hook: assign queued requests (usually all of them) to replicas. */
  abstract schedule(now: number): Assignment[];

  get numQueued(): number {
    return this.queue.length;
  }

  addRequest(request: RoutableRequest): void {
    this.queue.push(request);
  }

  /** Replicas that may receive requests: existing and not marked for scale-down, ascending id. */
  routableReplicas(): ReplicaView[] {
    // Called on every routing step; with nothing marked a plain copy does, without a call per replica.
    if (this.replicasToFree.size === 0) return this.cluster.replicas.slice();
    return this.cluster.replicas.filter((r) => !this.replicasToFree.has(r.replicaId));
  }

  /**
   * Chooses a replica to drain for a scale-down, marks it and returns its id (null if every replica
   * is marked already). Default: fewest outstanding requests, ties to the lowest id.
   */
  markReplicaToFree(): number | null {
    let best: ReplicaView | undefined;
    for (const r of this.routableReplicas()) {
      if (best === undefined || r.numOutstanding < best.numOutstanding) best = r;
    }
    if (best === undefined) return null;
    this.replicasToFree.add(best.replicaId);
    return best.replicaId;
  }

  /** Engine notification: a replica was freed (its mark, if any, is dropped). */
  onReplicaRemoved(replicaId: number): void {
    this.replicasToFree.delete(replicaId);
  }

  /** Takes every queued request in arrival order (ties by id) and empties the queue. */
  protected drainQueueByArrival(): RoutableRequest[] {
    const drained = this.queue.slice();
    // Emptied by pop, which keeps the queue's storage: after splice the next addRequest allocated it
    // anew, once per routing step (about 1 GB of garbage in an autoscaling sweep).
    while (this.queue.length > 0) this.queue.pop();
    drained.sort((a, b) => a.arrivedAt - b.arrivedAt || a.id - b.id);
    return drained;
  }

  /**
   * Assigns every queued request to the replica with the smallest load, adding one to the chosen
   * replica's load after each assignment; ties go to the lowest id. Shared by LOR and LLQ.
   */
  protected assignToLeastLoaded(load: (r: ReplicaView) => number): Assignment[] {
    const replicas = this.routableReplicas();
    if (replicas.length === 0) return [];
    const loads = replicas.map(load);
    const out: Assignment[] = [];
    for (const request of this.drainQueueByArrival()) {
      let best = 0;
      for (let i = 1; i < loads.length; i++) if (loads[i]! < loads[best]!) best = i;
      loads[best]!++;
      out.push({ replicaId: replicas[best]!.replicaId, request });
    }
    return out;
  }
}
