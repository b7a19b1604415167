/**
 * The CFS lab's child side, minus the student's module (driver.ts serves it in the sandbox; tests run
 * it in-process, grader/kit/in-process.ts). Unit items run their probes (probes.ts); `simulate` runs
 * whole bursts with the student's scheduler (and reads its answer sheet when asked) and returns every
 * step, which the parent replays in its own engine to measure.
 */
import { childTask, type LabChild } from '../../kit/driver.js';
import { SwapSpaceExhaustedError } from '../../../sim/policies/replica/vllm-v0-step-scheduler.js';
import { describeThrown } from '../../kit/instance-hook.js';
import { encodeStep } from '../../kit/vllm-v0-step-replay.js';
import { PROBES } from './probes.js';
import { SimulateInput, type CfsRun, type RunSteps } from './schemas.js';
import { simulateCfs } from './simulate.js';
import type { CfsModule } from './student.js';

function runSteps(runs: readonly CfsRun[], m: CfsModule): RunSteps[] {
  return runs.map(({ label, ...run }) => {
    const steps: number[] = [];
    try {
      simulateCfs({ label, ...run }, (init) => new m.CfsScheduler(init), { onStep: (s) => encodeStep(steps, s) });
    } catch (err) {
      // onSwapPoolFull chose 'raise': the run stops as vLLM V0's engine would; other errors stay fatal.
      if (!(err instanceof SwapSpaceExhaustedError)) throw err;
      return { label, steps, stopped: err.message.slice(0, 2000) };
    }
    return { label, steps };
  });
}

/** The student's answer sheet as plain data. */
function answers(m: CfsModule): { answers: unknown; answersError?: string } {
  try {
    return { answers: JSON.parse(JSON.stringify(m.answerSheet?.() ?? null)) as unknown };
  } catch (err) {
    const why = describeThrown(err, 'starter/cfs');
    return { answers: null, answersError: `cfs-answers.ts: answers is not plain data (${why})` };
  }
}

export const child: LabChild<CfsModule> = {
  studentDir: 'starter/cfs',
  probes: PROBES,
  tasks: {
    simulate: childTask(SimulateInput, (input, m) => ({
      task: 'simulate',
      ...(input.answers ? answers(m) : {}),
      runs: runSteps(input.runs, m),
    })),
  },
};
