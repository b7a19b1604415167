/**
 * Re-running routing decisions in the parent: a log of (time, request id, replica id) triples, as a
 * recording router writes it, replayed by the parent's own engine, so the latency that is scored
 * comes from trusted code, and a log that does not fit the simulation (a request routed twice,
 * before it arrived, or never) is caught here with the kit's one ReplayError (batch-replay.ts).
 */
import { Router, type Assignment, type RoutableRequest } from '../../sim/policies/router/router.js';
import { ReplayError } from './batch-replay.js';

export class ReplayRouter extends Router {
  override readonly readsKvState = false;
  #decisions: readonly number[] = [];
  #next = 0;

  load(decisions: readonly number[]): this {
    if (decisions.length % 3 !== 0) throw new ReplayError(`decision log has ${decisions.length} numbers, not triples`);
    this.#decisions = decisions;
    return this;
  }

  get remaining(): number {
    return this.#decisions.length / 3 - this.#next;
  }

  schedule(now: number): Assignment[] {
    const out: Assignment[] = [];
    const d = this.#decisions;
    while (this.#next * 3 < d.length) {
      const time = d[this.#next * 3]!;
      const requestId = d[this.#next * 3 + 1]!;
      const replicaId = d[this.#next * 3 + 2]!;
      if (time > now) break;
      const index = this.queue.findIndex((r: RoutableRequest) => r.id === requestId);
      if (index < 0) {
        if (time < now) {
          throw new ReplayError(
            `the router assigned request ${requestId} at t=${time.toFixed(6)} s, when it was not waiting to be routed (already routed, or unknown)`,
          );
        }
        break; // same instant: it may still arrive in this instant's next call
      }
      const [request] = this.queue.splice(index, 1);
      out.push({ replicaId, request: request! });
      this.#next++;
    }
    return out;
  }
}
