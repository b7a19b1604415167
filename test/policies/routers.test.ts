import { describe, expect, it } from 'vitest';
import { ROUTERS, type RouterName } from '../../sim/policies/router/registry.js';
import type { ClusterView, ReplicaView } from '../../sim/policies/router/router.js';
import { Rng } from '../../sim/workload/rng.js';
import { req } from '../helpers.js';

function view(replicaId: number, numWaiting = 0, numRunning = 0): ReplicaView {
  return {
    replicaId,
    numWaiting,
    numRunning,
    numOutstanding: numWaiting + numRunning,
    kv: { numBlocks: 100, numFreeBlocks: 100 },
  };
}

function router(name: RouterName, replicas: ReplicaView[]) {
  const cluster: { replicas: ReplicaView[] } = { replicas };
  return { r: ROUTERS[name]({ cluster: cluster as ClusterView, rng: new Rng(3) }), cluster };
}

function route(name: RouterName, replicas: ReplicaView[], n: number, marked: number[] = []): number[] {
  const { r } = router(name, replicas);
  marked.forEach((id) => r.replicasToFree.add(id));
  for (let i = 0; i < n; i++) r.addRequest(req(10, 10, { arrivedAt: i }));
  return r.schedule(0).map((a) => a.replicaId);
}

describe('routers', () => {
  it('round robin cycles over existing, non-contiguous ids and skips marked replicas', () => {
    expect(route('round_robin', [view(0), view(3), view(7)], 5)).toEqual([0, 3, 7, 0, 3]);
    expect(route('round_robin', [view(0), view(3), view(7)], 5, [3])).toEqual([0, 7, 0, 7, 0]);
    expect(route('round_robin', [view(0), view(3)], 3, [0, 3])).toEqual([]);
  });

  it('round robin continues over the current list after a replica is removed', () => {
    const { r, cluster } = router('round_robin', [view(0), view(1), view(2)]);
    r.addRequest(req(1, 1));
    expect(r.schedule(0).map((a) => a.replicaId)).toEqual([0]);
    cluster.replicas = [view(0), view(2)];
    r.addRequest(req(1, 1));
    r.addRequest(req(1, 1));
    expect(r.schedule(0).map((a) => a.replicaId)).toEqual([2, 0]);
  });

  it('lor counts only waiting requests and sends ties to the lowest id (Vidur)', () => {
    // Replica 0 runs many requests but has an empty queue: lor still prefers it.
    expect(route('lor', [view(0, 0, 50), view(1, 1, 0)], 1)).toEqual([0]);
    expect(route('lor', [view(0), view(1), view(2), view(3)], 8).sort()).toEqual([0, 0, 1, 1, 2, 2, 3, 3]);
    expect(route('lor', [view(2, 3), view(5, 1), view(9, 1)], 3)).toEqual([5, 9, 5]);
  });

  it('llq counts waiting and running requests', () => {
    expect(route('llq', [view(0, 0, 50), view(1, 1, 0)], 1)).toEqual([1]);
    expect(route('llq', [view(0), view(1), view(2), view(3)], 8).sort()).toEqual([0, 0, 1, 1, 2, 2, 3, 3]);
    expect(route('llq', [view(0), view(1)], 2, [0])).toEqual([1, 1]);
  });

  it('random routing is seeded and never picks a marked replica', () => {
    const a = route('random', [view(0), view(1), view(2)], 30, [1]);
    expect(a).toEqual(route('random', [view(0), view(1), view(2)], 30, [1]));
    expect(a).not.toContain(1);
    expect(new Set(a)).toEqual(new Set([0, 2]));
  });

  it('markReplicaToFree picks the fewest outstanding unmarked replica and returns null when none is left', () => {
    const { r } = router('lor', [view(0, 2, 2), view(4, 0, 1), view(6, 0, 1)]);
    expect(r.markReplicaToFree()).toBe(4);
    expect(r.markReplicaToFree()).toBe(6);
    expect(r.markReplicaToFree()).toBe(0);
    expect(r.markReplicaToFree()).toBeNull();
    expect([...r.replicasToFree]).toEqual([4, 6, 0]);
  });

  it('routes requests in arrival order and drains the queue', () => {
    const { r } = router('round_robin', [view(0), view(1)]);
    const late = req(1, 1, { arrivedAt: 5 });
    const early = req(1, 1, { arrivedAt: 1 });
    r.addRequest(late);
    r.addRequest(early);
    expect(r.schedule(0).map((a) => a.request.id)).toEqual([early.id, late.id]);
    expect(r.numQueued).toBe(0);
  });
});
