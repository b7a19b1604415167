/**
 * An autoscaler's decisions, recorded in the child and replayed in the parent: the child runs the
 * student's autoscaler with every non-zero tune() result recorded by call index; the parent re-issues
 * them, call by call, in its own engine, so the latency and cost that are scored come from a run the
 * student's code cannot touch.
 */
import type { Autoscaler } from '../../sim/policies/autoscaler/autoscaler.js';

/**
 * Wraps an autoscaler to record every non-zero tune() decision by call index (the child does this
 * around the student's); the parent replays the decisions in its own engine (ReplayAutoscaler).
 */
export function recordDecisions(inner: Autoscaler): { autoscaler: Autoscaler; deltas: [number, number][] } {
  const deltas: [number, number][] = [];
  let calls = 0;
  const interval = inner.tuneInterval;
  if (typeof interval !== 'number' || !(interval >= 1 && interval <= 60))
    throw new RangeError(`tuneInterval must be a number of seconds between 1 and 60, got ${String(interval)}`);
  const autoscaler: Autoscaler = {
    tuneInterval: interval,
    onRequestArrival: (request, now) => inner.onRequestArrival?.(request, now),
    onBatchEnd: (batch, now) => inner.onBatchEnd?.(batch, now),
    tune(now, state) {
      const delta = inner.tune(now, state);
      if (delta !== 0) deltas.push([calls, delta]);
      calls++;
      return delta;
    },
  };
  return { autoscaler, deltas };
}

/** Re-issues recorded tune() decisions, call by call. */
export class ReplayAutoscaler implements Autoscaler {
  readonly #deltas: Map<number, number>;
  #call = 0;
  constructor(
    readonly tuneInterval: number,
    deltas: readonly (readonly [number, number])[],
  ) {
    this.#deltas = new Map(deltas.map(([i, d]) => [i, d]));
  }
  tune(): number {
    return this.#deltas.get(this.#call++) ?? 0;
  }
}
