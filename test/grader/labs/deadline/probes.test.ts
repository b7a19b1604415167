/**
 * The deadline lab's probe sets (grader/labs/deadline/probes.ts) on the reference, in process: public
 * cases use no seed (the handout ships their values, computed once), hidden variants follow the probe
 * seed, and every probe runs on the reference without a throw.
 */
import { describe, expect, it } from 'vitest';
import { runProbes, sameValue, selectProbes } from '../../../../grader/kit/probes.js';
import { probeSeed } from '../../../../grader/kit/unit-wire.js';
import { DEADLINE_PROBES } from '../../../../grader/labs/deadline/probes.js';
import type { DeadlineModule } from '../../../../grader/labs/deadline/student.js';
import * as reference from '../../../../reference/deadline/deadline-scheduler.js';

const ref: DeadlineModule = reference;
const items = Object.keys(DEADLINE_PROBES) as (keyof typeof DEADLINE_PROBES)[];
const run = (item: keyof typeof DEADLINE_PROBES, seed: number, publicOnly: boolean) =>
  runProbes(ref, selectProbes(DEADLINE_PROBES[item], seed, publicOnly), { studentDir: 'reference/deadline' });

describe('deadline probes on the reference', () => {
  it.each(items)(
    '%s: public cases give the same values whatever the seed, and the reference passes them all',
    (item) => {
      const a = run(item, 0, true);
      const b = run(item, probeSeed(20261209, item), true);
      expect(a.length).toBeGreaterThan(0);
      for (const [i, r] of a.entries()) {
        expect(r.error, r.name).toBeUndefined();
        expect(sameValue(r.value, b[i]!.value), `${item}: "${r.name}" depends on the seed`).toBe(true);
      }
    },
  );

  it.each(items)('%s: has hidden variants, which run on the reference and change with the seed', (item) => {
    const seeds = [1, 2, 3].map((k) => probeSeed(k, item));
    const runs = seeds.map((seed) => run(item, seed, false).filter((_, i) => DEADLINE_PROBES[item](seed)[i]!.hidden));
    expect(runs[0]!.length).toBeGreaterThan(0);
    for (const r of runs.flat()) expect(r.error, r.name).toBeUndefined();
    // relegation's variant draws the prompt length but asks a yes/no question whose answer is "yes" by design.
    if (item === 'relegation') return;
    const differ = runs.slice(1).some((other) => other.some((r, i) => !sameValue(r.value, runs[0]![i]!.value)));
    expect(differ, `${item}: hidden variants ignore the seed`).toBe(true);
  });
});
