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
 * A student's scheduler with every `getNextBatch` call appended to `log` (logCall): whom the call
 * preempted (their recompute count went up) and the batch. Wrapped on the instance (instance-hook.ts),
 * so traces keep the student's class name.
 */
export function recordBatches<S extends { running: Request[] }>(scheduler: S, log: number[], onCall?: () => void): S {
  return hookMethod(scheduler, 'getNextBatch', (original: (now: number) => Batch | undefined) => (now) => {
    const before = scheduler.running.map((r) => [r, r.numRestarts] as const);
    const batch = original(now);
    logCall(
      log,
      now,
      before.filter(([r, n]) => r.numRestarts > n).map(([r]) => r.id),
      batch,
    );
    onCall?.();
    return batch;
  });
}
