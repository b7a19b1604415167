/** The check each lab's end-to-end test runs on its report's timeline files (public-timelines.ts) can fail. */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectPublicTimelines } from './public-timelines.js';

/** A report folder whose item `x` has both trace files, with arrivals at the given times (s). */
function reportWith(seconds: readonly number[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'servelab-public-timelines-'));
  mkdirSync(join(dir, 'timelines'));
  const traceEvents = [
    ...seconds.map((s) => ({ name: 'arrival', ph: 'X', ts: Math.round(s * 1e6) })),
    { name: 'batch', ph: 'X', ts: 7 },
  ];
  for (const side of ['student', 'reference'])
    writeFileSync(join(dir, 'timelines', `x-${side}.trace.json`), JSON.stringify({ traceEvents }));
  return dir;
}

describe('expectPublicTimelines', () => {
  it('passes public arrivals, and fails an unknown one, a hidden one or none at all', () => {
    expect(() => expectPublicTimelines(reportWith([1, 2.5]), 'x', [1, 2.5, 3], [4])).not.toThrow();
    expect(() => expectPublicTimelines(reportWith([1, 2.6]), 'x', [1, 2.5])).toThrow(/not in the public workload/);
    expect(() => expectPublicTimelines(reportWith([1, 4]), 'x', [1, 4], [4])).toThrow(/from a hidden workload/);
    expect(() => expectPublicTimelines(reportWith([]), 'x', [1])).toThrow(/has arrivals/);
  });
});
