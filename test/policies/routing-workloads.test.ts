/**
 * The routing workloads (sim/analysis/routing-workloads.ts) and what the routing reference does on
 * unequal replicas (reference/routing/ai-router.ts). The gains themselves are measured by
 * `npm run bench:routing`, too slow for a test; these check the mechanisms behind them.
 */
import { describe, expect, it } from 'vitest';
import { AiRouter } from '../../reference/routing/ai-router.js';
import { ROUTING_WORKLOADS, routingWorkload } from '../../sim/analysis/routing-workloads.js';
import { buildSimulation } from '../../sim/config/build.js';
import { parseConfig } from '../../sim/config/schema.js';
import { Simulator } from '../../sim/engine/simulator.js';
import { ROUTERS } from '../../sim/policies/router/registry.js';
import type { Router, RouterInit } from '../../sim/policies/router/router.js';

describe('routing workloads', () => {
  it('are valid configs with unique names, and keep the seed benchmark as one of them', () => {
    const names = ROUTING_WORKLOADS.map((w) => w.name);
    expect(new Set(names).size).toBe(names.length);
    for (const w of ROUTING_WORKLOADS) expect(() => parseConfig({ ...w.config, seed: 1 }), w.name).not.toThrow();
    const benchmark = parseConfig({ ...routingWorkload('benchmark').config, seed: 1 });
    expect([benchmark.replicas, benchmark.qps, benchmark.duration, benchmark.lengthsTrace]).toEqual([
      4,
      3,
      1000,
      'traces/conv.csv',
    ]);
    expect(benchmark.replicaMix).toBeUndefined();
    expect(ROUTING_WORKLOADS.filter((w) => w.config.replicaMix !== undefined).length).toBeGreaterThanOrEqual(2);
  });

  it('names the known workloads when asked for an unknown one', () => {
    expect(() => routingWorkload('nope')).toThrow(/unknown routing workload "nope"; known: benchmark, heavy-conv/);
  });
});

describe('routing reference on unequal replicas', () => {
  const perKind = (make: (init: RouterInit) => Router) => {
    const config = parseConfig({
      replicas: 4,
      replicaMix: 'a100,h100',
      executionModel: 'roofline',
      qps: 16,
      duration: 60,
      seed: 3,
      progress: 'off',
    });
    const result = new Simulator(buildSimulation(config, { makeRouter: make })).run();
    const count = (id: number) => result.requestsPerReplica.get(id) ?? 0;
    return { a100: count(0) + count(2), h100: count(1) + count(3) };
  };

  it('learns that the H100 replicas drain faster and sends them more than llq does', () => {
    const llq = perKind(ROUTERS.llq);
    const reference = perKind((init) => new AiRouter(init));
    // llq already favours the H100s a little (their counts drain sooner): ~1.8 : 1 here; the reference ~3.4 : 1.
    expect(reference.h100 / reference.a100).toBeGreaterThan((llq.h100 / llq.a100) * 1.5);
  });
});
