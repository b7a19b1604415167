import { describe, expect, it } from 'vitest';
import { distribution, percentile } from '../../sim/metrics/stats.js';
import { requestMetrics } from '../../sim/metrics/request-metrics.js';
import { req } from '../helpers.js';

describe('stats', () => {
  it('interpolates percentiles linearly like NumPy', () => {
    const xs = Array.from({ length: 50 }, (_, i) => i);
    expect(percentile(xs, 99)).toBeCloseTo(48.51, 10);
    expect(percentile([1, 2, 3, 4], 50)).toBe(2.5);
    expect(percentile([7], 90)).toBe(7);
    expect(Number.isNaN(percentile([], 50))).toBe(true);
    expect(() => percentile([1], 101)).toThrow();
    expect(distribution([3, 1, 2])).toEqual({ mean: 2, p50: 2, p90: 2.8, p99: 2.98 });
  });

  it('derives TTFT, TPOT and e2e from request timestamps', () => {
    const r = req(100, 11, { id: 3, arrivedAt: 1 });
    r.onBatchStart(2);
    r.onBatchEnd(2.5, 100, 0.5);
    for (let i = 0; i < 10; i++) {
      r.onBatchStart(2.5 + i * 0.1);
      r.onBatchEnd(2.6 + i * 0.1, 1, 0.1);
    }
    const m = requestMetrics(r);
    expect(m.prefill_e2e_time).toBeCloseTo(1.5, 12);
    expect(m.request_e2e_time).toBeCloseTo(2.5, 12);
    expect(m.tpot).toBeCloseTo(0.1, 12);
    expect(m.request_scheduling_delay).toBe(1);
    expect(m.request_execution_time).toBeCloseTo(1.5, 12);
    expect(m.request_preemption_time).toBeCloseTo(0, 12);
  });
});
