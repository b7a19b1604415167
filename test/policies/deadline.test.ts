/**
 * The engine's deadline-aware pieces: SLA tiers, per-tier violations, the capacity search, the
 * batch-time model and its least squares, the deadline base scheduler's queue rules and the
 * FCFS/EDF/SRPF Sarathi baselines.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { atRate, findCapacity } from '../../sim/analysis/capacity.js';
import { runCapacitySearch } from '../../sim/analysis/capacity-search.js';
import { parseConfig } from '../../sim/config/schema.js';
import { Batch } from '../../sim/entities/batch.js';
import { Request } from '../../sim/entities/request.js';
import { InputError } from '../../sim/errors.js';
import { KvBlockManager } from '../../sim/memory/kv-block-manager.js';
import { deadlineViolations } from '../../sim/metrics/deadlines.js';
import { requestMetricsCsv } from '../../sim/metrics/request-metrics.js';
import {
  batchFeatures,
  leastSquares,
  NIYAMA_BATCH_TIME_MODEL,
  predictBatchTime,
} from '../../sim/policies/replica/deadline/batch-time-model.js';
import { DeadlineOptions } from '../../sim/policies/replica/deadline/deadline-options.js';
import { OrderedSarathiScheduler, type PrefillOrder } from '../../sim/policies/replica/deadline/ordered-sarathi.js';
import { runSimulation } from '../../sim/run.js';
import { assignTiers } from '../../sim/workload/sla-tiers.js';
import { Rng } from '../../sim/workload/rng.js';

const req = (id: number, arrivedAt: number, prompt: number, tier?: number) =>
  new Request({ id, arrivedAt, numPrefillTokens: prompt, numDecodeTokens: 8, ...(tier !== undefined ? { tier } : {}) });

function finish(r: Request, ttft: number | undefined, e2e: number | undefined): Request {
  r.onBatchStart(r.arrivedAt);
  if (ttft === undefined) return r;
  r.onBatchEnd(r.arrivedAt + ttft, r.numPrefillTokens, ttft);
  if (e2e !== undefined) r.onBatchEnd(r.arrivedAt + e2e, r.numDecodeTokens - 1, e2e - ttft);
  return r;
}

describe('deadline violations per tier', () => {
  it('counts TTFT for tier 0, e2e for batch tiers, and unfinished requests as violations', () => {
    const requests = [
      finish(req(0, 0, 10, 0), 5, 50), // on time (TTFT 5 ≤ 6), however late it ends
      finish(req(1, 1, 10, 0), 6.5, 7), // late TTFT
      finish(req(2, 0, 10, 1), 100, 590), // on time
      finish(req(3, 0, 10, 1), 1, 601), // late
      finish(req(4, 0, 10, 2), 1, undefined), // never finished
      finish(req(5, 0, 10, 2), 1, 1800), // exactly on the deadline: not a violation
    ];
    const report = deadlineViolations(requests, [6, 600, 1800]);
    expect(report.perTier.map((t) => [t.tier, t.requests, t.violations])).toEqual([
      [0, 2, 1],
      [1, 2, 1],
      [2, 2, 1],
    ]);
    expect(report.maxRate).toBe(0.5);
    expect(() => deadlineViolations([req(9, 0, 10, 3)], [6, 600, 1800])).toThrow(/tier 3/);
  });
});

describe('capacity search', () => {
  it('brackets, bisects and interpolates to the 1% point of a linear violation curve', () => {
    const rate = (q: number) => Math.max(0, (q - 5) * 0.02); // 1% at q = 5.5
    const r = findCapacity(rate, { low: 1, high: 8, steps: 5 });
    expect(r.status).toBe('bracketed');
    expect(r.capacity).toBeCloseTo(5.5, 9);
    expect(r.probes.slice(0, 2).map((p) => p.qps)).toEqual([1, 8]);
  });

  it('widens the range, and says when it cannot bracket', () => {
    expect(
      findCapacity((q) => (q > 20 ? 1 : 0), { low: 1, high: 4, steps: 3 })
        .probes.map((p) => p.qps)
        .slice(0, 4),
    ).toEqual([1, 4, 8, 16]);
    expect(findCapacity(() => 0, { low: 1, high: 2, steps: 3 }).status).toBe('above-range');
    const below = findCapacity(() => 1, { low: 1, high: 2, steps: 3 });
    expect([below.status, below.capacity]).toEqual(['below-range', 0]);
  });

  it('replays the same requests faster, tiers kept', () => {
    const fast = atRate([req(0, 2, 10, 1), req(1, 4, 20, 0)], 1, 4);
    expect(fast.map((r) => [r.arrivedAt, r.tier, r.numPrefillTokens])).toEqual([
      [0.5, 1, 10],
      [1, 0, 20],
    ]);
  });

  it('runs end to end from the config, and asks for tiers', () => {
    const base = {
      replicas: 1,
      model: 'llama-3-8b',
      executionModel: 'roofline',
      replicaScheduler: 'sarathi-edf',
      numRequests: 300,
      tierDeadlines: [6, 60, 180],
      capacitySearch: '2,12',
      capacitySteps: 2,
      writeOutputs: false,
      progress: 'off',
    } as const;
    const run = runCapacitySearch(parseConfig({ ...base, tierMix: [1, 1, 1] }));
    expect(run.status).toBe('bracketed');
    expect(run.capacity).toBeGreaterThan(2);
    expect(run.reports).toHaveLength(run.probes.length);
    expect(() => runCapacitySearch(parseConfig(base))).toThrow(InputError);
  });
});

describe('SLA tiers', () => {
  it('draws tiers from the mix with their own seeded stream, keeping tiers a trace gave', () => {
    const requests = Array.from({ length: 3000 }, (_, i) => req(i, i, 10, i === 5 ? 2 : undefined));
    const a = assignTiers(requests, [1, 1, 2], new Rng(7).fork('tiers'));
    const b = assignTiers(requests, [1, 1, 2], new Rng(7).fork('tiers'));
    expect(a.map((r) => r.tier)).toEqual(b.map((r) => r.tier));
    expect(a[5]!.tier).toBe(2);
    const share = (t: number) => a.filter((r) => r.tier === t).length / a.length;
    expect(share(2)).toBeGreaterThan(0.45);
    expect(share(2)).toBeLessThan(0.55);
    expect(share(0)).toBeGreaterThan(0.2);
  });

  it('reads tiers from a trace column, and refuses a tier the deadlines do not cover', () => {
    const dir = mkdtempSync(join(tmpdir(), 'servelab-tiers-'));
    const trace = join(dir, 'tiers.csv');
    writeFileSync(trace, 'arrived_at,num_prefill_tokens,num_decode_tokens,tier\n0,100,10,0\n0.5,200,10,2\n1,50,5,2\n');
    const run = runSimulation({
      trace,
      replicas: 1,
      replicaScheduler: 'sarathi-edf',
      writeOutputs: false,
      progress: 'off',
    });
    expect(run.result.requests.map((r) => r.tier)).toEqual([0, 2, 2]);
    expect(run.summary.deadlines?.perTier.map((t) => [t.tier, t.requests])).toEqual([
      [0, 1],
      [2, 2],
    ]);
    expect(requestMetricsCsv(run.result.requests).split('\n')[0]).toContain(',client_id,tier,');
    for (const replicaScheduler of ['sarathi-edf', 'vllm'] as const) {
      expect(() =>
        runSimulation({
          trace,
          tierDeadlines: [6],
          replicas: 1,
          replicaScheduler,
          writeOutputs: false,
          progress: 'off',
        }),
      ).toThrow(/tier 2, but --tier-deadlines gives 1 tier deadlines/);
    }
    expect(() =>
      runSimulation({ numRequests: 5, tierMix: [1, 1, 1, 1], replicas: 1, writeOutputs: false, progress: 'off' }),
    ).toThrow(/--tier-mix gives 4 tiers/);
  });

  it('reads --tier-mix and --tier-deadlines as comma lists and reports violations in the summary', () => {
    const config = parseConfig({
      tierMix: '1,1,1',
      tierDeadlines: '6,60,180',
      replicas: 1,
      numRequests: 200,
      replicaScheduler: 'sarathi-edf',
      writeOutputs: false,
      progress: 'off',
    });
    expect([config.tierMix, config.tierDeadlines]).toEqual([
      [1, 1, 1],
      [6, 60, 180],
    ]);
    const run = runSimulation(config);
    expect(run.summary.deadlines?.perTier.map((t) => t.tier)).toEqual([0, 1, 2]);
    expect(() => parseConfig({ tierMix: '0,0' })).toThrow(/positive/);
  });
});

describe('batch-time model', () => {
  it('predicts the research fit: 256 prefill tokens, nothing else, 0.03575 s', () => {
    const t = predictBatchTime(NIYAMA_BATCH_TIME_MODEL, {
      numTokens: 256,
      numPrefillTokens: 256,
      numDecodeTokens: 0,
      decodeContext: 0,
      prefillContext: 0,
    });
    expect(t).toBeCloseTo(0.014936 + 256 * (5.882475e-5 + 2.247956e-5), 12);
    expect(t).toBeCloseTo(0.03575, 5);
  });

  it('solves full-rank least squares exactly and collinear ones up to the predictions', () => {
    const rng = new Rng(3);
    const rows = Array.from({ length: 50 }, () => [1, rng.next() * 100, rng.next() * 1e5]);
    const beta = [0.5, -2, 3e-5];
    const y = rows.map((r) => r.reduce((s, x, j) => s + x * beta[j]!, 0));
    leastSquares(rows, y)!.forEach((b, j) => expect(b).toBeCloseTo(beta[j]!, 6));
    const collinear = rows.map((r) => [...r, r[1]! + r[2]!]); // a fourth column that repeats two others
    const fit = leastSquares(collinear, y)!;
    collinear.forEach((r, n) => expect(r.reduce((s, x, j) => s + x * fit[j]!, 0)).toBeCloseTo(y[n]!, 6));
    expect(leastSquares([], [])).toBeUndefined();
  });

  it('reads a finished batch: prompt chunks, the chunk that completes a prompt, decodes', () => {
    const partial = req(0, 0, 1000);
    const completing = req(1, 0, 300);
    const decoding = req(2, 0, 100);
    finish(decoding, 1, undefined);
    const batch = new Batch(0, [partial, completing, decoding], [256, 300, 1]);
    for (const [r, n] of [
      [partial, 256],
      [completing, 300],
      [decoding, 1],
    ] as const)
      r.onBatchEnd(2, n, 0.1);
    expect(batchFeatures(batch)).toEqual({
      numTokens: 557,
      numPrefillTokens: 556,
      numDecodeTokens: 1,
      decodeContext: 102,
      prefillContext: 256 + 300,
    });
  });
});

function baseline(order: PrefillOrder, numBlocks = 1000) {
  return new OrderedSarathiScheduler(
    {
      replicaId: 0,
      kv: new KvBlockManager(numBlocks, 16, 0.01),
      limits: { batchSizeCap: 128, maxTokensInBatch: 4096, chunkSize: 256, maxRequestTokens: 4096 },
    },
    DeadlineOptions.parse({}),
    order,
  );
}

describe('deadline base scheduler and the Sarathi baselines', () => {
  const requests = () => [req(0, 0, 900, 2), req(1, 1, 50, 1), req(2, 2, 3000, 0), req(3, 3, 20, 0)];

  it.each([
    ['fcfs', [0, 1, 2, 3]],
    ['edf', [2, 3, 1, 0]], // 2+6, 3+6, 1+594, 0+1794
    ['srpf', [3, 1, 0, 2]],
  ] as const)('%s keeps waiting in its order as requests arrive', (order, expected) => {
    const s = baseline(order);
    for (const r of requests()) s.addRequest(r, r.arrivedAt);
    expect(s.waiting.map((r) => r.id)).toEqual(expected);
  });

  it('relegates once, only a waiting request holding no blocks, and moves it behind the others', () => {
    const s = baseline('edf');
    const rs = requests();
    for (const r of rs) s.addRequest(r, r.arrivedAt);
    s.relegate(rs[2]!);
    expect(s.isRelegated(rs[2]!)).toBe(true);
    expect(() => s.relegate(rs[2]!)).toThrow(/already relegated/);
    s.kv.allocate(3, 2);
    expect(() => s.relegate(rs[3]!)).toThrow(/holds KV blocks/);
    expect(s.numRelegations).toBe(1);
  });

  it('refuses a tier with no deadline', () => {
    expect(() => baseline('fcfs').addRequest(req(0, 0, 10, 3), 0)).toThrow(InputError);
  });

  it('fills the budget with decodes first, then prompt chunks in order, under chunkSize', () => {
    const s = baseline('edf');
    for (const r of requests()) s.addRequest(r, 5);
    const batch = s.schedule(5)!;
    expect(batch.requests.map((r, i) => [r.id, batch.numTokens[i]])).toEqual([[2, 256]]);
  });

  it('sarathi-fcfs is Sarathi: the same run, byte for byte', () => {
    const base = {
      replicas: 1,
      model: 'llama-3-8b',
      numRequests: 400,
      qps: 6,
      tierMix: [1, 1, 1],
      writeOutputs: false,
      progress: 'off',
      fastForward: false,
    } as const;
    const a = runSimulation({ ...base, replicaScheduler: 'sarathi' });
    const b = runSimulation({ ...base, replicaScheduler: 'sarathi-fcfs' });
    expect(requestMetricsCsv(b.result.requests)).toBe(requestMetricsCsv(a.result.requests));
  });

  it('EDF serves interactive requests ahead of batch tiers under load', () => {
    const base = {
      replicas: 1,
      model: 'llama-3-8b',
      executionModel: 'roofline',
      numRequests: 600,
      qps: 14,
      tierMix: [1, 1, 1],
      tierDeadlines: [6, 60, 180],
      writeOutputs: false,
      progress: 'off',
    } as const;
    const fcfs = runSimulation({ ...base, replicaScheduler: 'sarathi-fcfs' }).summary.deadlines!;
    const edf = runSimulation({ ...base, replicaScheduler: 'sarathi-edf' }).summary.deadlines!;
    expect(edf.perTier[0]!.rate).toBeLessThan(fcfs.perTier[0]!.rate);
    expect(fcfs.perTier[0]!.rate).toBeGreaterThan(0.05);
  });
});
