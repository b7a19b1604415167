/**
 * The replicas that exist at a moment, and what they cost. Replica ids come from a counter owned by
 * the cluster and are never reused, so after scale-downs they are not contiguous.
 *
 * Cost: every existing replica (marked ones too, until freed) costs `costPerReplicaHour`; replicas
 * still provisioning are free. The integral is advanced at every membership change and closed by
 * `closeCostAt`.
 */
import type { ReplicaScheduler } from '../policies/replica/replica-scheduler.js';
import type { ClusterView } from '../policies/router/router.js';

export interface ReplicaCountPoint {
  readonly time: number;
  readonly replicas: number;
}

export class Cluster implements ClusterView {
  #replicas: ReplicaScheduler[] = [];
  readonly #byId = new Map<number, ReplicaScheduler>();
  #nextId = 0;
  #costDollars = 0;
  #costClock = 0;
  readonly costPerReplicaHour: number;
  readonly timeline: ReplicaCountPoint[] = [];

  constructor(costPerReplicaHour: number) {
    this.costPerReplicaHour = costPerReplicaHour;
  }

  get replicas(): readonly ReplicaScheduler[] {
    return this.#replicas;
  }

  get size(): number {
    return this.#replicas.length;
  }

  get(replicaId: number): ReplicaScheduler | undefined {
    return this.#byId.get(replicaId);
  }

  require(replicaId: number): ReplicaScheduler {
    const replica = this.#byId.get(replicaId);
    if (replica === undefined) {
      throw new Error(
        `no replica with id ${replicaId}; existing ids: [${this.#replicas.map((r) => r.replicaId).join(', ')}]`,
      );
    }
    return replica;
  }

  /** Reserves the next replica id; the caller builds the scheduler and passes it to `add`. */
  nextReplicaId(): number {
    return this.#nextId++;
  }

  add(replica: ReplicaScheduler, now: number): void {
    this.#advanceCost(now);
    this.#replicas.push(replica); // ids are increasing, so the list stays sorted
    this.#byId.set(replica.replicaId, replica);
    this.#record(now);
  }

  remove(replicaId: number, now: number): void {
    const replica = this.require(replicaId);
    if (!replica.isIdle) throw new Error(`replica ${replicaId} still has work and cannot be freed`);
    this.#advanceCost(now);
    this.#replicas = this.#replicas.filter((r) => r.replicaId !== replicaId);
    this.#byId.delete(replicaId);
    this.#record(now);
  }

  /** Total cost in dollars up to `now` (advances the integral). */
  closeCostAt(now: number): number {
    this.#advanceCost(now);
    return this.#costDollars;
  }

  /** One point per instant: several changes at the same time collapse into the last count. */
  #record(now: number): void {
    const last = this.timeline[this.timeline.length - 1];
    if (last !== undefined && last.time === now)
      this.timeline[this.timeline.length - 1] = { time: now, replicas: this.#replicas.length };
    else this.timeline.push({ time: now, replicas: this.#replicas.length });
  }

  #advanceCost(now: number): void {
    if (now > this.#costClock) {
      this.#costDollars += (this.#replicas.length * this.costPerReplicaHour * (now - this.#costClock)) / 3600;
      this.#costClock = now;
    }
  }
}
