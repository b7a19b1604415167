import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Simulator, type SimulationObserver } from '../../sim/engine/simulator.js';
import { Request } from '../../sim/entities/request.js';
import { ReplicaSchedulerName } from '../../sim/policies/replica/registry.js';
import { RouterName } from '../../sim/policies/router/registry.js';
import { setup } from '../helpers.js';

const workloadArb = fc.array(
  fc.record({ gap: fc.double({ min: 0, max: 0.5, noNaN: true }), prefill: fc.integer({ min: 1, max: 600 }), decode: fc.integer({ min: 1, max: 120 }) }),
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
          let t = 0;
          const requests = rows.map((r, id) => new Request({ id, arrivedAt: (t += r.gap), numPrefillTokens: r.prefill, numDecodeTokens: r.decode }));
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
          // Orca reserves maxRequestTokens per request, so give it room for at least one.
          const blocks = scheduler === 'orca' ? Math.max(numBlocks, 64) : numBlocks;
          const result = new Simulator(
            setup(requests, {
              replicaScheduler: scheduler,
              router,
              initialReplicas: replicas,
              limits: { batchSizeCap: 16, maxTokensInBatch: 2048, chunkSize: 128, maxRequestTokens: 1024 },
              kvCache: { numBlocks: blocks, blockSize: 16, watermarkFraction: 0.01 },
              observers: [observer],
            }),
          ).run();
          expect(result.numCompleted).toBe(requests.length);
          for (const r of requests) {
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
