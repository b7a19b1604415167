/** Small builders shared by the engine tests. */
import type { Batch } from '../sim/entities/batch.js';
import { Request } from '../sim/entities/request.js';
import type { SimulationSetup } from '../sim/engine/simulator.js';
import { KvBlockManager } from '../sim/memory/kv-block-manager.js';
import type { BatchShape, ExecutionTimeModel } from '../sim/predictor/execution-time-model.js';
import type { ReplicaScheduler, ReplicaSchedulerLimits } from '../sim/policies/replica/replica-scheduler.js';
import { REPLICA_SCHEDULERS, type ReplicaSchedulerName } from '../sim/policies/replica/registry.js';
import { ROUTERS } from '../sim/policies/router/registry.js';

let nextId = 1_000_000;

export function req(
  numPrefillTokens: number,
  numDecodeTokens: number,
  extra: { id?: number; arrivedAt?: number; clientId?: number } = {},
): Request {
  return new Request({
    id: extra.id ?? nextId++,
    arrivedAt: extra.arrivedAt ?? 0,
    numPrefillTokens,
    numDecodeTokens,
    clientId: extra.clientId,
  });
}

/** 10 ms per iteration plus 0.1 ms per token: simple, positive, and sensitive to batch composition. */
export const linearModel: ExecutionTimeModel = {
  name: 'linear-test',
  batchTime(batch: BatchShape): number {
    let tokens = 0;
    for (const t of batch.numTokens) tokens += t;
    return 0.01 + 1e-4 * tokens;
  },
};

export const LIMITS: ReplicaSchedulerLimits = {
  batchSizeCap: 128,
  maxTokensInBatch: 4096,
  chunkSize: 512,
  maxRequestTokens: 4096,
};

/** A replica scheduler with `numBlocks` blocks of 16 tokens and no watermark unless given. */
export function replica(
  name: ReplicaSchedulerName,
  numBlocks: number,
  limits: Partial<ReplicaSchedulerLimits> = {},
  watermark = 0,
): ReplicaScheduler {
  return REPLICA_SCHEDULERS[name].create({
    replicaId: 0,
    kv: new KvBlockManager(numBlocks, 16, watermark),
    limits: { ...LIMITS, ...limits },
  });
}

/** Runs `batch` to completion on `scheduler` the way the engine would (advance requests, then onBatchEnd). */
export function finishBatch(scheduler: ReplicaScheduler, batch: Batch, now = 1): void {
  for (let i = 0; i < batch.requests.length; i++) {
    batch.requests[i]!.onBatchStart(now);
    batch.requests[i]!.onBatchEnd(now, batch.numTokens[i]!, 0.01);
  }
  scheduler.onBatchEnd(batch, now);
}

export function tokensById(batch: Batch | undefined): Record<number, number> {
  const out: Record<number, number> = {};
  if (batch === undefined) return out;
  batch.requests.forEach((r, i) => (out[r.id] = batch.numTokens[i]!));
  return out;
}

export function setup(
  requests: Request[],
  overrides: Partial<SimulationSetup> & { replicaScheduler?: ReplicaSchedulerName; router?: keyof typeof ROUTERS } = {},
): SimulationSetup {
  return {
    requests,
    initialReplicas: 2,
    kvCache: { numBlocks: 1000, blockSize: 16, watermarkFraction: 0.01 },
    limits: LIMITS,
    makeRouter: ROUTERS[overrides.router ?? 'round_robin'],
    makeReplicaScheduler: REPLICA_SCHEDULERS[overrides.replicaScheduler ?? 'vllm'].create,
    executionModel: linearModel,
    seed: 1,
    costPerReplicaHour: 2,
    ...overrides,
  };
}
