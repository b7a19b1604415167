/**
 * The routing lab's mutants and alternatives (test/fixtures/mutants/routing.ts), graded in-process on
 * the default hidden seed: each mutant loses points on every item it names, and each correct
 * alternative (other tie-breaks, another weight within the tuned range) keeps full marks on the unit
 * and simulation items. The reference is graded beside them, so a change that makes the reference
 * lose those points fails here too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scoreItem, type ItemContext } from '../../../../grader/core/lab.js';
import { handleRequest } from '../../../../grader/kit/driver.js';
import { unitItem } from '../../../../grader/kit/unit-item.js';
import { lab } from '../../../../grader/labs/routing/lab.js';
import { routingUnits } from '../../../../grader/labs/routing/probes.js';
import { oracle, type RoutingModule } from '../../../../grader/labs/routing/student.js';
import { REPO_ROOT } from '../../../../sim/config/paths.js';
import { loadMutants, removeMutantDirs } from '../../../fixtures/mutants/in-process.js';
import { ALTERNATIVES, MUTANTS } from '../../../fixtures/mutants/routing.js';
import { scoreSimulationItem } from './host-in-process.js';

const ctx: ItemContext = {
  hiddenSeed: lab.manifest.defaultHiddenSeed,
  publicSeed: lab.manifest.publicSeed,
  repoRoot: REPO_ROOT,
};
const points = (id: string) => lab.manifest.items.find((i) => i.id === id)!.points;

async function score(module: RoutingModule, id: string): Promise<number> {
  if (id !== 'unit-cases') return (await scoreSimulationItem(id, module, ctx)).score;
  const item = unitItem(routingUnits, id);
  const { input, prepared } = item.prepare(ctx);
  const reply = handleRequest({ module, studentDir: 'reference/routing', probes: routingUnits.probes }, input);
  return (await scoreItem(item, reply, prepared, ctx, points(id))).score;
}

const ALL = [...MUTANTS, ...ALTERNATIVES];
let modules: Map<string, RoutingModule>;
beforeAll(async () => {
  modules = await loadMutants('routing', ALL, oracle);
});
afterAll(() => removeMutantDirs('routing', ALL));

describe('routing mutants', () => {
  it.each(MUTANTS.map((m) => [m.name, m.loses] as const))(
    '%s loses points on %j, where the reference keeps them all',
    async (name, loses) => {
      const reference = await oracle.reference(ctx);
      for (const id of loses) {
        expect(await score(reference, id), `reference on ${id}`).toBe(points(id));
        expect(await score(modules.get(name)!, id), `${name} on ${id}`).toBeLessThan(points(id));
      }
    },
  );
});

describe('routing alternatives', () => {
  it.each(ALTERNATIVES.map((a) => a.name))('%s keeps full marks on every unit and simulation item', async (name) => {
    for (const { id, points: max } of lab.manifest.items)
      expect(await score(modules.get(name)!, id), `${name} on ${id}`).toBe(max);
  });
});
