/**
 * The CFS lab's child side: runs inside the sandbox with the student's scheduler bundled in. Unit
 * items run their probes (probes.ts); `simulate` and `answers` run whole bursts with the student's
 * scheduler and return every step, which the parent replays in its own engine to measure.
 */
import * as studentAnswers from '@student/cfs-answers.js';
import { CfsScheduler } from '@student/cfs-scheduler.js';
import { SwapSpaceExhaustedError } from '../../../sim/policies/replica/vllm-v0-step-scheduler.js';
import { childTask, serveLab } from '../../kit/driver.js';
import { describeThrown } from '../../kit/instance-hook.js';
import { encodeStep } from '../../kit/vllm-v0-step-replay.js';
import { PROBES } from './probes.js';
import {
  AnswersInput,
  SimulateInput,
  type AnswersOutput,
  type CfsRun,
  type RunSteps,
  type SimulateOutput,
} from './schemas.js';
import { simulateCfs } from './simulate.js';
import type { CfsModule } from './student.js';

const STUDENT_DIR = 'starter/cfs';

function runSteps(runs: readonly CfsRun[], m: CfsModule): RunSteps[] {
  return runs.map((run) => {
    const steps: number[] = [];
    try {
      simulateCfs(run, (init) => new m.CfsScheduler(init), { onStep: (s) => encodeStep(steps, s) });
    } catch (err) {
      // onSwapPoolFull chose 'raise': the run stops as vLLM V0's engine would; other errors stay fatal.
      if (!(err instanceof SwapSpaceExhaustedError)) throw err;
      return { label: run.label, steps, stopped: err.message.slice(0, 2000) };
    }
    return { label: run.label, steps };
  });
}

function answers(): Pick<AnswersOutput, 'answers' | 'answersError'> {
  try {
    return {
      answers: JSON.parse(JSON.stringify((studentAnswers as { answers?: unknown }).answers ?? null)) as unknown,
    };
  } catch (err) {
    return {
      answers: null,
      answersError: `cfs-answers.ts: answers is not plain data (${describeThrown(err, STUDENT_DIR)})`,
    };
  }
}

serveLab<CfsModule>({
  module: { CfsScheduler },
  studentDir: STUDENT_DIR,
  probes: PROBES,
  tasks: {
    simulate: childTask(
      SimulateInput,
      (input, m): SimulateOutput => ({ task: 'simulate', runs: runSteps(input.runs, m) }),
    ),
    answers: childTask(
      AnswersInput,
      (input, m): AnswersOutput => ({ task: 'answers', ...answers(), runs: runSteps(input.runs, m) }),
    ),
  },
});
