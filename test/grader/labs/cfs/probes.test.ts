/**
 * The CFS lab's unit items scored in-process (no sandbox): the reference's probes against the
 * reference pass on several hidden seeds; a scheduler that ranks by arrival, or never runs the CFS
 * step, fails the probes aimed at it with a message that names what differs; the handout's public
 * expected values build. test/grader/cfs-mutants.test.ts runs the real mutants through the sandbox.
 */
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../../../sim/config/paths.js';
import type { Request } from '../../../../sim/entities/request.js';
import type { Priority, SchedulerOutputs } from '../../../../sim/policies/replica/vllm-v0-step-scheduler.js';
import { scoreItem } from '../../../../grader/core/lab.js';
import { runProbes, selectProbes } from '../../../../grader/kit/probes.js';
import { publicExpectedFile } from '../../../../grader/kit/public-expected.js';
import { UnitsInput } from '../../../../grader/kit/unit-wire.js';
import { lab } from '../../../../grader/labs/cfs/lab.js';
import { INTERVAL_0_PROBE, PROBES } from '../../../../grader/labs/cfs/probes.js';
import type { CfsModule } from '../../../../grader/labs/cfs/student.js';
import { CfsScheduler } from '../../../../reference/cfs/cfs-scheduler.js';

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
