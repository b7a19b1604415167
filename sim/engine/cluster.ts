/**
 * The replicas that exist at a moment, and what they cost. Replica ids come from a counter owned by
 * the cluster and are never reused, so after scale-downs they are not contiguous.
 *
 * Cost: every existing replica (marked ones too, until freed) costs its hourly price (the cluster's
 * `costPerReplicaHour` unless `add` names another, for unequal replicas); replicas still provisioning
 * are free. The integral is advanced at every membership change and closed by
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
  /** Hourly price of each existing replica priced apart from `costPerReplicaHour` (unequal replicas). */
  readonly #hourly = new Map<number, number>();
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

  add(replica: ReplicaScheduler, now: number, costPerHour: number = this.costPerReplicaHour): void {
    this.#advanceCost(now);
    this.#replicas.push(replica); // ids are increasing, so the list stays sorted
    this.#byId.set(replica.replicaId, replica);
    if (costPerHour !== this.costPerReplicaHour) this.#hourly.set(replica.replicaId, costPerHour);
    this.#record(now);
  }

  remove(replicaId: number, now: number): void {
    const replica = this.require(replicaId);
    if (!replica.isIdle) throw new Error(`replica ${replicaId} still has work and cannot be freed`);
    this.#advanceCost(now);
    this.#replicas = this.#replicas.filter((r) => r.replicaId !== replicaId);
    this.#byId.delete(replicaId);
    this.#hourly.delete(replicaId);
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

  /** Dollars per hour of the replicas that exist now (equal replicas: count × price, as always). */
  #costRate(): number {
    if (this.#hourly.size === 0) return this.#replicas.length * this.costPerReplicaHour;
    let rate = (this.#replicas.length - this.#hourly.size) * this.costPerReplicaHour;
    for (const price of this.#hourly.values()) rate += price;
    return rate;
  }

  #advanceCost(now: number): void {
    if (now > this.#costClock) {
      this.#costDollars += (this.#costRate() * (now - this.#costClock)) / 3600;
      this.#costClock = now;
    }
  }
}
