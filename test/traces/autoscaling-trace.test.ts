/** The autoscaling lab's shipped trace: exactly what its seeded generator makes, and shaped as the handout says. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../sim/config/paths.js';
import { readTraceFile } from '../../sim/workload/trace-file.js';
import {
  AUTOSCALING_RATE_STEPS,
  AUTOSCALING_TRACE_FILE,
  autoscalingTraceCsv,
} from '../../traces/generate-autoscaling.js';

describe('traces/autoscaling.csv', () => {
  const text = readFileSync(join(REPO_ROOT, AUTOSCALING_TRACE_FILE), 'utf8');

  it('is byte-identical to what traces/generate-autoscaling.ts writes', () => {
    expect(text === autoscalingTraceCsv()).toBe(true);
  });

  it('holds 126,000 requests of 256 prompt and 1 output tokens, stepping 20 → 30 → 50 → 40 req/s', () => {
    const rows = readTraceFile(join(REPO_ROOT, AUTOSCALING_TRACE_FILE), { requireArrivals: true });
    expect(rows).toHaveLength(126_000);
    expect(rows.every((r) => r.numPrefillTokens === 256 && r.numDecodeTokens === 1)).toBe(true);
    expect(rows.at(-1)!.arrivedAt!).toBeLessThan(3600);
    const phases = [
      [0, 1200, 20],
      [1200, 1800, 30],
      [1800, 3000, 50],
      [3000, 3600, 40],
    ] as const;
    for (const [from, to, qps] of phases) {
      const n = rows.filter((r) => r.arrivedAt! >= from && r.arrivedAt! < to).length;
      expect(Math.abs(n / (to - from) - qps), `${from}–${to} s`).toBeLessThan(0.05 * qps);
    }
    expect(AUTOSCALING_RATE_STEPS.at(-1)!.time).toBe(3600);
  });
});
