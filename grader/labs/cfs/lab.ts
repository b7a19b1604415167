/**
 * The CFS lab's rubric (labs/cfs/manifest.json): four unit items whose probes (probes.ts) are scored
 * against reference/cfs, and five scenario items on hidden bursts (scenarios.ts).
 */
import { defineLab } from '../../kit/define-lab.js';
import { allOrNothing } from '../../kit/rules.js';
import { timelinePair, reportRecorder } from '../../kit/timelines.js';
import { unitItem, type UnitLab } from '../../kit/unit-item.js';
import { INTERVAL_0_PROBE, PROBES, stepList } from './probes.js';
import { publicRun } from './workloads.js';
import { SCENARIOS } from './scenarios.js';
import { measure, replayStudent } from './simulate.js';
import { oracle, type CfsModule } from './student.js';
import { cfsTry } from './try.js';

const units: UnitLab<CfsModule> = { lab: 'cfs', oracle, probes: PROBES };
const cadence = unitItem(units, 'schedule-interval');
const run = publicRun(0);

/** schedule-interval is all or nothing, with the interval-0 run beside the reference's (FCFS there) in the report. */
const allOrNothingWithTimeline: typeof cadence.score = async (out, prepared, ctx, maxScore) => {
  const outcome = await cadence.score(out, prepared, ctx, maxScore);
  const steps = stepList(out.results.find((r) => r.name === INTERVAL_0_PROBE)?.value);
  const student = steps !== undefined ? replayStudent(run, { label: run.label, steps }, reportRecorder()) : {};
  const timelines = await timelinePair(
    `${run.label} (the reference at interval 0 is vLLM's default step)`,
    student.measured?.timeline,
    async () => {
      const { CfsScheduler } = await oracle.reference(ctx);
      return measure(run, (init) => new CfsScheduler(init), reportRecorder()).timeline!;
    },
  );
  const score = allOrNothing(outcome.score === maxScore, maxScore);
  return { ...outcome, score, message: `${outcome.message} (all or nothing)`, ...(timelines && { timelines }) };
};

export const lab = defineLab({
  lab: 'cfs',
  items: {
    'get-priority': unitItem(units, 'get-priority'),
    'priority-preemption': unitItem(units, 'priority-preemption'),
    'cfs-step': unitItem(units, 'cfs-step'),
    'schedule-interval': { ...cadence, score: allOrNothingWithTimeline },
    ...SCENARIOS,
  },
  tryout: cfsTry,
});
