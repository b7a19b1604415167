/** A lone vllm-v0 replica for the engine's tests, with the V0 step scheduler optionally replaced (as the CFS lab does). */
import { KvBlockManager } from '../../sim/memory/kv-block-manager.js';
import { VllmV0ReplicaScheduler, type VllmV0Options } from '../../sim/policies/replica/vllm-v0-replica-scheduler.js';
import type { VllmV0Scheduler, VllmV0SchedulerInit } from '../../sim/policies/replica/vllm-v0-step-scheduler.js';

export function v0Replica(
  numBlocks: number,
  options: VllmV0Options,
  make?: (init: VllmV0SchedulerInit) => VllmV0Scheduler,
): VllmV0ReplicaScheduler {
  class Replica extends VllmV0ReplicaScheduler {
    protected override createScheduler(init: VllmV0SchedulerInit): VllmV0Scheduler {
      return make?.(init) ?? super.createScheduler(init);
    }
  }
  return new Replica(
    {
      replicaId: 0,
      kv: new KvBlockManager(numBlocks, 16, 0),
      limits: { batchSizeCap: 512, maxTokensInBatch: 4096, chunkSize: 512, maxRequestTokens: 4096 },
    },
    options,
  );
}
