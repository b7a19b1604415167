/**
 * `npm run try -- fairness`: both parts of your scheduler on the scenario workloads (public seed),
 * beside FCFS (the engine's plain vllm and sarathi schedulers) and the reference's published numbers,
 * each check the grader makes. A part whose file still throws "not implemented" shows as failed; the
 * other part still runs.
 */
import { REPLICA_SCHEDULERS } from '../../../sim/policies/replica/registry.js';
import type { ReplicaScheduler, ReplicaSchedulerInit } from '../../../sim/policies/replica/replica-scheduler.js';
import { loadExport, measureEach } from '../../kit/try.js';
import type { LabTry, TryMeasure } from '../../kit/try.js';
import type { SchedulerKind } from './schemas.js';
import { checkValue, formatValue, summarize } from './scenarios.js';
import { scenarioRun, WORKLOADS, type SchedulerFactory } from './workloads.js';

type Schedulers = Readonly<Record<SchedulerKind, SchedulerFactory | Error>>;
const PARTS = [
  ['vtc', 1, 'vtc-replica-scheduler.ts', 'VtcReplicaScheduler'],
  ['vtc-sarathi', 2, 'vtc-sarathi-replica-scheduler.ts', 'VtcSarathiReplicaScheduler'],
] as const;
const key = (part: number, label: string, title: string) => `part ${part}, ${label}: ${title}`;

export const fairnessTry: LabTry<Schedulers> = {
  lab: 'fairness',
  async load(dir) {
    const out: Partial<Record<SchedulerKind, SchedulerFactory | Error>> = {};
    for (const [kind, , file, name] of PARTS) {
      try {
        const Cls = await loadExport<new (init: ReplicaSchedulerInit) => ReplicaScheduler>(dir, file, name);
        out[kind] = (init) => new Cls(init);
      } catch (err) {
        out[kind] = err as Error;
      }
    }
    return { vtc: out.vtc!, 'vtc-sarathi': out['vtc-sarathi']! };
  },
  baselines: () => ({
    FCFS: { vtc: REPLICA_SCHEDULERS.vllm.create, 'vtc-sarathi': REPLICA_SCHEDULERS.sarathi.create },
  }),
  rows: () =>
    PARTS.flatMap(([, part]) => WORKLOADS.flatMap((def) => def.checks.map((c) => key(part, def.label, c.title)))),
  measure(schedulers, seed): TryMeasure {
    const parts = PARTS.map(([kind, part]): TryMeasure => {
      const make = schedulers[kind];
      if (make instanceof Error) return { values: {}, errors: [`part ${part}: ${make.message}`] };
      return measureEach(
        WORKLOADS,
        (def) => `part ${part}, ${def.label}`,
        (def) => {
          const s = summarize(scenarioRun(def, kind, seed), make);
          return Object.fromEntries(def.checks.map((c) => [key(part, def.label, c.title), checkValue(s, c)]));
        },
      );
    });
    return { values: Object.assign({}, ...parts.map((p) => p.values)), errors: parts.flatMap((p) => p.errors) };
  },
  format(k, v) {
    for (const def of WORKLOADS)
      for (const check of def.checks) if (k.endsWith(`${def.label}: ${check.title}`)) return formatValue(check, v);
    return String(v);
  },
  about:
    "Public workloads: the grader's scenario workloads drawn from the public seed; the hidden scenario items draw them from the hidden seed and judge each check against the reference and FCFS (labs/fairness/README.md).",
};
