/**
 * Every lab's unit items on many hidden seeds, in-process (grader/kit/in-process.ts): on 200 seeds
 * each hidden variant builds and the reference answers it without an error (either would be a
 * grader error for every submission); on three seeds the items are scored in full, the reference
 * getting full marks and the starter none. Scenario items are graded end to end on the default seed
 * by each lab's lab.test.ts.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../../sim/config/paths.js';
import type { ItemContext } from '../../../grader/core/lab.js';
import { runItemInProcess } from '../../../grader/kit/in-process.js';
import { runProbes } from '../../../grader/kit/probes.js';
import type { UnitItem } from '../../../grader/kit/unit-item.js';
import { probeSeed } from '../../../grader/kit/unit-wire.js';
import { labNames, loadInProcessParts, loadLab } from '../../../grader/labs/catalogue.js';

const SEEDS = Array.from({ length: 200 }, (_, i) => i + 1);
/** The routing starter is a working random router: it keeps the rule cases, not the design ones. */
const STARTER_MAY_SCORE = new Set(['routing']);

const labs = await Promise.all(labNames().map((n) => loadLab(n)));

describe.each(labs)('$manifest.lab unit items on 200 hidden seeds', (lab) => {
  const name = lab.manifest.lab;
  const units = lab.manifest.items.filter((i) => 'unit' in lab.items[i.id]!);

  it('the lab has unit items built by the kit', () => {
    expect(units.length).toBeGreaterThan(0);
  });

  it('every hidden variant builds and the reference answers it, on 200 seeds', async () => {
    const { child, oracle } = await loadInProcessParts(name);
    const reference = await oracle.reference({ repoRoot: REPO_ROOT });
    const failed: string[] = [];
    for (const item of units) {
      const unit = (lab.items[item.id] as UnitItem<unknown>).unit;
      const set = unit.lab.probes[unit.item]!;
      for (const hiddenSeed of SEEDS) {
        const hidden = set(probeSeed(hiddenSeed, unit.item)).filter((p) => p.hidden);
        for (const r of runProbes(reference, hidden, { studentDir: child.studentDir }))
          if (r.error !== undefined) failed.push(`seed ${hiddenSeed} ${item.id} "${r.name}": ${r.error}`);
      }
    }
    expect(failed).toEqual([]);
  });

  it('scored in full on seeds 1-3: the reference gets full marks, the starter none', async () => {
    const { child, oracle } = await loadInProcessParts(name);
    const reference = await oracle.reference({ repoRoot: REPO_ROOT });
    const starter = await oracle.load(join(REPO_ROOT, lab.manifest.studentDir));
    for (const hiddenSeed of [1, 2, 3]) {
      const ctx: ItemContext = { hiddenSeed, publicSeed: lab.manifest.publicSeed, repoRoot: REPO_ROOT };
      for (const item of units) {
        const ref = await runItemInProcess(lab, item.id, { module: reference, ...child }, ctx);
        expect('score' in ref ? ref.score : ref, `seed ${hiddenSeed} ${item.id}`).toBe(item.points);
        const st = await runItemInProcess(lab, item.id, { module: starter, ...child }, ctx);
        const score = 'score' in st ? st.score : 0;
        if (STARTER_MAY_SCORE.has(name)) expect(score, `${item.id}`).toBeLessThan(item.points);
        else expect(score, `seed ${hiddenSeed} ${item.id}`).toBe(0);
      }
    }
  });
});
