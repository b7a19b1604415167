/**
 * The report's timeline files must hold public arrivals only (a trace of a hidden workload would hand it to the
 * student): each lab's end-to-end grading of its reference checks the pair of files the report wrote for its
 * timeline item. Every `arrival` in both must be one of the public workload's, none of a hidden one's.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { micros } from '../../../sim/metrics/timeline/recorder.js';

/** The `ts` (µs) of every arrival in one trace file. */
function arrivals(file: string): number[] {
  const trace = JSON.parse(readFileSync(file, 'utf8')) as { traceEvents: { name: string; ph: string; ts: number }[] };
  return trace.traceEvents.filter((e) => e.name === 'arrival' && e.ph === 'X').map((e) => e.ts);
}

/** Checks `<outDir>/timelines/<itemId>-{student,reference}.trace.json`; arrival times in seconds. */
export function expectPublicTimelines(
  outDir: string,
  itemId: string,
  publicArrivals: readonly number[],
  hiddenArrivals: readonly number[] = [],
): void {
  const known = new Set(publicArrivals.map(micros));
  const hidden = new Set(hiddenArrivals.map(micros));
  for (const side of ['student', 'reference']) {
    const ts = arrivals(join(outDir, 'timelines', `${itemId}-${side}.trace.json`));
    expect(ts.length, `${itemId}: the ${side} file has arrivals`).toBeGreaterThan(0);
    expect(
      ts.filter((t) => !known.has(t)),
      `${itemId}: ${side} arrivals not in the public workload`,
    ).toEqual([]);
    expect(
      ts.filter((t) => hidden.has(t)),
      `${itemId}: ${side} arrivals from a hidden workload`,
    ).toEqual([]);
  }
}
