/**
 * KV-cache usage of every replica over time, for the `--plots` KV and swap charts: one sample per batch
 * start (after the scheduler has allocated, swapped and preempted for it), as vLLM's stats log reports
 * GPU and CPU KV usage. Works for every replica scheduler; only `vllm-v0` has a CPU swap pool.
 */
import type { Batch } from '../entities/batch.js';
import type { Cluster } from '../engine/cluster.js';
import type { SimulationObserver } from '../engine/simulator.js';
import { VllmV0ReplicaScheduler } from '../policies/replica/vllm-v0-replica-scheduler.js';

export interface UsageSample {
  readonly time: number;
  readonly replicaId: number;
  readonly gpuBlocksUsed: number;
  readonly gpuBlocks: number;
  readonly cpuBlocksUsed: number;
  readonly cpuBlocks: number;
  readonly running: number;
  readonly swapped: number;
  readonly waiting: number;
}

export class UsageRecorder implements SimulationObserver {
  readonly samples: UsageSample[] = [];
  #cluster: Cluster | undefined;

  /** The simulator's cluster, known only once the simulator exists (observers are created before it). */
  attach(cluster: Cluster): void {
    this.#cluster = cluster;
  }

  onBatchStart(batch: Batch, now: number): void {
    const replica = this.#cluster?.get(batch.replicaId);
    if (replica === undefined) return;
    const v0 = replica instanceof VllmV0ReplicaScheduler ? replica : undefined;
    this.samples.push({
      time: now,
      replicaId: replica.replicaId,
      gpuBlocksUsed: replica.kv.numAllocatedBlocks,
      gpuBlocks: replica.kv.numBlocks,
      cpuBlocksUsed: v0?.cpu.numAllocatedBlocks ?? 0,
      cpuBlocks: v0?.cpu.numBlocks ?? 0,
      running: v0?.scheduler.running.length ?? replica.kv.numRequestsWithBlocks,
      swapped: v0?.numSwapped ?? 0,
      waiting: replica.numWaiting,
    });
  }
}
