import { describe, expect, it } from 'vitest';
import { Simulator } from '../../sim/engine/simulator.js';
import type { Request } from '../../sim/entities/request.js';
import { requestMetricsCsv } from '../../sim/metrics/request-metrics.js';
import type { Autoscaler, ScalingState } from '../../sim/policies/autoscaler/autoscaler.js';
import { Router, type Assignment } from '../../sim/policies/router/router.js';
import { req, setup } from '../helpers.js';

function workload(n: number, gap = 0.05, seedShift = 0): Request[] {
  return Array.from({ length: n }, (_, i) =>
    req(50 + ((i * 37 + seedShift) % 400), 5 + ((i * 13 + seedShift) % 60), { id: i, arrivedAt: i * gap }),
  );
}

describe('Simulator', () => {
  it('completes every request once, with consistent timestamps', () => {
    const requests = workload(200);
    const result = new Simulator(setup(requests)).run();
    expect(result.numCompleted).toBe(200);
    for (const r of result.requests) {
      expect(r.isFinished).toBe(true);
      expect(r.numProcessedTokens).toBe(r.totalTokens);
      expect(r.scheduledAt!).toBeGreaterThanOrEqual(r.arrivedAt);
      expect(r.prefillCompletedAt!).toBeGreaterThan(r.scheduledAt!);
      expect(r.completedAt!).toBeGreaterThanOrEqual(r.prefillCompletedAt!);
    }
    expect([...result.requestsPerReplica.values()].reduce((a, b) => a + b)).toBe(200);
  });

  it('is deterministic: the same inputs give byte-identical metrics, even with two simulations interleaved', () => {
    const a = new Simulator(setup(workload(150), { router: 'random' }));
    const b = new Simulator(setup(workload(150), { router: 'random' }));
    const other = new Simulator(setup(workload(80, 0.01, 7), { router: 'random', seed: 99 }));
    const ra = a.run();
    other.run();
    const rb = b.run();
    expect(requestMetricsCsv(rb.requests)).toBe(requestMetricsCsv(ra.requests));
    expect(ra.eventCounts).toEqual(rb.eventCounts);
  });

  it('preempts by recompute under memory pressure and still finishes everything', () => {
    const requests = Array.from({ length: 30 }, (_, i) => req(200, 150, { id: i, arrivedAt: 0 }));
    const result = new Simulator(
      setup(requests, { initialReplicas: 1, kvCache: { numBlocks: 60, blockSize: 16, watermarkFraction: 0 } }),
    ).run();
    expect(result.numCompleted).toBe(30);
    expect(result.numPreemptions).toBeGreaterThan(0);
    const restarted = result.requests.filter((r) => r.numRestarts > 0);
    expect(restarted.length).toBeGreaterThan(0);
    for (const r of restarted) {
      expect(r.prefillTarget).toBeGreaterThan(r.numPrefillTokens);
      expect(r.numGeneratedTokens).toBe(r.numDecodeTokens);
    }
  });

  it('stops at the time limit and leaves later work unfinished, with empty metric cells', () => {
    const requests = workload(100, 0.5);
    const result = new Simulator(setup(requests, { timeLimit: 10 })).run();
    expect(result.endTime).toBeLessThanOrEqual(10);
    expect(result.numCompleted).toBeLessThan(100);
    const csv = requestMetricsCsv(result.requests).trim().split('\n');
    const last = csv[csv.length - 1]!.split(',');
    expect(last[2]).toBe(''); // completed_at
  });

  it('gives requests of one decode token a finish with their prefill', () => {
    const r = req(100, 1, { id: 0 });
    new Simulator(setup([r], { initialReplicas: 1 })).run();
    expect(r.completedAt).toBe(r.prefillCompletedAt);
  });

  it('explains a router that assigns to a replica that does not exist', () => {
    class BadRouter extends Router {
      schedule(): Assignment[] {
        return this.queue.splice(0).map((request) => ({ replicaId: 42, request }));
      }
    }
    const sim = new Simulator(setup(workload(3), { makeRouter: (init) => new BadRouter(init) }));
    expect(() => sim.run()).toThrow(/replica 42, which does not exist; existing ids: \[0, 1\]/);
  });

  it('charges cost per replica-hour over the run', () => {
    const result = new Simulator(setup(workload(50), { initialReplicas: 3, costPerReplicaHour: 8 })).run();
    expect(result.costDollars).toBeCloseTo((3 * 8 * result.endTime) / 3600, 9);
  });
});

describe('Simulator autoscaling hooks', () => {
  class ScriptedAutoscaler implements Autoscaler {
    readonly tuneInterval = 5;
    readonly seen: { now: number; state: ScalingState }[] = [];
    arrivals = 0;
    batches = 0;
    constructor(private readonly script: Record<number, number>) {}
    onRequestArrival() {
      this.arrivals++;
    }
    onBatchEnd() {
      this.batches++;
    }
    tune(now: number, state: ScalingState): number {
      this.seen.push({ now, state });
      return this.script[now] ?? 0;
    }
  }

  it('adds replicas after the provisioning delay, removes them later, and never reuses ids', () => {
    const policy = new ScriptedAutoscaler({ 5: 2, 40: -2 });
    const requests = workload(1600, 0.05); // 80 s of arrivals
    const sim = new Simulator(
      setup(requests, {
        initialReplicas: 1,
        router: 'round_robin',
        costPerReplicaHour: 3600, // $1 per replica-second makes the integral easy to check
        autoscaling: { policy, scaleUpDelay: 10, scaleDownDelay: 0, minReplicas: 1, maxReplicas: 8 },
      }),
    );
    const result = sim.run();
    expect(result.numCompleted).toBe(1600);
    expect(policy.arrivals).toBe(1600);
    expect(policy.batches).toBe(result.numBatches);
    // At t = 10 the two scale-ups are still provisioning, and the engine says so.
    expect(policy.seen.find((s) => s.now === 10)!.state).toEqual({
      numReplicas: 1,
      pendingScaleUps: 2,
      pendingScaleDowns: 0,
    });
    expect(policy.seen.find((s) => s.now === 15)!.state.numReplicas).toBe(3);
    expect(result.replicaTimeline.slice(0, 2).map((p) => [p.time, p.replicas])).toEqual([
      [0, 1],
      [15, 3],
    ]);
    expect(result.replicaTimeline.at(-1)!.replicas).toBe(1);
    expect([...result.requestsPerReplica.keys()].sort()).toEqual([0, 1, 2]);
    // Cost: 1 replica from 0, 2 more from 15 until each was freed (at or after 40).
    const removals = result.replicaTimeline
      .filter((p, i, all) => i > 0 && p.replicas < all[i - 1]!.replicas)
      .map((p) => p.time);
    expect(removals.every((t) => t >= 40)).toBe(true);
    const expected = result.endTime + removals.reduce((sum, t) => sum + (t - 15), 0);
    expect(result.costDollars).toBeCloseTo(expected, 6);
    expect(sim.cluster.replicas.map((r) => r.replicaId)).toHaveLength(1);
  });

  it('never scales below the minimum nor above the maximum', () => {
    const policy = new ScriptedAutoscaler({ 5: -5, 10: 50 });
    const result = new Simulator(
      setup(workload(400, 0.05), {
        initialReplicas: 2,
        autoscaling: { policy, scaleUpDelay: 1, scaleDownDelay: 0, minReplicas: 1, maxReplicas: 4 },
      }),
    ).run();
    expect(result.numCompleted).toBe(400);
    expect(Math.min(...result.replicaTimeline.map((p) => p.replicas))).toBe(1);
    expect(Math.max(...result.replicaTimeline.map((p) => p.replicas))).toBe(4);
  });

  it('drains a busy replica marked for scale-down before freeing it, sending it nothing new', () => {
    const policy = new ScriptedAutoscaler({ 5: -1 });
    const requests = Array.from({ length: 400 }, (_, i) => req(300, 200, { id: i, arrivedAt: i * 0.02 }));
    const sim = new Simulator(
      setup(requests, {
        initialReplicas: 2,
        router: 'llq',
        autoscaling: { policy, scaleUpDelay: 1, scaleDownDelay: 0, minReplicas: 1, maxReplicas: 2 },
      }),
    );
    const result = sim.run();
    expect(result.numCompleted).toBe(400);
    const removal = result.replicaTimeline.slice(1).find((p) => p.replicas === 1)!;
    expect(removal.time).toBeGreaterThan(5); // it had work at t = 5, so it drained first
    const freed = [0, 1].find((id) => sim.cluster.get(id) === undefined)!;
    const lateToFreed = result.requests.filter((r) => r.arrivedAt > 5 && r.replicaId === freed);
    expect(lateToFreed).toHaveLength(0);
  });
});

describe('lab mode: routers may not read the decode length', () => {
  class PeekingRouter extends Router {
    schedule(): Assignment[] {
      return this.queue.splice(0).map((request) => ({
        replicaId: (request as unknown as { numDecodeTokens: number }).numDecodeTokens % 2,
        request,
      }));
    }
  }

  it('hands routers views whose numDecodeTokens throws a clear error', () => {
    const sim = new Simulator(
      setup(workload(3), { makeRouter: (init) => new PeekingRouter(init), guardDecodeTokens: true }),
    );
    expect(() => sim.run()).toThrow(
      /a router read numDecodeTokens of request 0: routers may not use the decode length/,
    );
  });

  it('counts every read in decodeTokenReads, also those whose error the router swallows', () => {
    class SwallowingRouter extends Router {
      schedule(): Assignment[] {
        return this.queue.splice(0).map((request) => {
          for (let i = 0; i < 2; i++) {
            try {
              void (request as unknown as { numDecodeTokens: number }).numDecodeTokens;
            } catch {
              // The router ignores the error; the engine still counts the read.
            }
          }
          return { replicaId: 0, request };
        });
      }
    }
    const result = new Simulator(
      setup(workload(5), { makeRouter: (init) => new SwallowingRouter(init), guardDecodeTokens: true }),
    ).run();
    expect(result.numCompleted).toBe(5);
    expect(result.decodeTokenReads).toBe(10);
  });

  it('leaves built-in routers working, with the view carrying everything else', () => {
    const result = new Simulator(setup(workload(50), { router: 'llq', guardDecodeTokens: true })).run();
    expect(result.numCompleted).toBe(50);
    expect(result.decodeTokenReads).toBe(0);
  });
});
