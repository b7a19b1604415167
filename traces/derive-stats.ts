/**
 * Derives the summary figures in traces/stats/*.json from the public Azure LLM inference traces as
 * processed by Vidur (../shared/vidur-data/data/processed_traces). Only figures are written, never rows.
 *
 *   npx tsx traces/derive-stats.ts [DIR]    (DIR defaults to ../shared/vidur-data/data/processed_traces)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { REPO_ROOT } from '../sim/config/paths.js';
import { percentileSorted } from '../sim/metrics/stats.js';
import { readTraceFile } from '../sim/workload/trace-file.js';
import type { LengthModel } from './length-model.js';

export const LEVELS = [0, 0.5, ...Array.from({ length: 99 }, (_, i) => i + 1), 99.5, 99.9, 100];

function ranks(values: readonly number[]): Float64Array {
  const order = Array.from(values.keys()).sort((a, b) => values[a]! - values[b]!);
  const r = new Float64Array(values.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && values[order[j + 1]!] === values[order[i]!]) j++;
    for (let k = i; k <= j; k++) r[order[k]!] = (i + j) / 2;
    i = j + 1;
  }
  return r;
}

export function spearman(x: readonly number[], y: readonly number[]): number {
  const rx = ranks(x);
  const ry = ranks(y);
  const n = x.length;
  const mean = (n - 1) / 2;
  let cov = 0;
  let vx = 0;
  let vy = 0;
  for (let i = 0; i < n; i++) {
    cov += (rx[i]! - mean) * (ry[i]! - mean);
    vx += (rx[i]! - mean) ** 2;
    vy += (ry[i]! - mean) ** 2;
  }
  return cov / Math.sqrt(vx * vy);
}

export function deriveLengthModel(file: string, name: string, source: string): LengthModel {
  const rows = readTraceFile(file, { requireArrivals: true });
  const prefill = rows.map((r) => r.numPrefillTokens);
  const decode = rows.map((r) => r.numDecodeTokens);
  const sp = Float64Array.from(prefill).sort();
  const sd = Float64Array.from(decode).sort();
  const span = rows[rows.length - 1]!.arrivedAt! - rows[0]!.arrivedAt!;
  const round = (x: number) => Math.round(x * 10) / 10;
  return {
    name,
    source,
    numRequests: rows.length,
    arrivalRate: Math.round((rows.length / span) * 1e4) / 1e4,
    levels: LEVELS,
    prefillQuantiles: LEVELS.map((p) => round(percentileSorted(sp, p))),
    decodeQuantiles: LEVELS.map((p) => round(percentileSorted(sd, p))),
    spearman: Math.round(spearman(prefill, decode) * 1e4) / 1e4,
  };
}

if (process.argv[1]?.endsWith('derive-stats.ts')) {
  const dir = resolve(process.argv[2] ?? join(REPO_ROOT, '..', 'shared', 'vidur-data', 'data', 'processed_traces'));
  const out = join(REPO_ROOT, 'traces', 'stats');
  mkdirSync(out, { recursive: true });
  for (const [name, file] of [
    ['conv', 'splitwise_conv.csv'],
    ['code', 'splitwise_code.csv'],
  ] as const) {
    const model = deriveLengthModel(
      join(dir, file),
      name,
      `Azure LLM inference trace 2023 (${name}), as processed by Vidur: ${file}`,
    );
    writeFileSync(join(out, `${name}.json`), `${JSON.stringify(model, null, 1)}\n`);
    console.log(`wrote traces/stats/${name}.json (${model.numRequests} requests at ${model.arrivalRate} req/s)`);
  }
}
