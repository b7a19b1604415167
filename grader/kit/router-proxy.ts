/**
 * The grader's side of a router living in the sandboxed child (router-session.ts holds the messages
 * and the child's side): a Router in the grader's engine that asks the child for every decision
 * (schedule, markReplicaToFree), sending only what a router may see. Decode lengths never leave the
 * grader. Used by the routing lab's engine host (grader/labs/routing/engine-host.ts).
 */
import { Router, type Assignment, type RoutableRequest, type RouterInit } from '../../sim/policies/router/router.js';
import { RouterAnswer, RouterOpened, type RouterCall } from './router-session.js';

/** A decision that breaks the routing rules (unknown or repeated request, not a number). */
export class RuleBroken extends Error {}
export class InvalidAnswer extends Error {}

export type Ask = (payload: unknown) => unknown;

export class ProxyRouter extends Router {
  override readonly readsKvState: boolean;
  readonly #ask: Ask;
  readonly #run: number;
  /** Requests added and not yet assigned, by id (the engine's own objects, never sent whole). */
  readonly #waiting = new Map<number, RoutableRequest>();
  #arrivals: RoutableRequest[] = [];
  #removed: number[] = [];
  #childQueued = 0;
  #now = 0;
  /** When each replica was marked for scale-down (the last scaling decision's time: marks happen then). */
  readonly #markedAt = new Map<number, number>();
  readonly #clock: () => number;
  decodeTokenReads = 0;

  constructor(init: RouterInit, ask: Ask, run: number, seed: number, clock: () => number) {
    super(init);
    this.#clock = clock;
    this.#ask = ask;
    this.#run = run;
    const opened = RouterOpened.safeParse(ask({ task: 'open', run, seed }));
    if (!opened.success) throw new InvalidAnswer('the harness answered the router set-up with data of the wrong shape');
    this.readsKvState = opened.data.readsKvState;
  }

  override get numQueued(): number {
    return this.#childQueued + this.#arrivals.length;
  }

  override addRequest(request: RoutableRequest): void {
    this.#waiting.set(request.id, request);
    this.#arrivals.push(request);
  }

  override schedule(now: number): Assignment[] {
    this.#now = now;
    const answer = this.#call('schedule');
    const out: Assignment[] = [];
    for (const [requestId, replicaId] of answer.assignments) {
      const request = requestId === null ? undefined : this.#waiting.get(requestId);
      if (request === undefined) {
        throw new RuleBroken(
          requestId === null
            ? 'returned an assignment whose request is not one of the queued requests'
            : `the router assigned request ${requestId} at t=${now.toFixed(6)} s, when it was not waiting to be routed (already routed, or unknown)`,
        );
      }
      if (replicaId !== null && this.replicasToFree.has(replicaId)) {
        const at = this.#markedAt.get(replicaId);
        throw new RuleBroken(
          `routed request ${request.id} to replica ${replicaId}, which was marked for removal` +
            `${at === undefined ? '' : ` at t=${fmtTime(at)} s`} (at t=${fmtTime(now)} s; rule 1: only routable replicas)`,
        );
      }
      this.#waiting.delete(request.id);
      // Not a number (null on the wire): the engine refuses it with its own message, as in process.
      out.push({ replicaId: replicaId ?? Number.NaN, request });
    }
    return out;
  }

  override markReplicaToFree(): number | null {
    return this.#call('mark').mark;
  }

  override onReplicaRemoved(replicaId: number): void {
    super.onReplicaRemoved(replicaId);
    this.#removed.push(replicaId);
  }

  #call(op: RouterCall['op']): RouterAnswer {
    const call: RouterCall = {
      task: 'call',
      run: this.#run,
      op,
      now: this.#now,
      arrivals: this.#arrivals.map((r) => [r.id, r.arrivedAt, r.numPrefillTokens, r.clientId, r.tier ?? null]),
      replicas: this.cluster.replicas.map((r) => [
        r.replicaId,
        r.numWaiting,
        r.numRunning,
        r.numOutstanding,
        r.kv.numBlocks,
        r.kv.numFreeBlocks,
        r.kind ?? null,
      ]),
      marked: [...this.replicasToFree],
      removed: this.#removed,
    };
    this.#arrivals = [];
    this.#removed = [];
    const parsed = RouterAnswer.safeParse(this.#ask(call));
    if (!parsed.success) throw new InvalidAnswer('the harness answered a router call with data of the wrong shape');
    const answer = parsed.data;
    // The student's set is the engine's set, as it would be in process.
    this.replicasToFree.clear();
    for (const id of answer.marked) if (Number.isInteger(id)) this.replicasToFree.add(id);
    for (const id of this.replicasToFree) if (!this.#markedAt.has(id)) this.#markedAt.set(id, this.#clock());
    this.#childQueued = answer.numQueued;
    this.decodeTokenReads = answer.decodeTokenReads;
    return answer;
  }
}

const fmtTime = (t: number) => String(Number(t.toFixed(3)));
