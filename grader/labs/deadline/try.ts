/**
 * `npm run try -- deadline`: your scheduler on public-seed workloads (conversation- and code-like
 * lengths) at a moderate and an overloaded rate, beside Sarathi with FCFS and with EDF, and the
 * reference's published numbers. Capacity itself (a search over rates) is left to the grader.
 */
import { REPLICA_SCHEDULERS } from '../../../sim/policies/replica/registry.js';
import type { DeadlineOptions } from '../../../sim/policies/replica/deadline/deadline-options.js';
import type { ReplicaScheduler, ReplicaSchedulerInit } from '../../../sim/policies/replica/replica-scheduler.js';
import { derivedSeed } from '../../kit/seeds.js';
import { loadExport } from '../../core/load-module.js';
import type { LabTry, TryMeasure } from '../../core/try.js';

import {
  drawWorkload,
  OVERLOAD_QPS,
  SEARCH_RANGE,
  simulateAt,
  violationsOf,
  type SchedulerFactory,
} from './simulate.js';
import type { WorkloadLengths } from './schemas.js';

const LENGTHS: readonly WorkloadLengths[] = ['conv', 'code'];
const rates = (lengths: WorkloadLengths) => [
  SEARCH_RANGE[lengths].low,
  SEARCH_RANGE[lengths].high,
  OVERLOAD_QPS[lengths],
];
const key = (lengths: WorkloadLengths, qps: number) => `${lengths}-like at ${qps} req/s: worst tier missed (%)`;
const publicSpec = (lengths: WorkloadLengths, seed: number) => ({
  lengths,
  seed: derivedSeed(seed, `deadline-try-${lengths}`),
});

export const deadlineTry: LabTry<SchedulerFactory> = {
  lab: 'deadline',
  async load(dir) {
    const Scheduler = await loadExport<new (init: ReplicaSchedulerInit, options: DeadlineOptions) => ReplicaScheduler>(
      dir,
      'deadline-scheduler.ts',
      'DeadlineScheduler',
    );
    return (init, options) => new Scheduler(init, options);
  },
  baselines: () => ({
    'Sarathi FCFS': REPLICA_SCHEDULERS['sarathi-fcfs'].create,
    'Sarathi EDF': REPLICA_SCHEDULERS['sarathi-edf'].create,
  }),
  rows: () => LENGTHS.flatMap((l) => rates(l).map((q) => key(l, q))),
  measure(make, seed): TryMeasure {
    const values: Record<string, number> = {};
    const errors: string[] = [];
    for (const lengths of LENGTHS) {
      const w = drawWorkload(publicSpec(lengths, seed));
      for (const qps of rates(lengths)) {
        try {
          values[key(lengths, qps)] = 100 * violationsOf(simulateAt(w, qps, make)).maxRate;
        } catch (err) {
          errors.push(`${lengths} at ${qps} req/s: ${(err as Error).message}`);
        }
      }
    }
    return { values, errors };
  },
  format: (_k, v) => `${v.toFixed(2)}%`,
  plots: LENGTHS.map((lengths) => ({
    title: `Worst-tier deadline misses, ${lengths}-like lengths`,
    x: 'requests per second',
    y: '% missed (worst tier)',
    points: (m: TryMeasure) =>
      rates(lengths).flatMap((q) =>
        m.values[key(lengths, q)] === undefined ? [] : [[q, m.values[key(lengths, q)]!] as [number, number]],
      ),
  })),
  about:
    'Workloads: conversation- and code-like requests with tiers drawn from the seed, at the ends of the capacity search range and at the overload rate; the graded capacity and overload items run hidden workloads from the hidden seed (labs/deadline/README.md).',
};
