/**
 * `npm run try -- autoscaling`: your InferLine autoscaler (with INFERLINE_CONFIG) and your custom
 * autoscaler at levels 1–3 on the shipped trace, beside the cluster without autoscaling, and the
 * reference's published numbers.
 */
import { REPO_ROOT } from '../../../sim/config/paths.js';
import type { Autoscaler } from '../../../sim/policies/autoscaler/autoscaler.js';
import { loadExport, measureEach, type LabTry } from '../../kit/try.js';
import type { Level, RunMetrics } from './schemas.js';
import { levelLabel, runMetrics, simulateCluster } from './simulate.js';
import { shippedTrace } from './workloads.js';

/** The autoscaler at a level, or undefined for a fixed cluster. */
type Policy = (level: Level) => Autoscaler | undefined;
const LEVELS: readonly Level[] = [0, 1, 2, 3];
const costKey = (level: Level) => `${levelLabel(level)}: total cost ($)`;
const p90Key = (level: Level) => `${levelLabel(level)}: P90 e2e (s)`;

export const autoscalingTry: LabTry<Policy> = {
  lab: 'autoscaling',
  async load(dir) {
    const load = <T>(file: string, name: string) => loadExport<T>(dir, file, name);
    type Ctor<A> = new (arg: A) => Autoscaler;
    const Inferline = await load<Ctor<unknown>>('inferline-autoscaler.ts', 'InferlineAutoscaler');
    const config = await load<unknown>('inferline-autoscaler.ts', 'INFERLINE_CONFIG');
    const Custom = await load<Ctor<1 | 2 | 3>>('custom-autoscaler.ts', 'CustomAutoscaler');
    return (level) => (level === 0 ? new Inferline(config) : new Custom(level));
  },
  baselines: () => ({ 'no autoscaling': () => undefined }),
  rows: () => LEVELS.flatMap((l) => [costKey(l), p90Key(l)]),
  measure(policy) {
    const { requests } = shippedTrace(REPO_ROOT);
    let fixed: RunMetrics | undefined;
    return measureEach(LEVELS, levelLabel, (level) => {
      const autoscaler = policy(level);
      // A fixed cluster gives the same run at every level: simulate it once.
      const m = autoscaler
        ? runMetrics(simulateCluster(requests, { autoscaler }))
        : (fixed ??= runMetrics(simulateCluster(requests, {})));
      return { [costKey(level)]: m.costDollars, [p90Key(level)]: m.p90 };
    });
  },
  format: (k, v) => (k.endsWith('($)') ? v.toFixed(2) : v.toFixed(3)),
  plots: [
    {
      title: 'Cost and P90 e2e latency on the shipped trace (custom levels 1–3)',
      x: 'total cost ($)',
      y: 'P90 e2e (s)',
      points: (m) =>
        ([1, 2, 3] as const).flatMap((l): [number, number][] => {
          const [cost, p90] = [m.values[costKey(l)], m.values[p90Key(l)]];
          return cost === undefined || p90 === undefined ? [] : [[cost, p90]];
        }),
    },
  ],
  about:
    'Workload: the shipped trace (traces/); the graded tuning and Pareto items run hidden traces of other shapes from the hidden seed (labs/autoscaling/README.md).',
};
