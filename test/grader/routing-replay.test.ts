import { describe, expect, it } from 'vitest';
import { requestMetricsCsv } from '../../sim/metrics/request-metrics.js';
import { LlqRouter } from '../../sim/policies/router/llq.js';
import { RandomRouter } from '../../sim/policies/router/random.js';
import type { Assignment, RouterInit } from '../../sim/policies/router/router.js';
import { checkUnitCase, unitCases } from '../../grader/labs/routing/cases.js';
import { benchmarkRun, derivedSeeds } from '../../grader/labs/routing/items.js';
import { ReplayError, ReplayRouter } from '../../grader/labs/routing/replay.js';
import { simulateRouting } from '../../grader/labs/routing/simulate.js';

function record<T extends new (init: RouterInit) => LlqRouter | RandomRouter>(Base: T, log: number[]) {
  return (init: RouterInit) =>
    new (class extends (Base as new (init: RouterInit) => LlqRouter) {
      override schedule(now: number): Assignment[] {
        const out = super.schedule(now);
        for (const a of out) log.push(now, a.request.id, a.replicaId);
        return out;
      }
    })(init);
}

describe('routing lab: replaying decisions in the parent', () => {
  const run = benchmarkRun('test', 7, 2, [
    { time: 200, delta: -1 },
    { time: 400, delta: 2 },
  ]);

  it.each([
    ['llq', LlqRouter],
    ['random', RandomRouter],
  ] as const)('reproduces a %s run exactly, scale events included', (_name, Base) => {
    const log: number[] = [];
    const original = simulateRouting(run, record(Base, log), { guardDecodeTokens: true });
    let replay: ReplayRouter | undefined;
    const replayed = simulateRouting(run, (init) => (replay = new ReplayRouter(init).load(log)), {
      guardDecodeTokens: false,
    });
    expect(replay!.remaining).toBe(0);
    expect(requestMetricsCsv(replayed.requests)).toBe(requestMetricsCsv(original.requests));
    expect(original.numCompleted).toBe(run.requests.arrivedAt.length);
  });

  it('rejects a log that routes a request twice or before it arrives', () => {
    const log: number[] = [];
    simulateRouting(run, record(LlqRouter, log), { guardDecodeTokens: true });
    const twice = [...log.slice(0, 3), ...log.slice(0, 3).map((v, i) => (i === 0 ? v + 1 : v)), ...log.slice(3)];
    expect(() =>
      simulateRouting(run, (init) => new ReplayRouter(init).load(twice), { guardDecodeTokens: false }),
    ).toThrow(ReplayError);
    const early = [0, log[4]!, log[5]!, ...log.slice(0, 3), ...log.slice(6)];
    expect(() =>
      simulateRouting(run, (init) => new ReplayRouter(init).load(early), { guardDecodeTokens: false }),
    ).toThrow(/not waiting/);
  });

  it('derives distinct, repeatable hidden seeds per label', () => {
    expect(derivedSeeds(1, 'a', 3)).toEqual(derivedSeeds(1, 'a', 3));
    expect(derivedSeeds(1, 'a', 3)).not.toEqual(derivedSeeds(1, 'b', 3));
    expect(new Set(derivedSeeds(5, 'a', 3)).size).toBe(3);
  });
});

describe('routing lab: unit-case expectations', () => {
  const cases = unitCases(1);
  it('accepts a balanced assignment and explains a bad one', () => {
    const spread = cases[0]!;
    const good = {
      name: spread.case.name,
      decodeTokenReads: 0,
      assignments: [0, 1, 2, 3, 4, 5, 6, 7].map((i) => [i, i % 4] as [number, number]),
    };
    expect(checkUnitCase(spread, good)).toEqual([]);
    const allToZero = { ...good, assignments: good.assignments.map(([i]) => [i, 0] as [number, number]) };
    expect(checkUnitCase(spread, allToZero).join('\n')).toMatch(/expected 2 requests on each replica[\s\S]*\{"0":8\}/);
    const peeked = { ...good, decodeTokenReads: 2 };
    expect(checkUnitCase(spread, peeked)[0]).toMatch(/numDecodeTokens 2 time/);
  });

  it('flags marked replicas, unknown replicas, duplicates and unrouted requests', () => {
    const marked = cases[2]!;
    const toMarked = {
      name: marked.case.name,
      decodeTokenReads: 0,
      assignments: [
        [0, 1],
        [1, 9],
        [1, 0],
      ] as [number, number][],
    };
    const problems = checkUnitCase(marked, toMarked).join('\n');
    expect(problems).toMatch(/replica 1, which is marked/);
    expect(problems).toMatch(/replica 9, which is not in the cluster/);
    expect(problems).toMatch(/request 1 twice/);
    expect(problems).toMatch(/routed 2 of 6/);
  });
});
