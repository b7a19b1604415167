/**
 * The fairness unit items on 200 hidden seeds, graded in-process (grader/kit/in-process.ts) on the
 * reference's own answers: every hidden variant builds, the oracle agrees with itself through the
 * wire and the comparison, so the reference gets full marks and no item is a grader error on any seed.
 */
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../../../sim/config/paths.js';
import { runItemInProcess } from '../../../../grader/kit/in-process.js';
import { loadLab } from '../../../../grader/labs/catalogue.js';
import { child } from '../../../../grader/labs/fairness/child.js';
import { oracle } from '../../../../grader/labs/fairness/student.js';

describe('fairness unit items on 200 hidden seeds', () => {
  it('the reference gets full marks on every unit item, on each seed', async () => {
    const lab = await loadLab('fairness');
    const reference = await oracle.reference({ repoRoot: REPO_ROOT });
    const units = lab.manifest.items.filter((i) => i.kind === 'unit');
    const short: string[] = [];
    for (let hiddenSeed = 1; hiddenSeed <= 200; hiddenSeed++)
      for (const item of units) {
        const ctx = { hiddenSeed, publicSeed: lab.manifest.publicSeed, repoRoot: REPO_ROOT };
        const out = await runItemInProcess(lab, item.id, { module: reference, ...child }, ctx);
        if (!('score' in out) || out.score !== item.points)
          short.push(`seed ${hiddenSeed} ${item.id}: ${JSON.stringify(out).slice(0, 300)}`);
      }
    expect(short).toEqual([]);
  });
});
