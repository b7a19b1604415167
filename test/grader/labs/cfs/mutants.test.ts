/**
 * Wrong implementations of the CFS lab (test/fixtures/mutants/cfs.ts) each lose points on the items their
 * mistake breaks, and a correct scheduler written apart from the reference (test/fixtures/cfs/alternative.ts)
 * keeps full marks on every item. Graded in-process (grader/kit/in-process.ts: the lab's child.ts on the
 * module, no sandbox), only on the items each mutant names; test/grader/labs/cfs/lab.test.ts grades whole
 * submissions through the sandbox.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../../../sim/config/paths.js';
import type { ItemContext, LabDefinition } from '../../../../grader/core/lab.js';
import { runItemInProcess } from '../../../../grader/kit/in-process.js';
import { labManifest, loadLab } from '../../../../grader/labs/catalogue.js';
import { child } from '../../../../grader/labs/cfs/child.js';
import { type CfsModule, oracle } from '../../../../grader/labs/cfs/student.js';
import { CfsScheduler as Alternative } from '../../../fixtures/cfs/alternative.js';
import { MUTANTS } from '../../../fixtures/mutants/cfs.js';
import { loadMutants, removeMutantDirs } from '../../../fixtures/mutants/in-process.js';
import { hiddenSeeds } from '../../../helpers-shared.js';

let lab: LabDefinition;
let modules: Map<string, CfsModule>;
beforeAll(async () => {
  lab = await loadLab('cfs');
  modules = await loadMutants('cfs', MUTANTS, oracle);
});
afterAll(() => removeMutantDirs('cfs', MUTANTS));

const manifest = labManifest('cfs');
const points = (id: string) => manifest.items.find((i) => i.id === id)!.points;
const ctx = (hiddenSeed = manifest.defaultHiddenSeed): ItemContext => ({
  hiddenSeed,
  publicSeed: manifest.publicSeed,
  repoRoot: REPO_ROOT,
});
async function score(m: CfsModule, id: string, c = ctx()) {
  const out = await runItemInProcess(lab, id, { module: m, ...child }, c);
  // A throw outside every case is the item's `error` verdict in the sandbox: 0 points.
  return {
    score: 'score' in out ? out.score : 0,
    why: 'message' in out ? `${out.message}\n${out.output ?? ''}` : JSON.stringify(out),
  };
}

describe('CFS mutants and a correct alternative', () => {
  it('every mutant names real rubric items, and each item with a design choice separates at least three', () => {
    for (const m of MUTANTS) for (const id of m.loses) expect(points(id), `${m.name}: ${id}`).toBeGreaterThan(0);
    for (const id of ['get-priority', 'priority-preemption', 'cfs-step', 'schedule-interval', 'burst-p99-ttft'])
      expect(MUTANTS.filter((m) => m.loses.includes(id)).length, id).toBeGreaterThanOrEqual(3);
  });

  it.each(MUTANTS.map((m) => [m.name, m] as const))('%s loses points where it should', async (name, mutant) => {
    for (const id of mutant.loses) {
      const { score: got, why } = await score(modules.get(name)!, id);
      expect(got, `${name} should lose points on ${id}: ${why}`).toBeLessThan(points(id));
    }
  });

  it('over-preemption loses burst points by name, though its P99 TTFT beats the reference', async () => {
    const { score: got, why } = await score(modules.get('evicts-without-fit-check')!, 'burst-p99-ttft');
    expect(got).toBeGreaterThan(0);
    expect(why).toMatch(/but you preempt 1\.\d\d × as often as the reference \(median over the bursts\)/);
  });

  it('a scheduler written apart from the reference keeps full marks on every item but the questions', async () => {
    for (const hiddenSeed of [manifest.defaultHiddenSeed, ...hiddenSeeds(2, 0)])
      for (const { id } of manifest.items.filter((i) => i.id !== 'mcq')) {
        const { score: got, why } = await score({ CfsScheduler: Alternative }, id, ctx(hiddenSeed));
        expect(got, `seed ${hiddenSeed} ${id}: ${why}`).toBe(points(id));
      }
  });
});
