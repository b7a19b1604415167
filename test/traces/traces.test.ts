import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../sim/config/paths.js';
import { percentile } from '../../sim/metrics/stats.js';
import { readTraceFile } from '../../sim/workload/trace-file.js';
import { deriveLengthModel } from '../../traces/derive-stats.js';
import { loadLengthModel, SHIPPED_TRACES, shippedTraceCsv } from '../../traces/generate.js';
import { inverseCdf, normalCdf } from '../../traces/length-model.js';
import { HAS_VIDUR_DATA, needs, NO_VIDUR_DATA, VIDUR_DATA } from '../helpers-shared.js';

const processed = join(VIDUR_DATA, 'data', 'processed_traces');

describe('shipped traces', () => {
  it.each(Object.keys(SHIPPED_TRACES) as (keyof typeof SHIPPED_TRACES)[])(
    'traces/%s.csv is exactly what the seeded generator makes',
    (name) => {
      expect(readFileSync(join(REPO_ROOT, 'traces', `${name}.csv`), 'utf8')).toBe(shippedTraceCsv(name));
    },
  );

  it('the copula helpers are right at known points', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(1.959964)).toBeCloseTo(0.975, 5);
    expect(inverseCdf([0, 50, 100], [0, 10, 30], 0.75)).toBe(20);
  });
});

describe.skipIf(!HAS_VIDUR_DATA)(
  needs(HAS_VIDUR_DATA, 'shipped traces against the public Azure traces (../shared)', NO_VIDUR_DATA),
  () => {
    for (const [name, file] of [
      ['conv', 'splitwise_conv.csv'],
      ['code', 'splitwise_code.csv'],
    ] as const) {
      it(`${name}-like p50/p90/p99 lengths are within 5% of ${file}`, () => {
        const ours = readTraceFile(join(REPO_ROOT, 'traces', `${name}.csv`), { requireArrivals: true });
        const theirs = readTraceFile(join(processed, file), { requireArrivals: true });
        const rows: string[] = [];
        for (const col of ['numPrefillTokens', 'numDecodeTokens'] as const) {
          for (const p of [50, 90, 99]) {
            const a = percentile(
              ours.map((r) => r[col]),
              p,
            );
            const b = percentile(
              theirs.map((r) => r[col]),
              p,
            );
            rows.push(`${col} p${p}: ours ${a.toFixed(0)} public ${b.toFixed(0)}`);
            expect(Math.abs(a - b) / b, rows.at(-1)).toBeLessThanOrEqual(0.05);
          }
        }
        const rateOurs = ours.length / ours.at(-1)!.arrivedAt!;
        const rateTheirs = theirs.length / (theirs.at(-1)!.arrivedAt! - theirs[0]!.arrivedAt!);
        expect(Math.abs(rateOurs - rateTheirs) / rateTheirs).toBeLessThan(0.05);
      });

      it(`traces/stats/${name}.json is what derive-stats computes from ${file}`, () => {
        const derived = deriveLengthModel(join(processed, file), name, loadLengthModel(name).source);
        expect(JSON.parse(JSON.stringify(derived))).toEqual(loadLengthModel(name));
      });
    }
  },
);
