/**
 * The deadline lab's fixtures (test/fixtures/mutants/deadline.ts), graded in-process (grader/kit/in-process.ts: the
 * lab's child.ts on each module, no sandbox) on the items each names: every mutant loses points on each item in its
 * `loses` (on capacity, the slowest item, under SERVELAB_SWEEPS=1); every correct alternative keeps full marks on
 * every unit item, on the default hidden seed and seeds 1-2 (1-20 under SERVELAB_SWEEPS=1, as CI runs it);
 * a copy of each of the engine's Sarathi schedulers (EDF, the strongest, every run; FCFS and SRPF under
 * SERVELAB_SWEEPS=1) earns at most 40% of the scenario points. The reference's full marks on the same items, so a
 * loss is the fixture's: lab.test.ts through the sandbox every run, in-process here under SERVELAB_SWEEPS=1.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../../../sim/config/paths.js';
import type { ItemContext, LabDefinition } from '../../../../grader/core/lab.js';
import { type InProcessOutcome, runItemInProcess } from '../../../../grader/kit/in-process.js';
import { labManifest, loadLab } from '../../../../grader/labs/catalogue.js';
import { child } from '../../../../grader/labs/deadline/child.js';
import { type DeadlineModule, oracle } from '../../../../grader/labs/deadline/student.js';
import { ALTERNATIVES, BASELINE_COPIES, MUTANTS } from '../../../fixtures/mutants/deadline.js';
import { loadMutants, removeMutantDirs } from '../../../fixtures/mutants/in-process.js';
import { hiddenSeeds, seedRange, SWEEPS } from '../../../helpers-shared.js';

const ALL = [...MUTANTS, ...ALTERNATIVES, ...BASELINE_COPIES];
const manifest = labManifest('deadline');
const points = (id: string) => manifest.items.find((i) => i.id === id)!.points;
const UNITS = manifest.items.filter((i) => i.kind === 'unit').map((i) => i.id);
const SCENARIOS = ['capacity', 'overload'];
const context = (hiddenSeed = manifest.defaultHiddenSeed): ItemContext => ({
  hiddenSeed,
  publicSeed: manifest.publicSeed,
  repoRoot: REPO_ROOT,
});
// A throw outside every case is the item's `error` verdict in the sandbox: 0 points.
const score = (out: InProcessOutcome) => ('score' in out ? out.score : 0);
const said = (out: InProcessOutcome) =>
  'message' in out ? `${out.message}\n${out.output ?? ''}` : JSON.stringify(out);

let lab: LabDefinition;
let modules: Map<string, DeadlineModule>;
const grade = (module: DeadlineModule, id: string, ctx = context()) =>
  runItemInProcess(lab, id, { module, ...child }, ctx);
beforeAll(async () => {
  lab = await loadLab('deadline');
  modules = await loadMutants('deadline', ALL, oracle);
});
afterAll(() => removeMutantDirs('deadline', ALL));

describe('deadline lab fixtures', () => {
  it('every fixture names real rubric items', () => {
    for (const m of ALL) for (const id of m.loses) expect(points(id), `${m.name}: ${id}`).toBeGreaterThan(0);
    for (const m of MUTANTS) expect(m.loses.length, m.name).toBeGreaterThan(0);
    const perUnit = UNITS.map((id) => MUTANTS.filter((m) => m.loses.includes(id)).length);
    expect(Math.min(...perUnit), 'mutants on each unit item').toBeGreaterThanOrEqual(3);
  });

  // lab.test.ts grades the reference through the sandbox on the default seed every run; this in-process copy runs in CI.
  it.runIf(SWEEPS)(
    'the reference keeps full marks on every unit and scenario item, in-process (SERVELAB_SWEEPS=1)',
    async () => {
      const reference = await oracle.reference(context());
      for (const id of [...UNITS, ...SCENARIOS]) {
        const out = await grade(reference, id);
        expect(score(out), `${id}: ${said(out)}`).toBe(points(id));
      }
    },
  );

  // The capacity item searches for each workload's capacity (the lab's slowest item): a mutant's loss there is
  // checked under SERVELAB_SWEEPS=1, as CI runs it; every run checks its other items.
  const checked = (id: string) => SWEEPS || id !== 'capacity';
  it.each(MUTANTS.map((m) => [m.name, m] as const))('%s loses points where it should', async (name, m) => {
    for (const id of m.loses.filter(checked)) {
      const out = await grade(modules.get(name)!, id);
      expect(score(out), `${name} should lose points on ${id}: ${said(out)}`).toBeLessThan(points(id));
    }
  });

  const seeds = hiddenSeeds(30, 5);
  it(`every mutant loses points on each unit item it names on hidden ${seedRange(seeds)} too`, async () => {
    const kept: string[] = [];
    for (const m of MUTANTS)
      for (const id of m.loses.filter((i) => UNITS.includes(i)))
        for (const seed of seeds)
          if (score(await grade(modules.get(m.name)!, id, context(seed))) >= points(id))
            kept.push(`${m.name} ${id} ${seed}`);
    expect(kept).toEqual([]);
  });

  it.each(ALTERNATIVES.map((m) => [m.name] as const))('%s keeps full marks on every unit item', async (name) => {
    for (const seed of [manifest.defaultHiddenSeed, ...hiddenSeeds(20, 2)])
      for (const id of UNITS) {
        const out = await grade(modules.get(name)!, id, context(seed));
        expect(score(out), `seed ${seed} ${id}: ${said(out)}`).toBe(points(id));
      }
  });

  // EDF, the strongest engine scheduler and the lab's named baseline, every run; FCFS and SRPF too under SERVELAB_SWEEPS=1.
  const copies = SWEEPS ? BASELINE_COPIES : BASELINE_COPIES.filter((m) => m.name === 'edf-copy');
  it(`a copy of an engine baseline (${copies.map((m) => m.name).join(', ')}) earns at most 40% of the scenario points, EDF none of the capacity item`, async () => {
    const max = SCENARIOS.reduce((s, id) => s + points(id), 0);
    expect(copies.map((m) => m.name)).toContain('edf-copy');
    for (const m of copies) {
      const outs = await Promise.all(SCENARIOS.map((id) => grade(modules.get(m.name)!, id)));
      const total = outs.reduce((s, o) => s + score(o), 0);
      expect(total, `${m.name}: ${outs.map(said).join('\n')}`).toBeLessThanOrEqual(0.4 * max);
      if (m.name === 'edf-copy') expect(score(outs[0]!), said(outs[0]!)).toBe(0);
    }
  });

  it('a scheduler whose chunks break the iteration limit is told why by the replay', async () => {
    const out = await grade(modules.get('whole-prompts')!, 'overload');
    expect(score(out)).toBe(0);
    expect(said(out)).toMatch(/exceed the 2552-token budget/);
  });
});
