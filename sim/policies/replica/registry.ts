import { z } from 'zod';
import { OrderedSarathiScheduler } from './deadline/ordered-sarathi.js';
import { OrcaReplicaScheduler } from './orca.js';
import type { ReplicaScheduler, ReplicaSchedulerInit } from './replica-scheduler.js';
import { SarathiReplicaScheduler } from './sarathi.js';
import { VllmReplicaScheduler } from './vllm.js';
import { VllmV0ReplicaScheduler } from './vllm-v0-replica-scheduler.js';

export const ReplicaSchedulerName = z.enum(['vllm', 'sarathi', 'orca', 'vllm-v0', 'sarathi-fcfs', 'sarathi-edf', 'sarathi-srpf']);
export type ReplicaSchedulerName = z.infer<typeof ReplicaSchedulerName>;

export type ReplicaSchedulerFactory = (init: ReplicaSchedulerInit) => ReplicaScheduler;

export const REPLICA_SCHEDULERS = {
  vllm: (init) => new VllmReplicaScheduler(init),
  sarathi: (init) => new SarathiReplicaScheduler(init),
  orca: (init) => new OrcaReplicaScheduler(init),
  'vllm-v0': (init) => new VllmV0ReplicaScheduler(init),
  'sarathi-fcfs': (init) => new OrderedSarathiScheduler(init, 'fcfs'),
  'sarathi-edf': (init) => new OrderedSarathiScheduler(init, 'edf'),
  'sarathi-srpf': (init) => new OrderedSarathiScheduler(init, 'srpf'),
} satisfies Record<ReplicaSchedulerName, ReplicaSchedulerFactory>;
