/** The flat batch log the fairness and deadline harnesses record and the parent replays (batch-replay.ts). */
import type { Batch } from '../../sim/entities/batch.js';

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
