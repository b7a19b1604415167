/**
 * Unit probes of routers (the routing and autoscaling labs' both): replicas made by hand, requests the
 * router sees through the engine's guarded view (a decode-length read is counted, as in a graded run),
 * and the routing rules every router keeps, checked on what one schedule() call returned.
 */
import { Request } from '../../sim/entities/request.js';
import { routableView } from '../../sim/policies/router/routable-view.js';
import type { ReplicaView, Router } from '../../sim/policies/router/router.js';

/** A replica as a router sees it: `waiting` and `running` requests, `freeBlocks` of its 7,424 KV blocks free. */
export const replicaView = (replicaId: number, waiting = 0, running = 0, freeBlocks = 7424): ReplicaView => ({
  replicaId,
  numWaiting: waiting,
  numRunning: running,
  numOutstanding: waiting + running,
  kv: { numBlocks: 7424, numFreeBlocks: freeBlocks },
});

/**
 * Queues request `id` on `router` as the engine does with guarded decode lengths: the router gets a view
 * whose `numDecodeTokens` throws and counts the read in `reads`.
 */
export function queueRequest(router: Router, id: number, arrivedAt: number, prompt: number, reads: { count: number }) {
  const request = new Request({ id, arrivedAt, numPrefillTokens: prompt, numDecodeTokens: 1 });
  router.addRequest(routableView(request, () => reads.count++));
}

/** What a probe says of a router that read decode lengths (`reads` of them), if it read any. */
export const decodeReadProblem = (reads: number): string | undefined =>
  reads > 0 ? `read numDecodeTokens ${reads} time(s); routers may not use the decode length` : undefined;

/** One schedule() call as the rules see it: the queued request ids, the cluster's replica ids, the marked ones. */
export interface RoutingCall {
  readonly queued: readonly number[];
  readonly replicas: readonly number[];
  readonly marked: ReadonlySet<number>;
}

/**
 * The rules a router keeps on one call, whatever its policy: each assignment names a queued request not
 * assigned before and a routable replica (in the cluster, not marked); with a routable replica, every
 * queued request is assigned. Every broken rule in assignment order, and the requests per replica.
 */
export function routingRuleProblems(
  call: RoutingCall,
  assignments: readonly (readonly [number | null, number | null])[],
) {
  const routable = call.replicas.filter((id) => !call.marked.has(id)).sort((a, b) => a - b);
  const [problems, per, assigned] = [[] as string[], new Map<number, number>(), new Set<number>()];
  for (const [request, replica] of assignments) {
    if (request === null) problems.push('returned an assignment whose request is not one of the queued requests');
    else if (assigned.has(request)) problems.push(`assigned request ${request} twice`);
    else if (!call.queued.includes(request))
      problems.push(`assigned request ${request}, which was not waiting (already routed, or unknown)`);
    if (request === null) continue;
    assigned.add(request);
    if (replica === null) problems.push(`returned replicaId NaN (not a number) for request ${request}`);
    else if (!routable.includes(replica)) {
      const why = call.marked.has(replica) ? 'marked for scale-down' : 'not in the cluster';
      problems.push(
        `sent request ${request} to replica ${replica}, which is ${why} (routable: ${routable.join(', ')})`,
      );
    }
    if (replica !== null) per.set(replica, (per.get(replica) ?? 0) + 1);
  }
  const routed = call.queued.filter((id) => assigned.has(id)).length;
  if (routable.length > 0 && routed < call.queued.length)
    problems.push(
      `routed ${routed} of ${call.queued.length} requests; with a routable replica every queued request should be assigned`,
    );
  return { problems, per, assigned };
}
