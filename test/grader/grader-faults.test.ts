/**
 * The grader's own failures, kept apart from the student's (grader/core/grade.ts): an item whose scoring or
 * preparation throws ends as grader-error and the others are still graded; a failure outside any item is an
 * internalError, with every item listed as not run and the reports still written. Student-caused verdicts
 * (crash, invalid-output, ...) are produced by fixtures in test/grader/labs/routing/lab.test.ts.
 *
 * The item faults are injected by changing the routing lab's definition before it is passed to the grader (a grader bug cannot be caused by a
 * submission, by design); the internal error is an operator mistake, a malformed SERVELAB_HIDDEN_SEED.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { REPO_ROOT } from '../../sim/config/paths.js';
import { loadLab } from '../../grader/labs/catalogue.js';
import { gradeSubmission } from '../../grader/core/grade.js';
import type { LabDefinition } from '../../grader/core/lab.js';
import { GradescopeResults } from '../../grader/report/gradescope.js';

/** The routing lab with one item's scoring or preparation made to throw, as a grader bug would. */
async function faultyRouting(fault: 'score' | 'prepare'): Promise<LabDefinition> {
  const lab = await loadLab('routing');
  const items = { ...lab.items };
  if (fault === 'score')
    items['unit-cases'] = {
      ...items['unit-cases']!,
      score: () => Promise.reject(new TypeError("Cannot read properties of undefined (reading 'x')")),
    };
  if (fault === 'prepare') {
    items.correctness = {
      ...items.correctness!,
      prepare: () => {
        throw new RangeError('workload generator out of range');
      },
    };
  }
  return { ...lab, items };
}

const reference = join(REPO_ROOT, 'reference', 'routing');

describe('grader faults', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it("an item whose scoring throws is grader-error, named as the grader's failure; the other items are graded", async () => {
    const result = await gradeSubmission({ lab: await faultyRouting('score'), submission: reference, mode: 'check' });
    expect(result.internalError).toBeUndefined();
    const units = result.items.find((i) => i.id === 'unit-cases')!;
    expect(units).toMatchObject({ verdict: 'grader-error', score: 0 });
    expect(units.message).toBe(
      "the grader failed while scoring this item: Cannot read properties of undefined (reading 'x')",
    );
    const correctness = result.items.find((i) => i.id === 'correctness')!;
    expect(correctness.verdict).toBe('passed');
    expect(result.score).toBe(correctness.maxScore);
  });

  it('an item whose preparation throws is grader-error ("failed to run"); the other items are graded', async () => {
    const result = await gradeSubmission({ lab: await faultyRouting('prepare'), submission: reference, mode: 'check' });
    expect(result.internalError).toBeUndefined();
    const correctness = result.items.find((i) => i.id === 'correctness')!;
    expect(correctness).toMatchObject({
      verdict: 'grader-error',
      score: 0,
      message: 'the grader failed to run this item: workload generator out of range',
    });
    expect(result.items.find((i) => i.id === 'unit-cases')!.verdict).toBe('passed');
  });

  it('a failure outside the items is an internalError: every item is listed as not run, and results.json is still written', async () => {
    vi.stubEnv('SERVELAB_HIDDEN_SEED', 'twelve');
    const outDir = mkdtempSync(join(tmpdir(), 'servelab-faults-'));
    const result = await gradeSubmission({ lab: await loadLab('routing'), submission: reference, outDir });
    expect(result.internalError).toBe('Error: SERVELAB_HIDDEN_SEED must be an integer, got "twelve"');
    expect(result.items.map((i) => i.id)).toEqual([
      'unit-cases',
      'correctness',
      'beats-lor',
      'equal-replicas',
      'unequal-replicas',
    ]);
    for (const item of result.items) {
      expect(item.verdict, item.id).toBe('grader-error');
      expect(item.message, item.id).toBe(
        'not run: the grader failed (Error: SERVELAB_HIDDEN_SEED must be an integer, got "twelve")',
      );
    }
    expect(result.score).toBe(0);
    expect(result.maxScore).toBe(10);
    const results = GradescopeResults.parse(JSON.parse(readFileSync(join(outDir, 'results.json'), 'utf8')));
    expect(results.score).toBe(0);
    expect(results.tests).toHaveLength(5);
  });
});
