/**
 * The routing lab's child side, run in the sandbox with the student's router bundled in. Unit probes
 * run here whole (probes.ts). Simulations do not: the engine runs in the grader (engine-host.ts) and
 * asks this child, per router call, what the student's router decides, sending only routable views
 * (schemas.ts). Scores are computed by the parent, never here.
 */
import { z } from 'zod';
import { Request } from '../../../sim/entities/request.js';
import { routableView } from '../../../sim/policies/router/routable-view.js';
import type { ReplicaView } from '../../../sim/policies/router/router.js';
import { Rng } from '../../../sim/workload/rng.js';
import { childTask, serveLab } from '../../kit/driver.js';
import { AiRouter } from '@student/ai-router.js';
import { routingUnits } from './probes.js';
import type { RouterAnswer, RouterCall, RouterOpen, RouterOpened } from './schemas.js';
import type { RoutingModule } from './student.js';

/** One student router per simulated run, fed by the grader's engine. */
interface LiveRun {
  readonly router: InstanceType<RoutingModule['AiRouter']>;
  readonly replicas: ReplicaView[];
  readonly reads: { count: number };
}
const runs = new Map<number, LiveRun>();

function openRun(open: RouterOpen, m: RoutingModule): RouterOpened {
  const replicas: ReplicaView[] = [];
  // The same stream the engine would hand an in-process router (Simulator: new Rng(seed).fork('router')).
  const router = new m.AiRouter({ cluster: { replicas }, rng: new Rng(open.seed).fork('router') });
  runs.set(open.run, { router, replicas, reads: { count: 0 } });
  return { task: 'open', readsKvState: router.readsKvState !== false };
}

const finite = (x: unknown): number | null => (Number.isFinite(Number(x)) ? Number(x) : null);

function callRun(call: RouterCall): RouterAnswer {
  const live = runs.get(call.run);
  if (live === undefined) throw new Error(`driver: run ${call.run} was never opened`);
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
 * Router calls come thousands of times per run from the grader's own engine-host.ts, which builds them
 * from schemas.ts's types: trusted input, so the hot path skips the schema parse.
 */
const trusted = <T>() => z.custom<T>();

serveLab<RoutingModule>({
  module: { AiRouter },
  studentDir: 'starter/routing',
  probes: routingUnits.probes,
  tasks: {
    open: childTask(trusted<RouterOpen>(), openRun),
    call: childTask(trusted<RouterCall>(), (call) => callRun(call)),
  },
});
