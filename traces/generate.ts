/**
 * Regenerates the shipped traces (traces/conv.csv, traces/code.csv) from traces/stats/*.json with a
 * fixed seed: `npm run gen-traces`. The output is byte-identical on every machine.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../sim/config/paths.js';
import { writeTraceCsv } from '../sim/workload/trace-file.js';
import { generateTrace, LengthModel } from './length-model.js';

export const SHIPPED_TRACES = { conv: 20231, code: 20232 } as const; // name → seed

export function loadLengthModel(name: string): LengthModel {
  const file = join(REPO_ROOT, 'traces', 'stats', `${name}.json`);
  return LengthModel.parse(JSON.parse(readFileSync(file, 'utf8')));
}

export function shippedTraceCsv(name: keyof typeof SHIPPED_TRACES): string {
  return writeTraceCsv(generateTrace(loadLengthModel(name), SHIPPED_TRACES[name]));
}

if (import.meta.url.endsWith('/traces/generate.ts') && process.argv[1]?.endsWith('generate.ts')) {
  for (const name of Object.keys(SHIPPED_TRACES) as (keyof typeof SHIPPED_TRACES)[]) {
    writeFileSync(join(REPO_ROOT, 'traces', `${name}.csv`), shippedTraceCsv(name));
    console.log(`wrote traces/${name}.csv`);
  }
}
