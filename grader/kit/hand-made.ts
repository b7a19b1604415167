/**
 * Hand-made scheduler situations for unit probes (fairness, deadline and cfs build the same things):
 * requests part-way through their life, placed in a scheduler's queues as the engine holds them, a
 * formed batch split into decodes and prompt entries, and iterations driven through the engine's entry
 * points (`schedule`, then every request's and the scheduler's `onBatchEnd`), as the simulator would.
 */
import { Batch } from '../../sim/entities/batch.js';
import { Request, type RequestInit } from '../../sim/entities/request.js';
import type { ReplicaScheduler } from '../../sim/policies/replica/replica-scheduler.js';
import { finiteOrNull as num } from './probes.js';

/**
 * When a hand-made request's batches ran: the first started at `start`; the one of its prompt (or part of
 * it) ended at `end`, each later one (a decode) `every` seconds after the previous; each lasted `duration`.
 */
export interface History {
  readonly start?: number;
  readonly end?: number;
  readonly every?: number;
  readonly duration?: number;
  /** Then preempted by recompute: back to waiting with its tokens to compute again. */
  readonly restarted?: boolean;
}

/**
 * A fresh request advanced by `processed` tokens (its `numProcessedTokens`): its prompt or part of it in
 * one batch, then one output token per batch (the prompt's batch yields the first), as `history` says.
 */
export function requestAt(init: RequestInit, processed = 0, history: History = {}): Request {
  const { start = 0, end = start, every = 0, duration = 0, restarted = false } = history;
  const r = new Request(init);
  if (processed > 0) {
    r.onBatchStart(start);
    r.onBatchEnd(end, Math.min(processed, r.numPrefillTokens), duration);
    for (let k = 1; r.numProcessedTokens < processed; k++) r.onBatchEnd(end + every * k, 1, duration);
  }
  if (restarted) r.restart();
  return r;
}

/** A request by arrival and prompt: `computed` prompt tokens done (a prefill in progress), or its prefill completed at `prefilledAt` with `generated` tokens out. */
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
  const { id, arrivedAt, prompt, tier = 0, computed = 0, prefilledAt } = q;
  const init = { id, arrivedAt, numPrefillTokens: prompt, numDecodeTokens: 64, tier };
  const history = { start: arrivedAt, duration: 0.01 };
  if (prefilledAt === undefined) return requestAt(init, computed, { ...history, end: arrivedAt + 0.01 });
  return requestAt(init, prompt + (q.generated ?? 1), { ...history, end: prefilledAt, every: 0.05 });
}

/**
 * Puts a request in `s`'s queues as the engine would hold it: running ones with blocks for their whole
 * prompt (decoding ones at least for their tokens so far), waiting ones at the back of `waiting`.
 */
export function enqueue(s: ReplicaScheduler, r: Request, running: boolean): void {
  r.replicaId = s.replicaId;
  r.status = running ? 'running' : 'waiting';
  if (running) s.kv.allocate(r.id, s.kv.blocksFor(Math.max(r.prefillTarget, r.numProcessedTokens)));
  (running ? s.running : s.waiting).push(r);
}

/** `s` holding `running` (enqueued) and `waiting` (through its own addRequest at time 0); `get` finds a request by id. */
export function holding<S extends ReplicaScheduler>(s: S, running: readonly Scripted[], waiting: readonly Scripted[]) {
  const all = new Map<number, Request>();
  for (const r of running.map(scripted)) {
    all.set(r.id, r);
    enqueue(s, r, true);
  }
  for (const r of waiting.map(scripted)) {
    all.set(r.id, r);
    s.addRequest(r, 0);
  }
  return { s, get: (id: number) => all.get(id)! };
}

export const ids = (list: readonly Request[]) => list.map((r) => r.id);

/**
 * A formed batch as probe data: [id, tokens] of its decodes (requests that were past their prompt when
 * it formed, `decoding`), sorted since their order does not matter, and of its prompt entries in order.
 */
export function splitBatch(batch: Batch | undefined, decoding: ReadonlySet<number>) {
  if (batch == null) return null;
  const entries = (batch.requests ?? []).map((r, i) => [num(r?.id), num(batch.numTokens?.[i])] as const);
  const isDecode = ([id]: readonly [number | null, number | null]) => id !== null && decoding.has(id);
  const decodes = entries.filter(isDecode).sort((x, y) => x[0]! - y[0]!);
  return { decodes, prompts: entries.filter((e) => !isDecode(e)) };
}

/** Ends a batch of `reqs` at `at` as the engine does: each request advances by its tokens, then `s.onBatchEnd`. */
export function endBatch(s: ReplicaScheduler, reqs: readonly Request[], tokens: readonly number[], at: number): void {
  s.running = s.running.filter((r) => !reqs.includes(r)); // they were executing, not waiting in running
  for (const [i, r] of reqs.entries()) {
    r.onBatchStart(at - 0.01);
    r.onBatchEnd(at, tokens[i]!, 0.01);
  }
  s.numRunningBatches = 1;
  s.onBatchEnd(new Batch(s.replicaId, [...reqs], [...tokens]), at);
}

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
