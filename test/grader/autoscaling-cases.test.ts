/**
 * The autoscaling lab's grader logic on its own, without the sandbox: the envelope oracle against the
 * reference structure, the expected EMA and tune() values against the handout's examples, the router
 * checks against broken routers, the efficiency measure, the tuning share, and the replay of decisions.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../sim/config/paths.js';
import type { Autoscaler, ScalingState } from '../../sim/policies/autoscaler/autoscaler.js';
import {
  checkRouterCase,
  envelopeCases,
  expectedDeltas,
  expectedEma,
  expectedRates,
  oracleRate,
  roundRobinCases,
  tuneCases,
} from '../../grader/labs/autoscaling/cases.js';
import { configProblems, hvReference, tuningShare } from '../../grader/labs/autoscaling/items.js';
import type { RouterCase } from '../../grader/labs/autoscaling/protocol.js';
import { costSlope, pairRatios } from '../../grader/labs/autoscaling/scaling.js';
import { runMetrics, simulateCluster } from '../../grader/labs/autoscaling/simulate.js';
import { shippedShapeWorkload } from '../../grader/labs/autoscaling/workloads.js';
import { importReference } from '../../grader/core/reference.js';

interface EnvelopeLike {
  onRequestArrival(r: { arrivedAt: number; numPrefillTokens: number; numDecodeTokens: number }): void;
  getMaxRequestRate(t: number, w: number, l: number): number;
}
const { NetworkEnvelope } = await importReference<{ NetworkEnvelope: new () => EnvelopeLike }>(
  REPO_ROOT,
  'reference/autoscaling',
  'network-envelope.ts',
);
const { InferlineAutoscaler, INFERLINE_CONFIG } = await importReference<{
  InferlineAutoscaler: new (c?: unknown) => Autoscaler;
  INFERLINE_CONFIG: Record<string, unknown>;
}>(REPO_ROOT, 'reference/autoscaling', 'inferline-autoscaler.ts');

describe('envelope oracle', () => {
  it('gives the handout examples', () => {
    expect(oracleRate([[10, 101]], 20, 10, 15)).toBeCloseTo(10.1, 12);
    expect(oracleRate([[10, 101]], 20, 10, 10)).toBe(0);
    expect(oracleRate([], 10, 5, 20)).toBe(0);
    expect(oracleRate([[1, 100]], 2, 0, 10)).toBe(0);
  });

  it('agrees exactly with the reference O(1)-amortised envelope on random traffic, floats included', () => {
    const op = fc.oneof(
      fc.record({
        kind: fc.constant('arrive' as const),
        gap: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 3, noNaN: true })),
        p: fc.integer({ min: 1, max: 500 }),
        d: fc.integer({ min: 1, max: 50 }),
      }),
      fc.record({
        kind: fc.constant('query' as const),
        gap: fc.double({ min: 0, max: 2, noNaN: true }),
        pair: fc.integer({ min: 0, max: 2 }),
      }),
    );
    const pairs = [
      [2.5, 10],
      [5, 30],
      [20, 15],
    ] as const; // the last has W > L
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
        const env = new NetworkEnvelope();
        const seen: [number, number][] = [];
        let t = 0;
        for (const o of ops) {
          t += o.gap;
          if (o.kind === 'arrive') {
            env.onRequestArrival({ arrivedAt: t, numPrefillTokens: o.p, numDecodeTokens: o.d });
            seen.push([t, o.p + o.d]);
          } else {
            const [w, l] = pairs[o.pair]!;
            expect(env.getMaxRequestRate(t, w, l)).toBe(oracleRate(seen, t, w, l));
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  it('agrees with the reference on every case the grader uses', () => {
    for (const { case: c } of envelopeCases(20260611)) {
      const env = new NetworkEnvelope();
      const got: number[] = [];
      for (const [kind, time, a, b] of c.ops) {
        if (kind === 0) env.onRequestArrival({ arrivedAt: time, numPrefillTokens: a, numDecodeTokens: b });
        else got.push(env.getMaxRequestRate(time, a, b));
      }
      expect(got, c.name).toEqual(expectedRates(c));
    }
  });
});

describe('expected EMA and tune()', () => {
  it('EMA: the handout example', () => {
    expect(
      expectedEma({
        name: '',
        alpha: 0.5,
        initial: 1,
        batches: [{ tokens: [100, 50, 75], scheduledAt: 0, completedAt: 10 }],
      }),
    ).toEqual([1, 11.75]);
  });

  it('tune: rate 100, μ 30, 1 replica → +3, then 0, then 0 within the stabilisation delay; down after it', () => {
    const [first, second] = tuneCases(1);
    expect(expectedDeltas(first!.case)).toEqual([3, 0, 0]);
    expect(expectedDeltas(second!.case)).toEqual([3, 0, -3]);
  });

  it('the reference InferlineAutoscaler gives the expected deltas on every tune case', () => {
    for (const { case: c } of tuneCases(777)) {
      let current = c.calls[0]!;
      const envelope = {
        onRequestArrival() {},
        getMaxRequestRate: (_t: number, w: number, l: number) =>
          w === c.config.minWindowSizeScaleUp && l === c.config.lookBackTimeScaleUp ? current.upRate : current.downRate,
      };
      const Ctor = InferlineAutoscaler as unknown as new (config: unknown, envelope: unknown) => Autoscaler;
      const a = new Ctor({ ...INFERLINE_CONFIG, ...c.config }, envelope);
      const got = c.calls.map((call) => {
        current = call;
        const state: ScalingState = {
          numReplicas: call.numReplicas,
          pendingScaleUps: call.pendingScaleUps,
          pendingScaleDowns: call.pendingScaleDowns,
        };
        return a.tune(call.time, state);
      });
      expect(got, c.name).toEqual(expectedDeltas(c));
    }
  });
});

describe('router checks', () => {
  const [rotate, skipMarked] = roundRobinCases(42, 1);
  const ok = { name: '', steps: [] as { assignments: [number, number][]; marked: number[] }[] };

  it('accept a true rotation and flag a router that restarts at the first replica on every call', () => {
    const c: RouterCase = rotate!.case;
    const rotation = c.steps.map((_, i) => ({ assignments: [[i, i % 3]] as [number, number][], marked: [] }));
    expect(checkRouterCase(c, { ...ok, name: c.name, steps: rotation })).toEqual([]);
    const restarts = c.steps.map((_, i) => ({ assignments: [[i, 0]] as [number, number][], marked: [] }));
    expect(checkRouterCase(c, { ...ok, name: c.name, steps: restarts })[0]).toMatch(
      /call 2: sent request 1 to replica 0; the previous request went to 0, so round robin over \[0,1,2\] continues with 1/,
    );
  });

  it('flag a request sent to a marked replica, naming it', () => {
    const c: RouterCase = skipMarked!.case;
    const steps = [
      {
        assignments: [
          [0, 0],
          [1, 1],
          [2, 2],
          [3, 0],
          [4, 2],
        ] as [number, number][],
        marked: [1],
      },
    ];
    expect(checkRouterCase(c, { name: c.name, steps })[0]).toMatch(
      /sent request 1 to replica 1, which is marked for scale-down/,
    );
  });
});

describe('efficiency measure', () => {
  const sizes = [512, 1024, 2048, 4096, 8192];
  it('reads ≈ 0 for a flat ratio and ≈ 1 for a ratio proportional to n, and shrugs off one outlier', () => {
    expect(costSlope(sizes, [2, 2, 2, 2, 2])).toBeCloseTo(0, 12);
    expect(
      costSlope(
        sizes,
        sizes.map((n) => n / 100),
      ),
    ).toBeCloseTo(1, 12);
    expect(Math.abs(costSlope(sizes, [2, 2, 2, 2, 40]))).toBeLessThan(0.1);
    expect(Math.abs(costSlope(sizes, [40, 2, 2, 2, 2]))).toBeLessThan(0.1);
  });
  it('uses the median of pairwise ratios per size', () => {
    expect(pairRatios([[1, 2, 100]], [[1, 1, 1]])).toEqual([2]);
  });
});

describe('scoring helpers', () => {
  const m = (p90: number, costDollars: number) => ({ p90, costDollars, completed: 10, total: 10 });
  it('tuning: full share within ×1.1 on both, none from ×1.6, linear in the worse ratio', () => {
    expect(tuningShare(m(0.11, 10), m(0.1, 10)).share).toBe(1);
    expect(tuningShare(m(0.1, 16), m(0.1, 10)).share).toBe(0);
    expect(tuningShare(m(0.135, 9), m(0.1, 10)).share).toBeCloseTo(0.5, 9);
    expect(tuningShare({ ...m(0.1, 10), completed: 9 }, m(0.1, 10)).share).toBe(0);
  });
  it('the hypervolume reference point is $50 and 0.5 s for the shipped trace, cost scaled by requests', () => {
    expect(hvReference(126_000)).toEqual({ cost: 50, latency: 0.5 });
    expect(hvReference(100_800).cost).toBeCloseTo(40, 9);
  });
  it('config problems are named field by field', () => {
    expect(configProblems({ ...INFERLINE_CONFIG })).toEqual([]);
    expect(configProblems({ ...INFERLINE_CONFIG, tuneInterval: 0.1, throughputAlpha: 2 })).toEqual([
      'INFERLINE_CONFIG.tuneInterval must be between 1 and 60, got 0.1',
      'INFERLINE_CONFIG.throughputAlpha must be in (0, 1], got 2',
    ]);
    expect(configProblems({ ...INFERLINE_CONFIG, minReplicas: 5, maxReplicas: 4 })).toEqual([
      'INFERLINE_CONFIG.minReplicas must not exceed maxReplicas',
    ]);
  });
});

describe('replaying tune() decisions', () => {
  it('reproduces the autoscaler’s run exactly (cost, P90 and every replica change)', () => {
    const w = shippedShapeWorkload(5);
    const short = { ...w.requests, arrivedAt: w.requests.arrivedAt.filter((t) => t < 900) };
    const n = short.arrivedAt.length;
    const requests = {
      arrivedAt: short.arrivedAt,
      numPrefillTokens: w.requests.numPrefillTokens.slice(0, n),
      numDecodeTokens: w.requests.numDecodeTokens.slice(0, n),
    };
    const inner = new InferlineAutoscaler(INFERLINE_CONFIG);
    const decisions = new Map<number, number>();
    let calls = 0;
    const recording: Autoscaler = {
      tuneInterval: inner.tuneInterval,
      onRequestArrival: (r, now) => inner.onRequestArrival?.(r, now),
      onBatchEnd: (b, now) => inner.onBatchEnd?.(b, now),
      tune(now, state) {
        const d = inner.tune(now, state);
        if (d !== 0) decisions.set(calls, d);
        calls++;
        return d;
      },
    };
    const original = simulateCluster(requests, { autoscaler: recording });
    let k = 0;
    const replayed = simulateCluster(requests, {
      autoscaler: { tuneInterval: inner.tuneInterval, tune: () => decisions.get(k++) ?? 0 },
    });
    expect(runMetrics(replayed)).toEqual(runMetrics(original));
    expect(replayed.replicaTimeline).toEqual(original.replicaTimeline);
    expect(decisions.size).toBeGreaterThan(0);
  });

  it('the autoscaler sees each request with its decode length', () => {
    const seen: number[] = [];
    const probe: Autoscaler = { tuneInterval: 5, onRequestArrival: (r) => seen.push(r.numDecodeTokens), tune: () => 0 };
    simulateCluster({ arrivedAt: [0, 1], numPrefillTokens: [10, 20], numDecodeTokens: [3, 4] }, { autoscaler: probe });
    expect(seen).toEqual([3, 4]);
  });
});
