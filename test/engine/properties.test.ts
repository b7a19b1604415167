import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Simulator, type SimulationObserver, type SimulationSetup } from '../../sim/engine/simulator.js';
import { Request } from '../../sim/entities/request.js';
import { ReplicaSchedulerName } from '../../sim/policies/replica/registry.js';
import { RouterName } from '../../sim/policies/router/registry.js';
import { requestMetricsCsv } from '../../sim/metrics/request-metrics.js';
import type { BatchShape, ExecutionTimeModel } from '../../sim/predictor/execution-time-model.js';
import { setup } from '../helpers.js';

/** Depends on KV lengths too, so a decode run's iterations really differ in duration. */
const kvSensitiveModel: ExecutionTimeModel = {
  name: 'kv-sensitive-test',
  batchTime(batch: BatchShape): number {
    let t = 0.005;
    batch.requests.forEach((r, i) => (t += 1e-4 * batch.numTokens[i]! + 3e-7 * r.numProcessedTokens));
    return t;
  },
};

type Row = { gap: number; prefill: number; decode: number };

/** A small cluster under memory pressure: 16-request batches, 128-token chunks, few KV blocks. */
function smallCluster(
  rows: Row[],
  scheduler: ReplicaSchedulerName,
  router: RouterName,
  replicas: number,
  numBlocks: number,
  extra: Partial<SimulationSetup>,
) {
  let t = 0;
  const requests = rows.map(
    (r, id) => new Request({ id, arrivedAt: (t += r.gap), numPrefillTokens: r.prefill, numDecodeTokens: r.decode }),
  );
  // Orca reserves maxRequestTokens per request, so give it room for at least one.
  const blocks = scheduler === 'orca' ? Math.max(numBlocks, 64) : numBlocks;
  return setup(requests, {
    replicaScheduler: scheduler,
    router,
    initialReplicas: replicas,
    limits: { batchSizeCap: 16, maxTokensInBatch: 2048, chunkSize: 128, maxRequestTokens: 1024 },
    kvCache: { numBlocks: blocks, blockSize: 16, watermarkFraction: 0.01 },
    ...extra,
  });
}

const workloadArb = fc.array(
  fc.record({
    gap: fc.double({ min: 0, max: 0.5, noNaN: true }),
    prefill: fc.integer({ min: 1, max: 600 }),
    decode: fc.integer({ min: 1, max: 120 }),
  }),
  { minLength: 1, maxLength: 60 },
);

describe('engine properties on random small workloads', () => {
  it('every request completes exactly once, processes prefill + decode tokens, and time never goes backwards', () => {
    fc.assert(
      fc.property(
        workloadArb,
        fc.constantFrom(...ReplicaSchedulerName.options),
        fc.constantFrom(...RouterName.options),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 48, max: 400 }),
        (rows, scheduler, router, replicas, numBlocks) => {
          const completions = new Map<number, number>();
          let lastEvent = 0;
          const observer: SimulationObserver = {
            onBatchStart(batch, now) {
              expect(now).toBeGreaterThanOrEqual(lastEvent);
              lastEvent = now;
              let tokens = 0;
              for (const n of batch.numTokens) tokens += n;
              expect(tokens).toBeGreaterThan(0);
            },
            onBatchEnd(batch, now) {
              expect(now).toBeGreaterThanOrEqual(lastEvent);
              expect(now).toBeCloseTo(batch.scheduledAt! + batch.duration, 9);
              lastEvent = now;
            },
            onRequestCompleted(r) {
              completions.set(r.id, (completions.get(r.id) ?? 0) + 1);
            },
          };
          const config = smallCluster(rows, scheduler, router, replicas, numBlocks, { observers: [observer] });
          const result = new Simulator(config).run();
          expect(result.numCompleted).toBe(rows.length);
          for (const r of result.requests) {
            expect(completions.get(r.id)).toBe(1);
            expect(r.numProcessedTokens).toBe(r.numPrefillTokens + r.numDecodeTokens);
            expect(r.numGeneratedTokens).toBe(r.numDecodeTokens);
            expect(r.completedAt!).toBeGreaterThanOrEqual(r.arrivedAt);
          }
        },
      ),
      { numRuns: 150, seed: 20261123 },
    );
  });
});

describe('decode fast-forward', () => {
  it('gives byte-identical request metrics with and without it', () => {
    let shortcutTaken = 0;
    fc.assert(
      fc.property(
        workloadArb,
        fc.constantFrom(...ReplicaSchedulerName.options),
        fc.constantFrom('round_robin', 'lor', 'llq', 'random') as fc.Arbitrary<RouterName>,
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 48, max: 400 }),
        fc.option(fc.double({ min: 1, max: 30, noNaN: true }), { nil: undefined }),
        (rows, scheduler, router, replicas, numBlocks, timeLimit) => {
          const run = (fastForward: boolean) => {
            const config = smallCluster(rows, scheduler, router, replicas, numBlocks, {
              executionModel: kvSensitiveModel,
              timeLimit,
              fastForward,
            });
            const result = new Simulator(config).run();
            return {
              csv: requestMetricsCsv(result.requests),
              batches: result.numBatches,
              preemptions: result.numPreemptions,
              end: result.endTime,
              events: result.numEvents,
            };
          };
          const { events: slowEvents, ...slow } = run(false);
          const { events: fastEvents, ...fast } = run(true);
          expect(fast).toEqual(slow);
          if (fastEvents < slowEvents) shortcutTaken++;
        },
      ),
      { numRuns: 200, seed: 7 },
    );
    expect(shortcutTaken).toBeGreaterThan(100); // the comparison is only worth something if runs were fast-forwarded
  });

  it('processes far fewer events on a decode-heavy workload', () => {
    const make = () =>
      Array.from(
        { length: 200 },
        (_, id) => new Request({ id, arrivedAt: id * 0.7, numPrefillTokens: 300, numDecodeTokens: 400 }),
      );
    const run = (fastForward: boolean) =>
      new Simulator(setup(make(), { fastForward, executionModel: kvSensitiveModel })).run();
    const slow = run(false);
    const fast = run(true);
    expect(fast.numBatches).toBe(slow.numBatches);
    expect(fast.numEvents * 5).toBeLessThan(slow.numEvents);
  });
});
