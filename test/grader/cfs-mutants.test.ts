/**
 * The CFS lab's mutants (test/fixtures/mutants/cfs.ts): each is the reference with one bug, and each must
 * lose points on the items that target that bug. Only those items are run (through the real build,
 * sandbox and scoring, test/grader/grade-items.ts), to keep the test quick; test/grader/labs/cfs/lab.test.ts grades whole submissions.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../sim/config/paths.js';
import { applyMutant } from '../fixtures/mutants/mutant.js';
import { gradeItems } from './grade-items.js';
import { MUTANTS } from '../fixtures/mutants/cfs.js';

/** Which items each mutant must lose points on. */
const LOSES: Readonly<Record<string, readonly string[]>> = {
  'priority-by-arrival': ['get-priority', 'priority-preemption', 'burst-p99-ttft'],
  'recompute-instead-of-swap': ['priority-preemption', 'cfs-step'],
  'mixed-swap': ['cfs-step', 'burst-p99-ttft'],
  'ignores-interval': ['schedule-interval', 'interval-sweep'],
  'static-counter': ['schedule-interval'],
  'no-displacement': ['priority-preemption'],
  'keeps-swap-gate': ['cfs-step', 'burst-p99-ttft'],
  'drops-swap-list': ['priority-preemption', 'cfs-step', 'burst-p99-ttft'],
  'raises-on-full-pool': ['priority-preemption', 'tight-swap-pool'],
};

describe('CFS lab mutants', () => {
  it('covers every mutant', () => {
    expect(MUTANTS.map((m) => m.name).sort()).toEqual(Object.keys(LOSES).sort());
  });

  const answers = readFileSync(join(REPO_ROOT, 'reference', 'cfs', 'cfs-answers.ts'), 'utf8');
  it.each(Object.entries(LOSES))('%s loses points on %j', async (name, items) => {
    const mutant = MUTANTS.find((m) => m.name === name)!;
    const source = applyMutant(readFileSync(join(REPO_ROOT, 'reference', 'cfs', mutant.file), 'utf8'), mutant);
    const results = await gradeItems(
      'cfs',
      new Map([
        ['cfs-scheduler.ts', source],
        ['cfs-answers.ts', answers],
      ]),
      items,
    );
    for (const id of items)
      expect(results[id]!.score, `${name} on ${id}: ${results[id]!.message}`).toBeLessThan(results[id]!.max);
  });
});
