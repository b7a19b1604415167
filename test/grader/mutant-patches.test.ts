/**
 * Every patch of every lab's mutant (test/fixtures/mutants/) still applies to the reference: each `find`
 * occurs exactly once in the reference file it names, so reformatting or editing a reference file that a
 * mutant patches fails here, in milliseconds, rather than deep inside a grading test.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { labManifest, labNames } from '../../grader/labs/catalogue.js';
import { REPO_ROOT } from '../../sim/config/paths.js';
import { LAB_MUTANTS } from '../fixtures/mutants/index.js';
import { applyMutant, type Mutant } from '../fixtures/mutants/mutant.js';
import { mutantFiles, referenceFiles } from '../fixtures/mutants/write.js';

const cases = Object.entries(LAB_MUTANTS).flatMap(([lab, mutants]) => mutants.map((m) => [lab, m.name, m] as const));

describe('mutant patches', () => {
  it('mutants exist only for real labs, with unique names per lab', () => {
    for (const [lab, mutants] of Object.entries(LAB_MUTANTS)) {
      expect(labNames(), lab).toContain(lab);
      expect(new Set(mutants.map((m) => m.name)).size, lab).toBe(mutants.length);
    }
    expect(cases.length).toBeGreaterThan(0);
  });

  it.each(cases)('%s %s: every patch applies once to a student file of the lab', (lab, name, mutant) => {
    const { files, referenceDir } = labManifest(lab);
    expect(files, `${name} patches ${mutant.file}, not a student file of ${lab}`).toContain(mutant.file);
    const reference = readFileSync(join(REPO_ROOT, referenceDir, mutant.file), 'utf8');
    for (const [i, [find]] of mutant.patches.entries()) {
      const at = reference.indexOf(find);
      expect(at, `${name}: patch ${i + 1} no longer matches ${referenceDir}/${mutant.file}`).toBeGreaterThanOrEqual(0);
      expect(reference.indexOf(find, at + 1), `${name}: patch ${i + 1} matches more than once`).toBe(-1);
    }
    const patched = applyMutant(reference, mutant);
    expect(patched, name).not.toBe(reference);
    // Only the mutant's file changes in the submission made from it.
    const written = mutantFiles(mutant, referenceFiles(lab));
    for (const f of files)
      if (f !== mutant.file) expect(written.get(f), `${name} ${f}`).toBe(referenceFiles(lab).get(f));
    expect(written.get(mutant.file)).toContain(patched);
  });

  it('applyMutant names the mutant and file when a patch no longer matches or matches twice', () => {
    const mutant: Mutant = { name: 'demo', description: 'd', file: 'x.ts', patches: [['a', 'b']] };
    expect(() => applyMutant('xyz', mutant)).toThrow('mutant demo: a patch for x.ts no longer matches the reference');
    expect(() => applyMutant('a a', mutant)).toThrow(
      'mutant demo: a patch for x.ts matches more than once in the reference',
    );
    expect(applyMutant('xay', mutant)).toBe('xby');
  });
});
