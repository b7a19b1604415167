/**
 * Vidur's `lor` ("least outstanding requests") router: the replica with the fewest requests in its
 * waiting queue, ties to the lowest id. Requests already admitted do not count, so at moderate load,
 * when queues drain at once, nearly everything goes to the lowest-id replica; this reproduces
 * Vidur's baseline on purpose (see `llq` for the sane variant).
 */
import { Router, type Assignment } from './router.js';

export class LorRouter extends Router {
  override readonly readsKvState = false;

  schedule(_now: number): Assignment[] {
    return this.assignToLeastLoaded((r) => r.numWaiting);
  }
}
