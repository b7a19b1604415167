/**
 * Wrong implementations of the fairness lab (test/fixtures/mutants/fairness.ts), each graded end to
 * end: every one must lose points on the items its mistake breaks, compile without type errors and
 * leave the grader healthy. Together with fairness-lab.test.ts (reference 15/15) this shows the rubric
 * tells the mistakes apart from the solution.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gradeSubmission } from '../../grader/core/grade.js';
import { labManifest, loadLab } from '../../grader/labs/catalogue.js';
import { MUTANTS } from '../fixtures/mutants/fairness.js';
import { writeMutants } from '../fixtures/mutants/write.js';

const dirs = writeMutants('fairness', mkdtempSync(join(tmpdir(), 'servelab-fairness-mutants-')), MUTANTS);

describe('fairness mutants', () => {
  // That every patch still applies is test/grader/mutant-patches.test.ts's job.
  it('every mutant names real rubric items', () => {
    const items = new Set(labManifest('fairness').items.map((i) => i.id));
    for (const m of MUTANTS) for (const id of m.loses) expect(items.has(id), `${m.name}: ${id}`).toBe(true);
  });

  it.each(MUTANTS.map((m) => [m.name, m] as const))('%s loses points where it should', async (_name, mutant) => {
    const result = await gradeSubmission({ lab: await loadLab('fairness'), submission: dirs.get(mutant.name)! });
    expect(result.internalError).toBeUndefined();
    expect(result.typeErrors).toEqual([]);
    const byId = new Map(result.items.map((i) => [i.id, i]));
    for (const id of mutant.loses) {
      const item = byId.get(id)!;
      expect(item.score, `${mutant.name} should lose points on ${id}: ${item.message}`).toBeLessThan(item.maxScore);
    }
    for (const item of result.items)
      expect(item.verdict, `${mutant.name} ${item.id}: ${item.message}`).not.toBe('grader-error');
    expect(result.score).toBeLessThan(15);
  });
});
