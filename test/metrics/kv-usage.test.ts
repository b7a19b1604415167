/**
 * sim/metrics/kv-usage.ts on hand-made runs whose answers are worked out here: issue order with ties, the
 * requests that have no TTFT or TPOT, and the peaks and time-weighted mean for no, one and several samples.
 */
import { describe, expect, test } from 'vitest';
import type { Request } from '../../sim/entities/request.js';
import { kvUsagePeaks, kvUsageSeries, latenciesInIssueOrder } from '../../sim/metrics/kv-usage.js';
import type { KvUsageSample } from '../../sim/policies/replica/vllm-v0-replica-scheduler.js';

function request(
  id: number,
  arrivedAt: number,
  numDecodeTokens: number,
  prefillCompletedAt?: number,
  completedAt?: number,
): Request {
  return { id, arrivedAt, numDecodeTokens, prefillCompletedAt, completedAt } as unknown as Request;
}

const sample = (time: number, gpuBlocksUsed: number, extra: Partial<KvUsageSample> = {}): KvUsageSample => ({
  time,
  gpuBlocksUsed,
  cpuBlocksUsed: 0,
  running: 0,
  swapped: 0,
  waiting: 0,
  ...extra,
});

describe('latenciesInIssueOrder', () => {
  test('orders by arrival then id; no first token → null TTFT and TPOT; one output token or unfinished → null TPOT', () => {
    const lat = latenciesInIssueOrder([
      request(3, 1, 5, 1.5, 3.5), // TTFT 0.5, TPOT (3.5 − 1.5) / 4 = 0.5
      request(1, 2, 4), // never started
      request(2, 1, 1, 1.25, 1.25), // a single output token: no TPOT
      request(0, 2, 3, 2.5), // first token, never finished
    ]);
    expect(lat.ids).toEqual([2, 3, 0, 1]);
    expect(lat.ttft).toEqual([0.25, 0.5, 0.5, null]);
    expect(lat.tpot).toEqual([null, 0.5, null, null]);
  });
});

describe('kvUsagePeaks', () => {
  test('no samples: all zero', () => {
    expect(kvUsagePeaks([], 100, 50)).toEqual({
      peakGpuPercent: 0,
      runningAtPeak: 0,
      waitingAtPeak: 0,
      peakCpuPercent: 0,
      peakCpuBlocks: 0,
      peakSwapped: 0,
      peakWaiting: 0,
      meanGpuPercent: 0,
    });
  });

  test('one sample: its usage is the mean; no CPU pool gives 0% CPU', () => {
    const peaks = kvUsagePeaks([sample(5, 30, { running: 2, waiting: 1 })], 120, 0);
    expect(peaks.peakGpuPercent).toBe(25);
    expect(peaks.meanGpuPercent).toBe(25);
    expect(peaks.peakCpuPercent).toBe(0);
    expect([peaks.runningAtPeak, peaks.waitingAtPeak]).toEqual([2, 1]);
  });

  test('several samples: the first sample at the peak names running/waiting; the mean weighs each by how long it held', () => {
    const peaks = kvUsagePeaks(
      [
        sample(0, 10, { cpuBlocksUsed: 4, waiting: 3 }),
        sample(1, 50, { running: 4, waiting: 2, swapped: 1 }),
        sample(4, 50, { running: 9, waiting: 0, cpuBlocksUsed: 8, swapped: 2 }),
        sample(5, 0),
      ],
      100,
      40,
    );
    // (10·1 + 50·3 + 50·1) / 5 = 42 blocks on average = 42 %.
    expect(peaks).toEqual({
      peakGpuPercent: 50,
      runningAtPeak: 4,
      waitingAtPeak: 2,
      peakCpuPercent: 20,
      peakCpuBlocks: 8,
      peakSwapped: 2,
      peakWaiting: 3,
      meanGpuPercent: 42,
    });
  });
});

describe('kvUsageSeries', () => {
  test('every k-th sample plus the last, as percentages; CPU 0 % without a CPU pool', () => {
    const samples = [0, 1, 2, 3, 4].map((t) => sample(t, 10 * t, { cpuBlocksUsed: t }));
    const series = kvUsageSeries(samples, 50, 0, 2);
    expect(series.gpu).toEqual([
      [0, 0],
      [3, 60],
      [4, 80],
    ]);
    expect(series.cpu).toEqual([
      [0, 0],
      [3, 0],
      [4, 0],
    ]);
    expect(kvUsageSeries([], 50, 10)).toEqual({ gpu: [], cpu: [] });
  });
});
