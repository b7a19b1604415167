/** The autoscaling lab's report charts (Vega-Lite specs, rendered by grader/report). */
import type { TopLevelSpec } from 'vega-lite';
import { BASE_SPEC, type Plot } from '../../report/charts.js';
import { dash, dashEncoding, type NamedSeries } from '../../../sim/report/autoscaling-charts.js';

export { arrivalRate, replicasChart, replicaSteps, type NamedSeries } from '../../../sim/report/autoscaling-charts.js';

/** Fronts as (cost, P90) points joined in cost order, one series per front. */
export function frontChart(title: string, fronts: readonly NamedSeries[]): Plot {
  const values = fronts.flatMap((f) => [...f.points].sort((a, b) => a[0] - b[0]).map(([cost, p90], i) => ({ cost, p90, series: f.name, dash: dash(f), order: i })));
  const encoding = {
    x: { field: 'cost', type: 'quantitative', title: 'total cost ($)', scale: { zero: false } },
    y: { field: 'p90', type: 'quantitative', title: 'P90 e2e latency (s)', scale: { zero: false } },
    color: { field: 'series', type: 'nominal', title: null },
  };
  const spec = {
    ...BASE_SPEC,
    title,
    data: { values },
    layer: [
      { mark: { type: 'line' }, encoding: { ...encoding, order: { field: 'order' }, strokeDash: dashEncoding } },
      { mark: { type: 'point', filled: true, size: 60 }, encoding },
    ],
  } as unknown as TopLevelSpec;
  return { title, spec };
}
