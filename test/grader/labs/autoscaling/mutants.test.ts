/**
 * The autoscaling fixtures (test/fixtures/mutants/autoscaling.ts), graded in-process (grader/kit/in-process.ts:
 * the same items, the lab's child.ts on the fixture's module, no sandbox) on the items each names: every
 * mutant loses points there, every right alternative keeps full marks, and part 1 copied from the engine's
 * own routers earns at most 40% of part 1. The long seed ranges and two of the Pareto mutants run under
 * SERVELAB_SWEEPS=1 (CI). The reference's full marks over 200 hidden seeds: probes.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../../../sim/config/paths.js';
import type { ItemContext, LabDefinition } from '../../../../grader/core/lab.js';
import { runItemInProcess } from '../../../../grader/kit/in-process.js';
import { loadLab } from '../../../../grader/labs/catalogue.js';
import { child } from '../../../../grader/labs/autoscaling/child.js';
import { type AutoscalingModule, oracle } from '../../../../grader/labs/autoscaling/student.js';
import { ALTERNATIVES, ENGINE_ROUTERS, MUTANTS } from '../../../fixtures/mutants/autoscaling.js';
import { loadMutants, removeMutantDirs } from '../../../fixtures/mutants/in-process.js';
import { hiddenSeeds, seedRange, SWEEPS } from '../../../helpers-shared.js';

const ALL = [...MUTANTS, ...ALTERNATIVES, ENGINE_ROUTERS];
/** The efficiency check reads counted work: these are built with it, as the grader builds the lab. */
const REFERENCE = { name: 'reference', file: 'network-envelope.ts', description: 'the reference', patches: [] };
const COUNTED = [REFERENCE, MUTANTS.find((m) => m.name === 'naive-envelope')!].map((m) => ({
  ...m,
  name: `${m.name}-counted`,
}));
const lab: LabDefinition = await loadLab('autoscaling');
let modules: Map<string, AutoscalingModule>;
let counted: Map<string, AutoscalingModule>;
beforeAll(async () => {
  modules = await loadMutants('autoscaling', ALL, oracle);
  counted = await loadMutants('autoscaling', COUNTED, oracle, { countWork: true });
});
afterAll(() => removeMutantDirs('autoscaling', [...ALL, ...COUNTED]));

const ctx = (hiddenSeed?: number): ItemContext => ({
  hiddenSeed: hiddenSeed ?? lab.manifest.defaultHiddenSeed,
  publicSeed: lab.manifest.publicSeed,
  repoRoot: REPO_ROOT,
});
const max = (id: string) => lab.manifest.items.find((i) => i.id === id)!.points;

/** The fixture's outcome on one item: its score, whether a 0-point item passed, and the message. */
async function gradeOnce(name: string, id: string, hiddenSeed?: number) {
  const module = id === 'envelope-scaling' ? counted.get(`${name}-counted`)! : modules.get(name)!;
  const out = await runItemInProcess(lab, id, { module, ...child }, ctx(hiddenSeed));
  if (!('score' in out)) return { score: 0, passed: false, message: JSON.stringify(out) };
  return { score: out.score, passed: out.passed ?? out.score === max(id), message: out.message };
}
/** Each fixture is graded once per item and seed: two tests asking about the same grading share it. */
const graded = new Map<string, ReturnType<typeof gradeOnce>>();
function grade(name: string, id: string, hiddenSeed?: number) {
  const key = `${name} ${id} ${hiddenSeed}`;
  if (!graded.has(key)) graded.set(key, gradeOnce(name, id, hiddenSeed));
  return graded.get(key)!;
}

describe('autoscaling mutants', () => {
  it('name real rubric items', () => {
    const items = new Set(lab.manifest.items.map((i) => i.id));
    for (const m of [...MUTANTS.flatMap((x) => x.loses), ...ALTERNATIVES.flatMap((x) => x.keeps)])
      expect(items.has(m), m).toBe(true);
  });

  it('at least three mutants per item that grades a design choice', () => {
    for (const id of ['round-robin', 'lor', 'envelope', 'throughput-ema', 'tune', 'pareto'])
      expect(MUTANTS.filter((m) => m.loses.includes(id)).length, id).toBeGreaterThanOrEqual(3);
  });

  // A Pareto mutant is graded on three service levels over the hidden traces, the suite's costliest grading: every
  // run grades pareto-one-config (also the 40% check below), SERVELAB_SWEEPS=1 the other two as well.
  const everyRun = (m: (typeof MUTANTS)[number]) =>
    SWEEPS || !m.loses.includes('pareto') || m.name === 'pareto-one-config';
  it.each(MUTANTS.filter((m) => m.loses.every((id) => max(id) > 0) && everyRun(m)).map((m) => [m.name, m] as const))(
    '%s loses points where it should',
    async (name, mutant) => {
      for (const id of mutant.loses) {
        const { score, message } = await grade(name, id);
        expect(score, `${name} should lose points on ${id}: ${message}`).toBeLessThan(max(id));
      }
    },
  );

  it('a right envelope that sweeps every arrival per query is flagged by the efficiency check, the reference is not', async () => {
    expect((await grade('reference', 'envelope-scaling')).passed).toBe(true);
    const naive = await grade('naive-envelope', 'envelope-scaling');
    expect(naive.passed, naive.message).toBe(false);
    expect(naive.message).toMatch(/^flagged: your envelope's cost per arrival and per query grows/);
  });

  it('an envelope that ignores the look-back, or three levels of one configuration, keep at most 40%', async () => {
    expect((await grade('envelope-ignores-look-back', 'envelope')).score).toBeLessThanOrEqual(0.4 * max('envelope'));
    expect((await grade('pareto-one-config', 'pareto')).score).toBeLessThanOrEqual(0.4 * max('pareto'));
  });
});

describe('right alternatives, written differently', () => {
  it.each(ALTERNATIVES.map((a) => [a.name, a] as const))('%s keeps full marks', async (name, alternative) => {
    for (const hiddenSeed of [undefined, ...hiddenSeeds(2, 0)])
      for (const id of alternative.keeps) {
        const { score, message } = await grade(name, id, hiddenSeed);
        expect(score, `${name} on ${id}, seed ${hiddenSeed}: ${message}`).toBe(max(id));
      }
  });
});

describe("part 1 copied from the engine's routers", () => {
  const seeds = hiddenSeeds(20, 3);
  it(`earns at most 40% of part 1 on ${seedRange(seeds)}, and its round robin at most 40% of its item on the default seed`, async () => {
    const part1 = max('round-robin') + max('lor');
    for (const seed of seeds) {
      const total =
        (await grade('engine-routers', 'round-robin', seed)).score + (await grade('engine-routers', 'lor', seed)).score;
      expect(total, `seed ${seed}`).toBeLessThanOrEqual(0.4 * part1);
    }
    const rr = await grade('engine-routers', 'round-robin');
    expect(rr.score, rr.message).toBeLessThanOrEqual(0.4 * max('round-robin'));
  });
});
