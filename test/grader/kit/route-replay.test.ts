import { describe, expect, it } from 'vitest';
import { requestMetricsCsv } from '../../../sim/metrics/request-metrics.js';
import { LlqRouter } from '../../../sim/policies/router/llq.js';
import { RandomRouter } from '../../../sim/policies/router/random.js';
import type { Assignment, RouterInit } from '../../../sim/policies/router/router.js';
import { ReplayError } from '../../../grader/kit/batch-replay.js';
import { ReplayRouter } from '../../../grader/kit/route-replay.js';
import { benchmarkRun, simulateRouting } from '../../../grader/labs/routing/simulate.js';

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

describe("kit route replay: routing decisions re-run by the parent (on the routing lab's benchmark)", () => {
  const run = benchmarkRun('test', 7, 2, [
    { time: 200, delta: -1 },
    { time: 400, delta: 2 },
  ]);

  // The llq run's log, reused by the test of bad logs when it ran first (one simulation fewer).
  const logs = new Map<string, number[]>();

  it.each([
    ['llq', LlqRouter],
    ['random', RandomRouter],
  ] as const)('reproduces a %s run exactly, scale events included', (name, Base) => {
    const log: number[] = [];
    logs.set(name, log);
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
    let log = logs.get('llq');
    if (log === undefined) {
      log = [];
      simulateRouting(run, record(LlqRouter, log), { guardDecodeTokens: true });
    }
    const twice = [...log.slice(0, 3), ...log.slice(0, 3).map((v, i) => (i === 0 ? v + 1 : v)), ...log.slice(3)];
    expect(() =>
      simulateRouting(run, (init) => new ReplayRouter(init).load(twice), { guardDecodeTokens: false }),
    ).toThrow(ReplayError);
    const early = [0, log[4]!, log[5]!, ...log.slice(0, 3), ...log.slice(6)];
    expect(() =>
      simulateRouting(run, (init) => new ReplayRouter(init).load(early), { guardDecodeTokens: false }),
    ).toThrow(/not waiting/);
  });
});
