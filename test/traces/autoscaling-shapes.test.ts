/** The public autoscaling traces of other shapes: exactly what their seeded generator writes, with the rates it promises. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../sim/config/paths.js';
import { readTraceFile } from '../../sim/workload/trace-file.js';
import {
  AUTOSCALING_SHAPES,
  SHAPE_DURATION,
  shapeTraceCsv,
  shapeTraceFile,
  type AutoscalingShape,
} from '../../traces/generate-autoscaling-shapes.js';

describe.each(Object.keys(AUTOSCALING_SHAPES) as AutoscalingShape[])('traces/autoscaling-%s.csv', (shape) => {
  const file = join(REPO_ROOT, shapeTraceFile(shape));

  it('is byte-identical to the generator output', () => {
    expect(readFileSync(file, 'utf8') === shapeTraceCsv(shape)).toBe(true);
  });

  it('follows its rate profile within 10% per minute, with the lab’s 256 + 1-token requests', () => {
    const rows = readTraceFile(file, { requireArrivals: true });
    expect(rows.every((r) => r.numPrefillTokens === 256 && r.numDecodeTokens === 1)).toBe(true);
    expect(rows.at(-1)!.arrivedAt!).toBeLessThan(SHAPE_DURATION);
    const profile = AUTOSCALING_SHAPES[shape];
    const rateAt = (t: number) => {
      for (let i = profile.length - 1; i > 0; i--) {
        const a = profile[i - 1]!;
        const b = profile[i]!;
        if (t >= a.time && t <= b.time && b.time > a.time)
          return a.qps + ((b.qps - a.qps) * (t - a.time)) / (b.time - a.time);
      }
      return profile[0]!.qps;
    };
    for (let from = 0; from < SHAPE_DURATION; from += 60) {
      let expected = 0;
      for (let t = from + 0.5; t < from + 60; t += 1) expected += rateAt(t);
      const n = rows.filter((r) => r.arrivedAt! >= from && r.arrivedAt! < from + 60).length;
      expect(Math.abs(n - expected), `${shape} ${from}–${from + 60} s`).toBeLessThan(0.1 * expected);
    }
  });
});
