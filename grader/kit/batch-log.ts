/** The flat batch log the fairness and deadline children record and the parent replays (batch-replay.ts). */
import type { Batch } from '../../sim/entities/batch.js';
import type { Request } from '../../sim/entities/request.js';
import { hookMethod } from './instance-hook.js';

/**
 * Appends one `getNextBatch` call to a flat log (see ScenarioResultWire): the time, the requests the
 * call preempted (their recompute count went up), and the batch entries (`id` for one token,
 * `-(id + 1), tokens` otherwise).
 */
export function logCall(
  log: number[],
  now: number,
  preempted: readonly number[],
  batch: Batch | undefined | null,
): void {
  log.push(now, preempted.length, ...preempted);
  if (batch === undefined || batch === null) {
    log.push(0);
    return;
  }
  log.push(batch.requests.length);
  for (let i = 0; i < batch.requests.length; i++) {
    const id = Number(batch.requests[i]?.id);
    const tokens = Number(batch.numTokens[i]);
    if (tokens === 1) log.push(id);
    else log.push(-(id + 1), tokens);
  }
}

/**
 * A scheduler with every `getNextBatch` call appended to the log (logCall): whom the call preempted
 * (their recompute count went up) and the batch. `log` is the array, or a function giving the current
 * one (a capacity search starts a fresh log per rate). Wrapped on the instance (instance-hook.ts), so
 * traces keep the student's class name.
 */
export function recordBatches<S extends { running: Request[] }>(
  scheduler: S,
  log: number[] | (() => number[]),
  onCall?: () => void,
): S {
  return hookMethod(scheduler, 'getNextBatch', (original: (now: number) => Batch | undefined) => (now: number) => {
    const before = scheduler.running.map((r) => [r, r.numRestarts] as const);
    const batch = original(now);
    logCall(
      typeof log === 'function' ? log() : log,
      now,
      before.filter(([r, n]) => r.numRestarts > n).map(([r]) => r.id),
      batch,
    );
    onCall?.();
    return batch;
  });
}

/**
 * (time, prompt tokens) of every call in a log that formed a batch: entries `-(id + 1), tokens` are
 * prompt chunks. A log the student's child wrote may be anything: reading stops where it breaks the format.
 */
export function promptTokensPerCall(log: readonly number[]): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < log.length; ) {
    const t = log[i++]!;
    const preempted = log[i++]!;
    i += preempted;
    const n = log[i++]!;
    if (!(preempted >= 0 && n >= 0 && n <= log.length)) break;
    let prompt = 0;
    for (let k = 0; k < n; k++) if (log[i++]! < 0) prompt += log[i++]!;
    if (n > 0) out.push([t, prompt]);
  }
  return out;
}
