/**
 * `npm run try -- deadline`: your scheduler on public-seed workloads (conversation- and code-like lengths) at the
 * ends of the capacity search range and at the overload rate, beside Sarathi with FCFS and with EDF. Capacity itself
 * (a search over rates) is left to the grader.
 */
import { REPLICA_SCHEDULERS } from '../../../sim/policies/replica/registry.js';
import { derivedSeed } from '../../kit/seeds.js';
import { loadExport, measuredPoints, measureEach, type LabTry } from '../../kit/try.js';
import type { WorkloadLengths } from './schemas.js';
import { drawWorkload, OVERLOAD_QPS, SEARCH_RANGE, simulateAt, violationsOf } from './simulate.js';
import type { SchedulerFactory } from './simulate.js';
import type { DeadlineModule } from './student.js';

const LENGTHS: readonly WorkloadLengths[] = ['conv', 'code'];
const rates = (l: WorkloadLengths) => [SEARCH_RANGE[l].low, SEARCH_RANGE[l].high, OVERLOAD_QPS[l]];
const key = (l: WorkloadLengths, qps: number) => `${l}-like at ${qps} req/s: worst tier missed (%)`;
const sarathi = (order: 'fcfs' | 'edf') => REPLICA_SCHEDULERS[`sarathi-${order}`].create;
type Scheduler = DeadlineModule['DeadlineScheduler'];
const runs = LENGTHS.flatMap((lengths) => rates(lengths).map((qps) => [lengths, qps] as const));

/** The worst tier's misses (%) on the `lengths`-like try workload of `seed` at `qps`. */
const missed =
  (make: SchedulerFactory, seed: number) =>
  ([lengths, qps]: (typeof runs)[number]) => {
    const w = drawWorkload({ lengths, seed: derivedSeed(seed, `deadline-try-${lengths}`) });
    return { [key(lengths, qps)]: 100 * violationsOf(simulateAt(w, qps, make)).maxRate };
  };

export const deadlineTry: LabTry<SchedulerFactory> = {
  lab: 'deadline',
  async load(dir) {
    const Scheduler = await loadExport<Scheduler>(dir, 'deadline-scheduler.ts', 'DeadlineScheduler');
    return (init, options) => new Scheduler(init, options);
  },
  baselines: () => ({ 'Sarathi FCFS': sarathi('fcfs'), 'Sarathi EDF': sarathi('edf') }),
  rows: () => runs.map(([l, q]) => key(l, q)),
  measure: (make, seed) => measureEach(runs, ([l, qps]) => `${l} at ${qps} req/s`, missed(make, seed)),
  format: (_k, v) => `${v.toFixed(2)}%`,
  plots: LENGTHS.map((lengths) => ({
    title: `Worst-tier deadline misses, ${lengths}-like lengths`,
    x: 'requests per second',
    y: '% missed (worst tier)',
    points: measuredPoints(rates(lengths), (q) => key(lengths, q)),
  })),
  about:
    'Workloads: conversation- and code-like requests with tiers drawn from the seed, at the ends of the capacity search range and at the overload rate; the graded capacity and overload items run hidden workloads from the hidden seed (labs/deadline/README.md).',
};
