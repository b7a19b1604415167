/**
 * The deadline lab's reference scheduler on random small workloads under memory pressure: every
 * request completes exactly once with all its tokens, each request is relegated at most once and
 * only before it holds blocks (the engine's `relegate` throws otherwise), batches respect the
 * iteration limit, and two runs give the same bytes.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Simulator, type SimulationObserver } from '../../sim/engine/simulator.js';
import { Request } from '../../sim/entities/request.js';
import { requestMetricsCsv } from '../../sim/metrics/request-metrics.js';
import { DeadlineOptions } from '../../sim/policies/replica/deadline/deadline-options.js';
import { CHUNK_SIZES } from '../../sim/policies/replica/deadline/batch-time-model.js';
import { DeadlineScheduler } from '../../reference/deadline/deadline-scheduler.js';
import { linearModel, setup } from '../helpers.js';

const rowsArb = fc.array(
  fc.record({
    gap: fc.double({ min: 0, max: 0.3, noNaN: true }),
    prefill: fc.integer({ min: 1, max: 3000 }),
    decode: fc.integer({ min: 1, max: 200 }),
    tier: fc.integer({ min: 0, max: 2 }),
  }),
  { minLength: 1, maxLength: 80 },
);

function run(
  rows: { gap: number; prefill: number; decode: number; tier: number }[],
  numBlocks: number,
  deadlines: readonly number[],
) {
  let t = 0;
  const requests = rows.map(
    (r, id) =>
      new Request({
        id,
        arrivedAt: (t += r.gap),
        numPrefillTokens: r.prefill,
        numDecodeTokens: r.decode,
        tier: r.tier,
      }),
  );
  let largest = 0;
  const observer: SimulationObserver = { onBatchStart: (b) => void (largest = Math.max(largest, b.totalTokens)) };
  let replica: DeadlineScheduler | undefined;
  const result = new Simulator({
    ...setup(requests, { initialReplicas: 1, observers: [observer], executionModel: linearModel }),
    kvCache: { numBlocks, blockSize: 16, watermarkFraction: 0.01 },
    limits: { batchSizeCap: 16, maxTokensInBatch: 4096, chunkSize: 64, maxRequestTokens: 4096 },
    makeReplicaScheduler: (init) =>
      (replica = new DeadlineScheduler(init, DeadlineOptions.parse({ tierDeadlines: [...deadlines], refitEvery: 20 }))),
  }).run();
  return { result, largest, replica: replica! };
}

describe('the deadline reference on random workloads', () => {
  it('completes every request once, relegates at most once each, and stays within the largest chunk', () => {
    let relegations = 0;
    let refits = 0;
    fc.assert(
      fc.property(
        rowsArb,
        fc.integer({ min: 240, max: 1200 }),
        fc.constantFrom([6, 600, 1800], [0.5, 2, 4]),
        (rows, numBlocks, deadlines) => {
          const { result, largest, replica } = run(rows, numBlocks, deadlines);
          expect(result.numCompleted).toBe(rows.length);
          for (const r of result.requests) expect(r.numProcessedTokens).toBe(r.numPrefillTokens + r.numDecodeTokens);
          expect(replica.numRelegations).toBeLessThanOrEqual(rows.length);
          relegations += replica.numRelegations;
          refits += replica.numRefits;
          expect(largest).toBeLessThanOrEqual(CHUNK_SIZES[CHUNK_SIZES.length - 1]!);
          const again = run(rows, numBlocks, deadlines);
          expect(requestMetricsCsv(again.result.requests)).toBe(requestMetricsCsv(result.requests));
        },
      ),
      { numRuns: 60, seed: 20261206 },
    );
    // The runs did exercise relegation (tight deadlines) and refitting the batch-time model.
    expect(relegations).toBeGreaterThan(0);
    expect(refits).toBeGreaterThan(0);
  });
});
