import { describe, expect, it } from 'vitest';
import { Simulator } from '../../sim/engine/simulator.js';
import {
  cumulativeService,
  requestServiceCost,
  ServiceRecorder,
  serviceByClient,
  serviceDifference,
  ticks,
  vtcFairnessBound,
  windowedServiceRate,
  type ServiceLog,
} from '../../sim/metrics/fairness.js';
import { req, setup } from '../helpers.js';

describe('ServiceRecorder', () => {
  it('attributes prompt chunks, the first token and each decode token at their batch ends', () => {
    const a = req(1000, 3, { id: 1, arrivedAt: 0, clientId: 4 });
    const recorder = new ServiceRecorder();
    new Simulator({ ...setup([a], { replicaScheduler: 'sarathi', observers: [recorder] }), initialReplicas: 1 }).run();
    const log = recorder.log;
    expect(log.client).toEqual([4, 4, 4, 4]);
    // a 512-token chunk; the 488-token rest + the first output token (2); two decode tokens (2 each)
    expect(log.service).toEqual([512, 488 + 2, 2, 2]);
    expect(log.time[0]).toBeLessThan(log.time[1]!);
  });

  it('charges every finished request exactly w_p·prompt + w_q·output, recompute included only once', () => {
    // 40 blocks of 16 tokens for four 200/150 requests: decode growth forces recompute preemptions.
    const rs = [0, 1, 2, 3].map((i) => req(200, 150, { id: i, arrivedAt: 0, clientId: i % 2 }));
    const recorder = new ServiceRecorder();
    const base = setup(rs, { replicaScheduler: 'vllm', observers: [recorder] });
    const result = new Simulator({
      ...base,
      initialReplicas: 1,
      kvCache: { numBlocks: 40, blockSize: 16, watermarkFraction: 0 },
    }).run();
    expect(result.numPreemptions).toBeGreaterThan(0);
    expect(result.numCompleted).toBe(4);
    const byClient = serviceByClient(recorder.log);
    expect(byClient.get(0)).toBe(2 * requestServiceCost(rs[0]!));
    expect(byClient.get(1)).toBe(2 * requestServiceCost(rs[1]!));
  });
});

const LOG: ServiceLog = { time: [1, 1, 2, 3], client: [0, 1, 0, 1], service: [10, 4, 5, 20] };

describe('fairness metrics', () => {
  it('accumulated service difference: exact at every batch end, from a start time, weighted', () => {
    const d = serviceDifference(LOG, { clients: [0, 1] });
    expect(d.points).toEqual([
      [0, 0],
      [1, 6],
      [2, 11],
      [3, 9],
    ]);
    expect(d.max).toBe(11);
    expect(d.maxAt).toBe(2);
    expect(serviceDifference(LOG, { clients: [0, 1], from: 1 }).points).toEqual([
      [1, 0],
      [2, 5],
      [3, 15],
    ]);
    expect(serviceDifference(LOG, { clients: [0, 1], to: 2 }).max).toBe(11);
    expect(serviceDifference(LOG, { clients: [0, 1], weights: [1, 2] }).points).toEqual([
      [0, 0],
      [1, 8],
      [2, 13],
      [3, 3],
    ]);
    // a client that received nothing still counts (it is backlogged and starved)
    expect(serviceDifference(LOG, { clients: [0, 1, 2] }).max).toBe(24);
  });

  it('windowed service rate over clipped, centred windows', () => {
    expect(windowedServiceRate(LOG, 0, [1, 2.5], 2)).toEqual([
      [1, 10 / 2],
      [2.5, 5 / 2],
    ]); // [x − 1, x + 1)
    expect(windowedServiceRate(LOG, 1, [0.2], 2, 10)).toEqual([[0.2, 4 / 1.2]]);
    expect(() => windowedServiceRate(LOG, 1, [1], 0)).toThrow(/window/);
  });

  it('cumulative service per client over time', () => {
    expect(cumulativeService(LOG, 1)).toEqual([
      [0, 0],
      [1, 4],
      [3, 24],
    ]);
    expect(cumulativeService(LOG, 9)).toEqual([[0, 0]]);
  });

  it("per-client totals, ticks and the paper's bound", () => {
    expect(serviceByClient(LOG)).toEqual(
      new Map([
        [0, 15],
        [1, 24],
      ]),
    );
    expect(serviceByClient(LOG, 1, 2)).toEqual(new Map([[0, 5]]));
    expect(ticks(0, 100, 4)).toEqual([20, 40, 60, 80]);
    expect(vtcFairnessBound(256, 10_000)).toBe(40_000);
    expect(vtcFairnessBound(30_000, 10_000)).toBe(60_000);
  });
});
