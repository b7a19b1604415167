/**
 * Charts of a scaling cluster: replicas over time against the observed arrival rate. Shared by the
 * sim CLI's `--plots` and the autoscaling lab's report (grader/labs/autoscaling/scenarios.ts).
 */
import type { TopLevelSpec } from 'vega-lite';
import { BASE_SPEC, dashEncoding, type Plot } from './charts.js';

export { replicaSteps } from '../metrics/replica-steps.js';

/** Seconds per bar of the observed arrival rate. */
export const RATE_BIN = 30;

/** Observed arrival rate, requests/s per `bin`-second bin, as [bin start, rate]; `arrivedAt` ascending. */
export function arrivalRate(arrivedAt: readonly number[], bin: number = RATE_BIN): [number, number][] {
  if (arrivedAt.length === 0) return [];
  const bins = new Map<number, number>();
  for (const t of arrivedAt) {
    const b = Math.floor(t / bin) * bin;
    bins.set(b, (bins.get(b) ?? 0) + 1);
  }
  const last = Math.floor(arrivedAt[arrivedAt.length - 1]! / bin) * bin;
  const out: [number, number][] = [];
  for (let b = 0; b <= last; b += bin) out.push([b, (bins.get(b) ?? 0) / bin]);
  return out;
}

export interface NamedSeries {
  readonly name: string;
  readonly points: readonly (readonly [number, number])[];
  /** Drawn dashed (the reference), so it shows where it coincides with a solid line. */
  readonly dashed?: boolean;
}

export const dash = (s: NamedSeries): string => (s.dashed === true ? 'dashed' : 'solid');

/** Replicas over time (step lines, left axis) against the observed arrival rate (shaded, right axis). */
export function replicasChart(opts: {
  title: string;
  arrivedAt: readonly number[];
  series: readonly NamedSeries[];
}): Plot {
  const rate = arrivalRate(opts.arrivedAt).map(([t, qps]) => ({ t, qps }));
  const replicas = opts.series.flatMap((s) =>
    s.points.map(([t, n]) => ({ t, replicas: n, series: s.name, dash: dash(s) })),
  );
  const x = { field: 't', type: 'quantitative', title: 'time (s)' } as const;
  const spec = {
    ...BASE_SPEC,
    title: opts.title,
    layer: [
      {
        data: { values: rate },
        mark: { type: 'area', interpolate: 'step-after', opacity: 0.25, color: '#888888' },
        encoding: {
          x,
          y: {
            field: 'qps',
            type: 'quantitative',
            title: 'arrival rate (requests/s, shaded)',
            axis: { orient: 'right' },
          },
        },
      },
      {
        data: { values: replicas },
        mark: { type: 'line', interpolate: 'step-after' },
        encoding: {
          x,
          y: { field: 'replicas', type: 'quantitative', title: 'replicas', axis: { orient: 'left', tickMinStep: 1 } },
          color: { field: 'series', type: 'nominal', title: null },
          strokeDash: dashEncoding,
        },
      },
    ],
    resolve: { scale: { y: 'independent' } },
  } as TopLevelSpec;
  return { title: opts.title, spec };
}

/** Fronts as (cost, P90) points joined in cost order, one series per front. */
export function frontChart(title: string, fronts: readonly NamedSeries[]): Plot {
  const values = fronts.flatMap((f) =>
    [...f.points]
      .sort((a, b) => a[0] - b[0])
      .map(([cost, p90], i) => ({ cost, p90, series: f.name, dash: dash(f), order: i })),
  );
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
  } as TopLevelSpec;
  return { title, spec };
}
