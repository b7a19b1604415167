/** The kit's router situations and rule check for unit probes (grader/kit/router-probe.ts). */
import { describe, expect, it } from 'vitest';
import { queueRequest, replicaView, routingRuleProblems } from '../../../grader/kit/router-probe.js';
import { Router, type Assignment } from '../../../sim/policies/router/router.js';
import { Rng } from '../../../sim/workload/rng.js';

const call = { queued: [0, 1, 2], replicas: [4, 7, 9], marked: new Set([7]) };

describe('routingRuleProblems', () => {
  it('accepts every queued request sent once to a routable replica, and counts requests per replica', () => {
    const { problems, per, assigned } = routingRuleProblems(call, [
      [2, 4],
      [0, 9],
      [1, 4],
    ]);
    expect(problems).toEqual([]);
    expect([...per]).toEqual([
      [4, 2],
      [9, 1],
    ]);
    expect([...assigned].sort()).toEqual([0, 1, 2]);
  });

  it('names each broken rule in assignment order', () => {
    const { problems } = routingRuleProblems(call, [
      [0, 7],
      [0, 4],
      [5, 4],
      [null, 4],
      [1, null],
      [2, 12],
    ]);
    expect(problems).toEqual([
      'sent request 0 to replica 7, which is marked for scale-down (routable: 4, 9)',
      'assigned request 0 twice',
      'assigned request 5, which was not waiting (already routed, or unknown)',
      'returned an assignment whose request is not one of the queued requests',
      'returned replicaId NaN (not a number) for request 1',
      'sent request 2 to replica 12, which is not in the cluster (routable: 4, 9)',
    ]);
  });

  it('asks for every queued request while a replica is routable, and for none when every replica is marked', () => {
    expect(routingRuleProblems(call, [[0, 4]]).problems).toEqual([
      'routed 1 of 3 requests; with a routable replica every queued request should be assigned',
    ]);
    // An unknown request routed does not stand in for a queued one.
    expect(
      routingRuleProblems(call, [
        [0, 4],
        [1, 4],
        [8, 9],
      ]).problems.at(-1),
    ).toMatch(/^routed 2 of 3 requests/);
    expect(routingRuleProblems({ ...call, marked: new Set([4, 7, 9]) }, []).problems).toEqual([]);
  });
});

describe('replicaView and queueRequest', () => {
  it('build what a router sees: outstanding = waiting + running, and a request whose decode length counts a read', () => {
    expect(replicaView(3, 2, 5, 100)).toEqual({
      replicaId: 3,
      numWaiting: 2,
      numRunning: 5,
      numOutstanding: 7,
      kv: { numBlocks: 7424, numFreeBlocks: 100 },
    });
    class Peeking extends Router {
      override schedule(_now: number): Assignment[] {
        const out = this.drainQueueByArrival().map((request) => ({ replicaId: 0, request }));
        for (const { request } of out)
          try {
            Reflect.get(request, 'numDecodeTokens');
          } catch {
            // the view throws; the read is still counted
          }
        return out;
      }
    }
    const router = new Peeking({ cluster: { replicas: [replicaView(0)] }, rng: new Rng(1) });
    const reads = { count: 0 };
    queueRequest(router, 5, 1, 300, reads);
    queueRequest(router, 6, 2, 40, reads);
    const routed = router.schedule(2);
    expect(routed.map((a) => [a.request.id, a.request.numPrefillTokens])).toEqual([
      [5, 300],
      [6, 40],
    ]);
    expect(reads.count).toBe(2);
  });
});
