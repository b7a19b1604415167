/** Least-loaded-queue router: the fewest waiting plus running requests, ties to the lowest id. */
import { Router, type Assignment } from './router.js';

export class LlqRouter extends Router {
  override readonly readsKvState = false;

  schedule(_now: number): Assignment[] {
    return this.assignToLeastLoaded((r) => r.numOutstanding);
  }
}
