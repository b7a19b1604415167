/**
 * The CFS lab's child side: runs inside the sandbox with the student's scheduler bundled in. Unit
 * items run their probes (probes.ts); `simulate` and `answers` run whole bursts with the student's
 * scheduler and return every step, which the parent replays in its own engine to measure.
 */
// First: the child runtime must run before any student module body (grader/sandbox/child-runtime.ts).
import { childTask, serveLab } from '../../kit/driver.js';
import * as studentAnswers from '@student/cfs/cfs-answers.js';
import { CfsScheduler } from '@student/cfs/cfs-scheduler.js';
import { SwapSpaceExhaustedError } from '../../../sim/policies/replica/vllm-v0-step-scheduler.js';
import { describeThrown } from '../../kit/instance-hook.js';
import { encodeStep } from '../../kit/vllm-v0-step-replay.js';
import { PROBES } from './probes.js';
import { AnswersInput, SimulateInput, type CfsRun, type RunSteps } from './schemas.js';
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
function answers(): { answers: unknown; answersError?: string } {
  try {
    return {
      answers: JSON.parse(JSON.stringify((studentAnswers as { answers?: unknown }).answers ?? null)) as unknown,
    };
  } catch (err) {
    const why = describeThrown(err, 'starter/cfs');
    return { answers: null, answersError: `cfs-answers.ts: answers is not plain data (${why})` };
  }
}

serveLab<CfsModule>({
  module: { CfsScheduler },
  studentDir: 'starter/cfs',
  probes: PROBES,
  tasks: {
    simulate: childTask(SimulateInput, (input, m) => ({ task: 'simulate', runs: runSteps(input.runs, m) })),
    answers: childTask(AnswersInput, (input, m) => ({ task: 'answers', ...answers(), runs: runSteps(input.runs, m) })),
  },
});
