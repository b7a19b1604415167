/**
 * Hand-made replica-scheduler situations for unit probes (fairness, deadline and cfs build the same
 * things): requests advanced as batches would have advanced them, placed in a scheduler's queues, and
 * a formed batch split into decodes and prompt entries.
 */
import { Batch } from '../../sim/entities/batch.js';
import { Request, type RequestInit } from '../../sim/entities/request.js';
import type { ReplicaScheduler } from '../../sim/policies/replica/replica-scheduler.js';
import { finiteOrNull as num } from './probes.js';

/**
 * A fresh request advanced by `processed` tokens: its prompt (or part of it), then one output token per
 * iteration; `restarted`: then preempted by recompute, back to waiting with those tokens to compute again.
 */
export function requestAt(init: RequestInit, processed = 0, restarted = false): Request {
  const r = new Request(init);
  if (processed > 0) {
    r.onBatchStart(0);
    if (processed < r.numPrefillTokens) r.onBatchEnd(0, processed, 0);
    else {
      r.onBatchEnd(0, r.numPrefillTokens, 0); // completes the prompt and yields the first output token
      for (let n = r.numPrefillTokens + 1; n < processed; n++) r.onBatchEnd(0, 1, 0);
    }
  }
  if (restarted) r.restart();
  return r;
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
