/**
 * A router that lives in the sandboxed child while the engine runs in the grader (a worker thread):
 * the engine asks the child once per router call (`schedule()`, `markReplicaToFree()`), sending what a
 * router may see and nothing else: per call the new arrivals (never a decode length), the replicas'
 * views and the marked replicas. The messages, and the child's side of the conversation. The grader's
 * side is router-proxy.ts, run by the routing lab's engine host (grader/labs/routing/engine-host.ts).
 */
import { z } from 'zod';
import { Request } from '../../sim/entities/request.js';
import { routableView } from '../../sim/policies/router/routable-view.js';
import type { ReplicaView, Router, RouterInit } from '../../sim/policies/router/router.js';
import { Rng } from '../../sim/workload/rng.js';
// Type only: the engine's side imports this file too, and must not load the child runtime.
import type { ChildTask } from './driver.js';

/** Starts a student router for run `run` (the engine's seed gives it the engine's own random stream). */
export interface RouterOpen {
  readonly task: 'open';
  readonly run: number;
  readonly seed: number;
}

/** One router call. Built by the grader's engine only: the child takes it as trusted input, unparsed. */
export interface RouterCall {
  readonly task: 'call';
  readonly run: number;
  readonly op: 'schedule' | 'mark';
  readonly now: number;
  /** [id, arrivedAt, numPrefillTokens, clientId, tier (null: none)] */
  readonly arrivals: readonly (readonly [number, number, number, number, number | null])[];
  /** [replicaId, numWaiting, numRunning, numOutstanding, kv.numBlocks, kv.numFreeBlocks, kind (null: equal replicas)] */
  readonly replicas: readonly (readonly [number, number, number, number, number, number, (string | null)?])[];
  /** The engine's marked replicas now (it drops marks when it frees a replica). */
  readonly marked: readonly number[];
  /** Replicas freed since the last call: the router's onReplicaRemoved runs for each. */
  readonly removed: readonly number[];
}

export const RouterOpened = z.strictObject({ task: z.literal('open'), readsKvState: z.boolean() });
export type RouterOpened = z.infer<typeof RouterOpened>;

/** [requestId, replicaId] pairs in the order returned (null: not a number, e.g. NaN). */
export const Assignments = z.array(z.tuple([z.number().nullable(), z.number().nullable()]));

export const RouterAnswer = z.strictObject({
  task: z.literal('call'),
  assignments: Assignments,
  /** markReplicaToFree()'s answer (op 'mark'). */
  mark: z.number().nullable(),
  /** The router's marked replicas after the call. */
  marked: z.array(z.number()),
  numQueued: z.number().int().nonnegative(),
  /** Reads of numDecodeTokens in this run so far (each one threw). */
  decodeTokenReads: z.number().int().nonnegative(),
});
export type RouterAnswer = z.infer<typeof RouterAnswer>;

type RouterClass = new (init: RouterInit) => Router;

/** One student router per simulated run, fed by the grader's engine. */
interface LiveRun {
  readonly router: Router;
  readonly replicas: ReplicaView[];
  readonly reads: { count: number };
}

function openRun(runs: Map<number, LiveRun>, open: RouterOpen, make: RouterClass): RouterOpened {
  const replicas: ReplicaView[] = [];
  // The same stream the engine would hand an in-process router (Simulator: new Rng(seed).fork('router')).
  const router = new make({ cluster: { replicas }, rng: new Rng(open.seed).fork('router') });
  runs.set(open.run, { router, replicas, reads: { count: 0 } });
  return { task: 'open', readsKvState: router.readsKvState !== false };
}

/** A number for the wire: null when it is not finite (NaN would not survive JSON). */
export const finite = (x: unknown): number | null => (Number.isFinite(Number(x)) ? Number(x) : null);

/**
 * One `schedule(now)` call of a router in a unit probe (the routing and autoscaling labs'): its
 * assignments as [requestId, replicaId] in the order returned, each made a number by `number` (default
 * `finite`); a return that is not an array throws.
 */
export function scheduleCall(router: Router, now: number, number = finite): [number | null, number | null][] {
  const out: unknown = router.schedule(now);
  if (!Array.isArray(out)) throw new TypeError(`schedule() returned ${typeof out}, not an array of assignments`);
  type Returned = { request?: { id?: unknown }; replicaId?: unknown } | undefined;
  return out.map((a: Returned) => [number(a?.request?.id), number(a?.replicaId)]);
}

function callRun(runs: ReadonlyMap<number, LiveRun>, call: RouterCall): RouterAnswer {
  const live = runs.get(call.run);
  if (live === undefined) throw new Error(`router session: run ${call.run} was never opened`);
  const { router, replicas, reads } = live;
  // The live cluster view the router holds is updated in place, as the engine's own would be.
  replicas.length = 0;
  for (const [replicaId, numWaiting, numRunning, numOutstanding, numBlocks, numFreeBlocks, kind] of call.replicas) {
    const view = { replicaId, numWaiting, numRunning, numOutstanding, kv: { numBlocks, numFreeBlocks } };
    replicas.push(kind === null || kind === undefined ? view : { ...view, kind });
  }
  for (const id of call.removed) router.onReplicaRemoved(id);
  router.replicasToFree.clear();
  for (const id of call.marked) router.replicasToFree.add(id);
  for (const [id, arrivedAt, numPrefillTokens, clientId, tier] of call.arrivals) {
    // The decode length is not known here: 1 is a placeholder the view never lets the router read.
    const request = new Request({
      id,
      arrivedAt,
      numPrefillTokens,
      numDecodeTokens: 1,
      clientId,
      ...(tier === null ? {} : { tier }),
    });
    router.addRequest(routableView(request, () => reads.count++));
  }
  const assignments: [number | null, number | null][] = [];
  let mark: number | null = null;
  if (call.op === 'schedule') {
    const out = router.schedule(call.now);
    if (!Array.isArray(out)) throw new TypeError(`schedule() returned ${typeof out}, not an array of assignments`);
    for (const a of out) assignments.push([finite(a?.request?.id), finite(a?.replicaId)]);
  } else {
    const marked = router.markReplicaToFree();
    mark = marked === null ? null : finite(marked);
  }
  return {
    task: 'call',
    assignments,
    mark,
    marked: [...router.replicasToFree].map(Number).filter(Number.isFinite),
    numQueued: Math.max(0, Math.trunc(Number(router.numQueued)) || 0),
    decodeTokenReads: reads.count,
  };
}

/**
 * The child's tasks `open` and `call` for a lab's `serveLab`. Router calls come thousands of times per
 * run from the grader's own engine, which builds them from these types: trusted input, so the hot path
 * skips the schema parse.
 */
export function routerSessionTasks<M>(router: (m: M) => RouterClass): Record<'open' | 'call', ChildTask<M>> {
  const runs = new Map<number, LiveRun>();
  return {
    open: { input: z.custom<RouterOpen>(), run: (open: RouterOpen, m: M) => openRun(runs, open, router(m)) },
    call: { input: z.custom<RouterCall>(), run: (call: RouterCall) => callRun(runs, call) },
  };
}
