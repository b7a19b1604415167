/**
 * The routing lab's child-side harness: runs inside the sandbox with the student's router bundled in.
 * Unit cases run here whole (their decode lengths are a fixed placeholder the router cannot read).
 * Simulations do not: the engine runs in the parent (engine-host.ts) and asks this child, per router
 * call, what the student's router decides, sending only routable views (protocol.ts). Scores are
 * computed by the parent, never here.
 */
import { Rng } from '../../../sim/workload/rng.js';
import { Request } from '../../../sim/entities/request.js';
import { routableView } from '../../../sim/policies/router/routable-view.js';
import type { Assignment, ClusterView, ReplicaView } from '../../../sim/policies/router/router.js';
import { isOutOfMemory, serve } from '../../sandbox/child-runtime.js';
import { AiRouter } from '@student/routing/ai-router.js';
import {
  RoutingInput,
  type RouterAnswer,
  type RouterCall,
  type RouterOpen,
  type RoutingOutput,
  type UnitCase,
  type UnitCaseResult,
} from './protocol.js';

function runUnitCase(c: UnitCase): UnitCaseResult {
  let decodeTokenReads = 0;
  const replicas: ReplicaView[] = c.replicas.map((r) => ({
    replicaId: r.replicaId,
    numWaiting: r.numWaiting,
    numRunning: r.numRunning,
    numOutstanding: r.numWaiting + r.numRunning,
    kv: { numBlocks: r.numBlocks, numFreeBlocks: r.numFreeBlocks },
  }));
  const cluster: ClusterView = { replicas };
  const assignments: [number, number][] = [];
  try {
    const router = new AiRouter({ cluster, rng: new Rng(c.seed) });
    for (const id of c.marked) router.replicasToFree.add(id);
    c.prefills.forEach((p, id) => {
      const request = new Request({ id, arrivedAt: 0, numPrefillTokens: p, numDecodeTokens: 1000 });
      router.addRequest(routableView(request, () => decodeTokenReads++));
    });
    const out: Assignment[] = router.schedule(0);
    if (!Array.isArray(out)) throw new TypeError(`schedule() returned ${typeof out}, not an array of assignments`);
    for (const a of out) assignments.push([Number(a?.request?.id), Number(a?.replicaId)]);
    return { name: c.name, assignments, decodeTokenReads };
  } catch (err) {
    if (isOutOfMemory(err)) throw err;
    return {
      name: c.name,
      assignments,
      decodeTokenReads,
      error: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
    };
  }
}

/** One student router per simulated run, fed by the parent's engine. */
interface LiveRun {
  readonly router: AiRouter;
  readonly replicas: ReplicaView[];
  readonly reads: { count: number };
}
const runs = new Map<number, LiveRun>();

function openRun(open: RouterOpen): RoutingOutput {
  const replicas: ReplicaView[] = [];
  const cluster: ClusterView = { replicas };
  // The same stream the engine would hand an in-process router (Simulator: new Rng(seed).fork('router')).
  const router = new AiRouter({ cluster, rng: new Rng(open.seed).fork('router') });
  runs.set(open.run, { router, replicas, reads: { count: 0 } });
  return { task: 'open', readsKvState: router.readsKvState !== false };
}

function callRun(call: RouterCall): RouterAnswer {
  const live = runs.get(call.run);
  if (live === undefined) throw new Error(`harness: run ${call.run} was never opened`);
  const { router, replicas, reads } = live;
  // The live cluster view the router holds is updated in place, as the engine's own would be.
  replicas.length = 0;
  for (const [replicaId, numWaiting, numRunning, numOutstanding, numBlocks, numFreeBlocks] of call.replicas) {
    replicas.push({ replicaId, numWaiting, numRunning, numOutstanding, kv: { numBlocks, numFreeBlocks } });
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
    const out: Assignment[] = router.schedule(call.now);
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

function finite(x: unknown): number | null {
  const n = Number(x);
  return Number.isFinite(n) ? n : null;
}

serve((raw): RoutingOutput => {
  // Router calls come thousands of times per run from the grader's own engine-host.ts, which builds
  // them from the protocol's types: trusted input, so the hot path skips the schema parse.
  const task = (raw as { task?: unknown } | null)?.task;
  if (task === 'call') return callRun(raw as RouterCall);
  if (task === 'open') return openRun(raw as RouterOpen);
  const input = RoutingInput.parse(raw);
  if (input.task === 'units') return { task: 'units', cases: input.cases.map(runUnitCase) };
  return input.task === 'open' ? openRun(input) : callRun(input);
});
