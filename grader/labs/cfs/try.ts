/** `npm run try -- cfs`: your CfsScheduler on a public burst at several CFS intervals, beside FCFS (vLLM V0's default step). */
import { VllmV0Scheduler } from '../../../sim/policies/replica/vllm-v0-step-scheduler.js';
import { loadExport, measuredPoints, measureEach, type LabTry } from '../../kit/try.js';
import { derivedSeed } from '../../kit/seeds.js';
import { SWEEP_INTERVALS } from './scenarios.js';
import { measure, type MakeScheduler } from './simulate.js';
import type { CfsModule } from './student.js';
import { homeworkRun } from './workloads.js';

const ttftKey = (interval: number) => `try burst, interval ${interval}: P99 TTFT (s)`;
const tpotKey = (interval: number) => `try burst, interval ${interval}: mean TPOT (ms)`;

export const cfsTry: LabTry<MakeScheduler> = {
  lab: 'cfs',
  async load(dir) {
    const Cfs = await loadExport<CfsModule['CfsScheduler']>(dir, 'cfs-scheduler.ts', 'CfsScheduler');
    return (init) => new Cfs(init);
  },
  baselines: () => ({ FCFS: (init) => new VllmV0Scheduler(init) }),
  rows: () => SWEEP_INTERVALS.flatMap((i) => [ttftKey(i), tpotKey(i)]),
  measure(make, seed) {
    // A burst drawn like the homework's from its own seed: not the homework burst itself, whose numbers
    // the answer sheet asks you to measure with your own scheduler (publishing the reference's would answer them).
    const trySeed = derivedSeed(seed, 'cfs-try');
    return measureEach(
      SWEEP_INTERVALS,
      (i) => `interval ${i}`,
      (i) => {
        const m = measure(homeworkRun(`try burst, interval ${i}`, trySeed, i), make);
        return { [ttftKey(i)]: m.p99Ttft, [tpotKey(i)]: 1000 * m.meanTpot };
      },
    );
  },
  format: (k, v) => (k.endsWith('(ms)') ? v.toFixed(1) : v.toFixed(2)),
  plots: [
    {
      title: 'P99 TTFT on the try burst by CFS interval',
      x: 'CFS interval (steps; 0 = FCFS)',
      y: 'P99 TTFT (s)',
      points: measuredPoints(SWEEP_INTERVALS, ttftKey),
    },
  ],
  about:
    'Workload: a burst drawn like the homework burst (50 prompts at 3 req/s) from its own seed, 16 GiB swap per GPU; the answer sheet asks for numbers from your own runs on the homework burst, and hidden items use bursts from the hidden seed (labs/cfs/README.md).',
};
