/**
 * The routing lab's child-side harness: runs inside the sandbox with the student's router bundled in.
 * It executes what the parent asks (unit cases or simulations) and returns raw observations: the
 * router's assignments and decisions. Scores are computed by the parent, never here.
 */
import { Rng } from '../../../sim/workload/rng.js';
import { Request } from '../../../sim/entities/request.js';
import { routableView } from '../../../sim/policies/router/routable-view.js';
import type { Assignment, ClusterView, ReplicaView, RouterInit } from '../../../sim/policies/router/router.js';
import { isOutOfMemory, serve } from '../../sandbox/child-runtime.js';
import { AiRouter } from '@student/ai-router.js';
import { RoutingInput, type RoutingOutput, type SimulationResultWire, type UnitCase, type UnitCaseResult } from './protocol.js';
import { meanE2e, simulateRouting } from './simulate.js';

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
    return { name: c.name, assignments, decodeTokenReads, error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) };
  }
}

serve((raw): RoutingOutput => {
  const input = RoutingInput.parse(raw);
  if (input.task === 'units') return { task: 'units', cases: input.cases.map(runUnitCase) };
  const runs: SimulationResultWire[] = input.runs.map((run) => {
    const decisions: number[] = [];
    // Record every assignment the student's router makes, in order, with the time it was made.
    class RecordingRouter extends AiRouter {
      override schedule(now: number): Assignment[] {
        const out = super.schedule(now);
        if (Array.isArray(out)) for (const a of out) decisions.push(now, Number(a?.request?.id), Number(a?.replicaId));
        return out;
      }
    }
    const result = simulateRouting(run, (init: RouterInit) => new RecordingRouter(init), { guardDecodeTokens: true });
    return { label: run.label, decisions, decodeTokenReads: result.decodeTokenReads, completed: result.numCompleted, meanE2e: meanE2e(result) };
  });
  return { task: 'simulate', runs };
});
