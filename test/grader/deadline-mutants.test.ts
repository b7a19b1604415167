/**
 * The deadline lab's mutants (test/fixtures/mutants/deadline.ts): each is the reference with one bug, and each must
 * lose points on the items that target that bug. Only those items are run (through the real build,
 * sandbox and scoring, test/grader/grade-items.ts), to keep the test quick; test/grader/deadline-lab.test.ts grades whole submissions.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../sim/config/paths.js';
import { applyMutant } from '../fixtures/mutants/mutant.js';
import { gradeItems } from './grade-items.js';
import { MUTANTS } from '../fixtures/mutants/deadline.js';

/** Which items each mutant must lose points on. */
const LOSES: Readonly<Record<string, readonly string[]>> = {
  // Relegation rarely fires at the 1% point, so its mistakes show in the unit items and under
  // overload; the sign of α barely moves the capacity (within the 95% band, labs/deadline/README.md).
  'no-relegation': ['relegation', 'overload'],
  'relegates-repeatedly': ['relegation', 'overload'],
  'alpha-sign-flipped': ['priority-key'],
  'decodes-by-descending-slack': ['decode-order'],
  'static-chunk': ['dynamic-chunk', 'capacity'],
};

describe('deadline lab mutants', () => {
  it('covers every mutant', () => {
    expect(MUTANTS.map((m) => m.name).sort()).toEqual(Object.keys(LOSES).sort());
  });

  it.each(Object.entries(LOSES))('%s loses points on %j', async (name, items) => {
    const mutant = MUTANTS.find((m) => m.name === name)!;
    const source = applyMutant(readFileSync(join(REPO_ROOT, 'reference', 'deadline', mutant.file), 'utf8'), mutant);
    const results = await gradeItems('deadline', new Map([['deadline-scheduler.ts', source]]), items);
    for (const id of items)
      expect(results[id]!.score, `${name} on ${id}: ${results[id]!.message}`).toBeLessThan(results[id]!.max);
  });

  it('a scheduler whose chunks break the iteration limit loses the scenario items, told why by the replay', async () => {
    const reference = readFileSync(join(REPO_ROOT, 'reference', 'deadline', 'deadline-scheduler.ts'), 'utf8');
    const overfull = applyMutant(reference, {
      name: 'whole-prompts',
      description: 'prompt chunks ignore the dynamic limit',
      file: 'deadline-scheduler.ts',
      patches: [
        [
          '      const chunk = Math.min(r.remainingPrefillTokens, limit - used);\n',
          '      const chunk = r.remainingPrefillTokens;\n',
        ],
      ],
    });
    const results = await gradeItems('deadline', new Map([['deadline-scheduler.ts', overfull]]), ['overload']);
    expect(results.overload!.score).toBe(0);
    expect(results.overload!.verdict).toBe('scored');
    expect(results.overload!.output).toMatch(/exceed the 2552-token budget/);
  });
});
