/**
 * The CFS lab's unit items scored in-process (no sandbox): the reference's probes against the
 * reference pass on several hidden seeds; a scheduler that ranks by arrival, or never runs the CFS
 * step, fails the probes aimed at it with a message that names what differs; the handout's public
 * expected values build. On 200 hidden seeds every unit item gives the reference full marks; on 100, a
 * correct scheduler written apart from it passes every hidden variant and each mutant fails the
 * variant aimed at its mistake on every seed. test/grader/labs/cfs/mutants.test.ts grades the mutants' items.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../../../sim/config/paths.js';
import type { Request } from '../../../../sim/entities/request.js';
import type { Priority, SchedulerOutputs } from '../../../../sim/policies/replica/vllm-v0-step-scheduler.js';
import { scoreItem } from '../../../../grader/core/lab.js';
import { compareValues, runProbes, selectProbes, type Probe, type ProbeSet } from '../../../../grader/kit/probes.js';
import { publicExpectedFile } from '../../../../grader/kit/public-expected.js';
import { unitItem } from '../../../../grader/kit/unit-item.js';
import { probeSeed, UnitsInput } from '../../../../grader/kit/unit-wire.js';
import { lab } from '../../../../grader/labs/cfs/lab.js';
import { INTERVAL_0_PROBE, PROBES } from '../../../../grader/labs/cfs/probes.js';
import { oracle, type CfsModule } from '../../../../grader/labs/cfs/student.js';
import { CfsScheduler } from '../../../../reference/cfs/cfs-scheduler.js';
import { CfsScheduler as Alternative } from '../../../fixtures/cfs/alternative.js';
import { MUTANTS } from '../../../fixtures/mutants/cfs.js';
import { loadMutants, removeMutantDirs } from '../../../fixtures/mutants/in-process.js';

type Item = keyof typeof PROBES;

async function score(item: Item, m: CfsModule, hiddenSeed = 20261208) {
  const ctx = { hiddenSeed, publicSeed: 42, repoRoot: REPO_ROOT };
  const impl = lab.items[item]!;
  const { input, prepared } = impl.prepare(ctx);
  const { seed } = UnitsInput.parse(input);
  const results = runProbes(m, selectProbes(PROBES[item], seed, false), { studentDir: 'starter/cfs' });
  return scoreItem(impl, { task: 'units', results }, prepared, ctx, 1);
}

class ByArrival extends CfsScheduler {
  override getPriority(group: Request): Priority {
    return [0, group.arrivedAt];
  }
}

class NeverCfs extends CfsScheduler {
  override schedule(): SchedulerOutputs {
    this.numSteps++;
    return this.scheduleDefault();
  }
}

describe('CFS lab probes', () => {
  it('the reference passes every probe of every unit item, on three hidden seeds', async () => {
    for (const seed of [1, 77, 20261208])
      for (const item of ['get-priority', 'priority-preemption', 'cfs-step'] as const) {
        const outcome = await score(item, { CfsScheduler }, seed);
        expect(outcome.score, `${item}, seed ${seed}: ${outcome.output}`).toBe(1);
      }
  });

  it('ranking by arrival fails getPriority and the preemption cases, naming the field that differs', async () => {
    const priority = await score('get-priority', { CfsScheduler: ByArrival });
    expect(priority.score).toBe(0);
    expect(priority.output).toContain('getPriority returned: expected [0,5], got [0,4]');
    const preemption = await score('priority-preemption', { CfsScheduler: ByArrival });
    expect(preemption.score).toBeLessThan(1);
    expect(preemption.output).toContain('FAIL public case: several victims, most tokens first');
    expect(preemption.output).toContain('blocksToSwapOut: expected [[0,2],[2,2]], got []');
  });

  it('schedule-interval is all or nothing: the reference gets it, a scheduler without the CFS step none', async () => {
    expect((await score('schedule-interval', { CfsScheduler })).score).toBe(1);
    const never = await score('schedule-interval', { CfsScheduler: NeverCfs });
    expect(never.score).toBe(0);
    expect(never.message).toMatch(/cases passed.*\(all or nothing\)$/);
    expect(never.output).toContain('PASS public case: interval 0 on the public burst reproduces FCFS');
    expect(never.output).toContain('expected ["dddddddddcdddddddddcdddddddddc"]');
  });

  it('a step list that is not one scores as a failed case, not a grader error', () => {
    const probe = PROBES['schedule-interval'](1).find((p) => p.name === INTERVAL_0_PROBE)!;
    const want = runProbes({ CfsScheduler }, [probe], { studentDir: 'reference/cfs' })[0]!.value;
    expect(probe.compare!(want, '5 1 2')).toBe('your step list is malformed');
    expect(probe.compare!(want, [0, 0, 1])).toBe('your step list is malformed');
    expect(probe.compare!(want, '')).toMatch(
      /^step 1 differs from vLLM's default step: expected \{.* \(0 vs \d+ steps\)$/,
    );
    expect(probe.compare!(want, want)).toBeUndefined();
  });

  it("the handout's public expected values build from the reference", async () => {
    const data = await lab.handoutData!(REPO_ROOT);
    const shipped = JSON.parse(data[publicExpectedFile('cfs')]!) as Record<string, unknown[]>;
    expect(Object.keys(shipped).sort()).toEqual([
      'cfs-step',
      'get-priority',
      'priority-preemption',
      'schedule-interval',
    ]);
    expect(shipped['get-priority']).toHaveLength(4);
  });
});

/** The hidden variants in the order probes.ts draws them. */
const HIDDEN = {
  'priority-preemption': ['prompt', 'displace', 'restarted', 'pool'],
  'cfs-step': ['mixed', 'displace', 'calm'],
} as const;
/** Mutant → [item, hidden variant] it must fail on every seed. */
const AIMED: Record<string, [keyof typeof HIDDEN, string][]> = {
  'priority-by-processed-tokens': [['priority-preemption', 'displace']],
  'evicts-without-fit-check': [
    ['priority-preemption', 'prompt'],
    ['cfs-step', 'mixed'],
  ],
  'evicts-best-first': [
    ['priority-preemption', 'prompt'],
    ['priority-preemption', 'displace'],
  ],
  'swapped-in-queue-order': [
    ['priority-preemption', 'displace'],
    ['cfs-step', 'displace'],
  ],
  'no-displacement': [['priority-preemption', 'displace']],
  'raises-on-full-pool': [['priority-preemption', 'pool']],
  'recompute-instead-of-swap': [['priority-preemption', 'displace']],
  'keeps-swap-gate': [['cfs-step', 'mixed']],
  'mixed-swap': [['cfs-step', 'displace']],
  'priority-reversed': [['cfs-step', 'calm']],
};

describe('CFS hidden variants over many seeds', () => {
  let mutants: Map<string, CfsModule>;
  const aimed = MUTANTS.filter((m) => m.name in AIMED);
  beforeAll(async () => {
    mutants = await loadMutants('cfs', aimed, oracle);
  });
  afterAll(() => removeMutantDirs('cfs', aimed));

  it('every unit item gives the reference full marks on 200 hidden seeds (prepare, run, score)', async () => {
    // The public probes do not depend on the seed: run each once per module (the interval-0 burst is the slow one).
    const memo = new Map<string, unknown>();
    const once =
      (set: ProbeSet<CfsModule>): ProbeSet<CfsModule> =>
      (seed) =>
        set(seed).map((p): Probe<CfsModule> => {
          if (p.hidden) return p;
          return {
            ...p,
            run: (m) => (memo.has(`${p.name}`) ? memo.get(p.name) : memo.set(p.name, p.run(m)).get(p.name)),
          };
        });
    const units = {
      lab: 'cfs',
      oracle,
      probes: Object.fromEntries(Object.entries(PROBES).map(([k, v]) => [k, once(v)])),
    };
    const reference = await oracle.reference({ repoRoot: REPO_ROOT });
    const failed: string[] = [];
    for (let hiddenSeed = 1; hiddenSeed <= 200; hiddenSeed++)
      for (const id of Object.keys(PROBES)) {
        const item = unitItem(units, id);
        const ctx = { hiddenSeed, publicSeed: 42, repoRoot: REPO_ROOT };
        const { input, prepared } = item.prepare(ctx);
        const { seed } = UnitsInput.parse(input);
        const results = runProbes(reference, selectProbes(units.probes[id]!, seed, false), {
          studentDir: 'reference/cfs',
        });
        const outcome = await scoreItem(item, { task: 'units', results }, prepared, ctx, 1);
        if (outcome.score !== 1) failed.push(`seed ${hiddenSeed} ${id}: ${outcome.output}`);
      }
    expect(failed).toEqual([]);
  });

  it('on 100 seeds, the alternative passes every hidden variant and each mutant fails the one aimed at it', () => {
    const problems: string[] = [];
    for (let hiddenSeed = 1; hiddenSeed <= 100; hiddenSeed++)
      for (const item of Object.keys(HIDDEN) as (keyof typeof HIDDEN)[]) {
        const probes = PROBES[item](probeSeed(hiddenSeed, item)).filter((p) => p.hidden);
        const run = (m: CfsModule) => runProbes(m, probes, { studentDir: 'starter/cfs' });
        const want = run({ CfsScheduler });
        const fails = (m: CfsModule) =>
          run(m).map(
            (got, i) =>
              got.error !== undefined || (probes[i]!.compare ?? compareValues)(want[i]!.value, got.value) !== undefined,
          );
        fails({ CfsScheduler: Alternative }).forEach((bad, i) => {
          if (bad) problems.push(`seed ${hiddenSeed}: the alternative fails ${item} "${probes[i]!.name}"`);
        });
        for (const [name, targets] of Object.entries(AIMED)) {
          const bad = fails(mutants.get(name)!);
          for (const [at, kind] of targets)
            if (at === item && !bad[HIDDEN[item].indexOf(kind as never)])
              problems.push(`seed ${hiddenSeed}: ${name} passes ${item} ${kind}`);
        }
      }
    expect(problems).toEqual([]);
  });
});
