/**
 * Wrong implementations of the fairness lab (test/fixtures/mutants/fairness.ts): every one must lose
 * points on the items its mistake breaks. Graded in-process (grader/kit/in-process.ts: the same items,
 * the lab's child.ts on the mutant's module, no sandbox), only on the items each mutant names, so the
 * whole set takes seconds; the sandboxed path is covered by the lab's own end-to-end test. Together
 * with test/grader/labs/fairness/lab.test.ts (reference 15/15) this shows the rubric tells the
 * mistakes apart from the solution.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabDefinition } from '../../../../grader/core/lab.js';
import { runItemInProcess } from '../../../../grader/kit/in-process.js';
import { labManifest, loadLab } from '../../../../grader/labs/catalogue.js';
import { child } from '../../../../grader/labs/fairness/child.js';
import { type FairnessModule, oracle } from '../../../../grader/labs/fairness/student.js';
import { MUTANTS } from '../../../fixtures/mutants/fairness.js';
import { loadMutants, removeMutantDirs } from '../../../fixtures/mutants/in-process.js';
import { SWEEPS } from '../../../helpers-shared.js';
import { defaultContext } from '../../grade-items.js';

let lab: LabDefinition;
let modules: Map<string, FairnessModule>;
beforeAll(async () => {
  lab = await loadLab('fairness');
  modules = await loadMutants('fairness', MUTANTS, oracle);
});
afterAll(() => removeMutantDirs('fairness', MUTANTS));

/** One mutant's grading of one item, kept: the FCFS-copy test below reuses the two copies' own items. */
const graded = new Map<string, ReturnType<typeof runItemInProcess>>();
function gradeMutant(name: string, id: string): ReturnType<typeof runItemInProcess> {
  const ctx = defaultContext('fairness');
  const key = `${name}/${id}`;
  if (!graded.has(key)) graded.set(key, runItemInProcess(lab, id, { module: modules.get(name)!, ...child }, ctx));
  return graded.get(key)!;
}

describe('fairness mutants', () => {
  // That every patch still applies is test/grader/mutant-patches.test.ts's job.
  it('every mutant names real rubric items', () => {
    const items = new Set(labManifest('fairness').items.map((i) => i.id));
    for (const m of MUTANTS) for (const id of m.loses) expect(items.has(id), `${m.name}: ${id}`).toBe(true);
  });

  // lab.test.ts grades the reference through the sandbox on the default seed every run; this in-process copy runs in CI.
  it.runIf(SWEEPS)(
    'the reference keeps full marks on every item a mutant names, in-process (SERVELAB_SWEEPS=1)',
    async () => {
      const manifest = lab.manifest;
      const ctx = defaultContext('fairness');
      const reference = await oracle.reference(ctx);
      for (const id of new Set(MUTANTS.flatMap((m) => m.loses))) {
        const out = await runItemInProcess(lab, id, { module: reference, ...child }, ctx);
        expect('score' in out ? out.score : out, id).toBe(manifest.items.find((i) => i.id === id)!.points);
      }
    },
  );

  it.each(MUTANTS.map((m) => [m.name, m] as const))('%s loses points where it should', async (name, mutant) => {
    for (const id of mutant.loses) {
      const out = await gradeMutant(name, id);
      const max = lab.manifest.items.find((i) => i.id === id)!.points;
      // A throw outside every case is the item's `error` verdict in the sandbox: 0 points, a loss too.
      const score = 'score' in out ? out.score : 0;
      expect(
        score,
        `${name} should lose points on ${id}: ${'message' in out ? out.message : JSON.stringify(out)}`,
      ).toBeLessThan(max);
    }
  });

  it("a copy of the engine's FCFS (both parts) earns at most 40% of the scenario points", async () => {
    // Part 1's items run VtcReplicaScheduler and part 2's VtcSarathiReplicaScheduler (schedulerClass in
    // grader/labs/fairness/student.ts): each part's copy is that part's FCFS-copy mutant.
    let [got, max] = [0, 0];
    for (const item of lab.manifest.items.filter((i) => i.kind === 'scenario')) {
      const out = await gradeMutant(item.id.startsWith('sarathi-') ? 'sarathi-fcfs-copy' : 'fcfs-copy', item.id);
      got += 'score' in out ? out.score : 0;
      max += item.points;
    }
    // Measured: 1.33 of 5 (26.7%): only the four throughput checks, which compare with FCFS itself.
    expect(got / max).toBeLessThanOrEqual(0.4);
  });
});
