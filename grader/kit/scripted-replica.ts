/**
 * Scripted replicas for unit probes: requests brought part-way through their life, a replica scheduler
 * holding them (running with their KV blocks, or waiting), and iterations driven through the engine's
 * entry points (`schedule`, then every request's and the scheduler's `onBatchEnd`), as the simulator would.
 */
import type { Batch } from '../../sim/entities/batch.js';
import { Request } from '../../sim/entities/request.js';
import type { ReplicaScheduler } from '../../sim/policies/replica/replica-scheduler.js';

/** A request: `computed` prompt tokens done (a prefill in progress), or its prefill completed at `prefilledAt` with `generated` tokens out. */
export type Scripted = { id: number; arrivedAt: number; prompt: number } & Partial<
  Record<'tier' | 'computed' | 'prefilledAt' | 'generated', number>
>;

/** A Scripted at `arrivedAt` with `prompt` tokens, `more` adding its tier and progress. */
export const req = (id: number, arrivedAt: number, prompt: number, more?: Partial<Scripted>): Scripted => ({
  id,
  arrivedAt,
  prompt,
  ...more,
});

/** The Request of `q` (64 decode tokens), its batches ended 0.01 s (prefill in progress) or 0.05 s apart (decodes). */
export function scripted(q: Scripted): Request {
  const { id, arrivedAt, prompt, tier = 0, computed = 0 } = q;
  const r = new Request({ id, arrivedAt, numPrefillTokens: prompt, numDecodeTokens: 64, tier });
  if (q.prefilledAt !== undefined || computed > 0) r.onBatchStart(arrivedAt);
  if (q.prefilledAt !== undefined) {
    r.onBatchEnd(q.prefilledAt, prompt, 0.01);
    for (let k = 1; k < (q.generated ?? 1); k++) r.onBatchEnd(q.prefilledAt + 0.05 * k, 1, 0.01);
  } else if (computed > 0) r.onBatchEnd(arrivedAt + 0.01, computed, 0.01);
  return r;
}

/** `s` holding `running` (KV blocks allocated) and `waiting` (through addRequest at time 0); `get` finds a request by id. */
export function holding<S extends ReplicaScheduler>(s: S, running: readonly Scripted[], waiting: readonly Scripted[]) {
  const all = new Map<number, Request>();
  for (const r of running.map(scripted)) {
    all.set(r.id, r);
    s.kv.allocate(r.id, s.kv.blocksFor(Math.max(r.numProcessedTokens, r.prefillTarget)));
    r.replicaId = s.replicaId;
    s.running.push(r);
  }
  for (const r of waiting.map(scripted)) {
    all.set(r.id, r);
    s.addRequest(r, 0);
  }
  return { s, get: (id: number) => all.get(id)! };
}

export const ids = (list: readonly Request[]) => list.map((r) => r.id);
const started = new WeakMap<ReplicaScheduler, Batch>();

/** Forms one batch at `now` (0.05 s long) and reports it, `[id, tokens]` per request, with the queues it leaves. */
export function step(s: ReplicaScheduler, now: number) {
  const batch = s.schedule(now);
  if (batch !== undefined) {
    for (const r of batch.requests) r.onBatchStart(now);
    batch.duration = 0.05;
    started.set(s, batch);
  }
  const running = ids(s.running).sort((a, b) => a - b);
  return { batch: batch?.requests.map((r, i) => [r.id, batch.numTokens[i]!]) ?? [], waiting: ids(s.waiting), running };
}

/** Ends the batch `step` started at `end`: its requests advance, then the scheduler's bookkeeping. */
export function advance(s: ReplicaScheduler, end: number): void {
  const batch = started.get(s);
  if (batch === undefined) return;
  started.delete(s);
  for (const [i, r] of batch.requests.entries()) r.onBatchEnd(end, batch.numTokens[i]!, 0.05);
  s.onBatchEnd(batch, end);
}
