/**
 * Wrong implementations of the fairness lab (reference/fairness/mutants/mutants.ts), each graded end to
 * end: every one must lose points on the items its mistake breaks, compile without type errors and
 * leave the grader healthy. Together with fairness-lab.test.ts (reference 15/15) this shows the rubric
 * tells the mistakes apart from the solution.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../sim/config/paths.js';
import { gradeSubmission } from '../../grader/core/grade.js';
import { labManifest, loadLab } from '../../grader/labs/catalogue.js';
import { writeMutants } from '../../reference/fairness/mutants/generate.js';
import { FAIRNESS_FILES, MUTANTS, mutantFiles } from '../../reference/fairness/mutants/mutants.js';

const dirs = writeMutants(mkdtempSync(join(tmpdir(), 'servelab-fairness-mutants-')));

describe('fairness mutants', () => {
  it('every patch still applies to the reference, and names real rubric items', () => {
    const reference = new Map(
      FAIRNESS_FILES.map((f) => [f, readFileSync(join(REPO_ROOT, 'reference', 'fairness', f), 'utf8')]),
    );
    const items = new Set(labManifest('fairness').items.map((i) => i.id));
    for (const m of MUTANTS) {
      const files = mutantFiles(m, reference);
      expect(files.get(m.file), m.name).not.toBe(reference.get(m.file));
      for (const f of FAIRNESS_FILES) if (f !== m.file) expect(files.get(f), `${m.name} ${f}`).toBe(reference.get(f));
      for (const id of m.loses) expect(items.has(id), `${m.name}: ${id}`).toBe(true);
    }
    expect(new Set(MUTANTS.map((m) => m.name)).size).toBe(MUTANTS.length);
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
