/**
 * `npm run try -- fairness`: both parts of your scheduler on the scenario workloads (public seed),
 * beside FCFS (the engine's plain vllm and sarathi schedulers) and the reference's published numbers,
 * each check the grader makes. A part whose file still throws "not implemented" shows as failed; the
 * other part still runs.
 */
import { measureEach, type LabTry } from '../../kit/try.js';
import { SchedulerKind } from './schemas.js';
import { checkValue, formatValue, summarize } from './scenarios.js';
import { oracle, schedulerClass } from './student.js';
import { engineFcfs, scenarioRun, WORKLOADS, type SchedulerFactory } from './workloads.js';

const PARTS = SchedulerKind.options.map((kind, i) => [kind, i + 1] as const);
const key = (part: number, label: string, title: string) => `part ${part}, ${label}: ${title}`;

/** Each part's scheduler: the student's (built from the files in a folder) or FCFS. */
export const fairnessTry: LabTry<(kind: SchedulerKind) => SchedulerFactory> = {
  lab: 'fairness',
  async load(dir) {
    const m = await oracle.load(dir);
    return (kind) => (init) => new (schedulerClass(m, kind))(init);
  },
  baselines: () => ({ FCFS: engineFcfs }),
  rows: () =>
    PARTS.flatMap(([, part]) => WORKLOADS.flatMap((def) => def.checks.map((c) => key(part, def.label, c.title)))),
  measure: (schedulers, seed) =>
    measureEach(
      PARTS.flatMap(([kind, part]) => WORKLOADS.map((def) => ({ kind, part, def }))),
      ({ part, def }) => `part ${part}, ${def.label}`,
      ({ kind, part, def }) => {
        const s = summarize(scenarioRun(def, kind, seed), schedulers(kind));
        return Object.fromEntries(def.checks.map((c) => [key(part, def.label, c.title), checkValue(s, c)]));
      },
    ),
  format(k, v) {
    for (const def of WORKLOADS)
      for (const check of def.checks) if (k.endsWith(`${def.label}: ${check.title}`)) return formatValue(check, v);
    return String(v);
  },
  about:
    "Public workloads: the grader's scenario workloads drawn from the public seed; the hidden scenario items draw them from the hidden seed and judge each check against the reference and FCFS (labs/fairness/README.md).",
};
