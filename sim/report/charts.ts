/**
 * Plots as SVG, rendered in Node without a browser: labs describe a chart as a
 * Vega-Lite spec (data included) and the report renders it with Vega's headless SVG renderer.
 * vega-lite/vega are used rather than a hand-made plotter: axes, legends and scales come for free.
 */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/** Solid or dashed lines by a `dash` field ('solid' | 'dashed'), no legend: shared by every line chart. */
export const dashEncoding = {
  field: 'dash',
  type: 'nominal',
  scale: {
    domain: ['solid', 'dashed'],
    range: [
      [1, 0],
      [6, 4],
    ],
  },
  legend: null,
} as const;

export interface Plot {
  /** Shown above the chart and used for the file name in report.md's folder. */
  readonly title: string;
  readonly spec: TopLevelSpec;
}

export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

export interface Series {
  readonly name: string;
  readonly points: readonly (readonly [number, number])[];
  /** Draw this series dashed (e.g. the reference under the student's line, so both show where they coincide). */
  readonly dashed?: boolean;
}

/** What every chart spec starts from. */
export const BASE_SPEC = {
  $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
  width: 520,
  height: 240,
  background: 'white',
} as const;

/** Lines, one per series (e.g. service rate over time per client, student vs reference). */
export function lineChart(opts: {
  title: string;
  x: string;
  y: string;
  series: readonly Series[];
  step?: boolean;
}): Plot {
  const dashes = opts.series.some((s) => s.dashed === true);
  const values = opts.series.flatMap((s) =>
    s.points.map(([x, y]) => ({
      x,
      y,
      series: s.name,
      ...(dashes ? { dash: s.dashed === true ? 'dashed' : 'solid' } : {}),
    })),
  );
  return {
    title: opts.title,
    spec: {
      ...BASE_SPEC,
      title: opts.title,
      data: { values },
      mark: { type: 'line', interpolate: opts.step === true ? 'step-after' : 'linear' },
      encoding: {
        x: { field: 'x', type: 'quantitative', title: opts.x },
        y: { field: 'y', type: 'quantitative', title: opts.y },
        color: { field: 'series', type: 'nominal', title: null },
        ...(dashes
          ? {
              strokeDash: dashEncoding,
            }
          : {}),
      },
    } as TopLevelSpec,
  };
}

/** Empirical CDFs of several samples (e.g. e2e latency: yours vs baselines). */
export function cdfChart(opts: {
  title: string;
  x: string;
  samples: readonly { name: string; values: readonly number[] }[];
  maxPoints?: number;
}): Plot {
  const max = opts.maxPoints ?? 200;
  const series = opts.samples.map(({ name, values }) => {
    const sorted = [...values].sort((a, b) => a - b);
    const n = sorted.length;
    const step = Math.max(1, Math.floor(n / max));
    const points: [number, number][] = [];
    for (let i = 0; i < n; i += step) points.push([sorted[i]!, (i + 1) / n]);
    if (n > 0) points.push([sorted[n - 1]!, 1]);
    return { name, points };
  });
  return lineChart({ title: opts.title, x: opts.x, y: 'fraction of requests', series, step: true });
}

/** Bars (e.g. requests per replica). */
export function barChart(opts: {
  title: string;
  x: string;
  y: string;
  bars: readonly { label: string; value: number; group?: string }[];
}): Plot {
  return {
    title: opts.title,
    spec: {
      ...BASE_SPEC,
      title: opts.title,
      data: { values: opts.bars.map((b) => ({ label: b.label, value: b.value, group: b.group ?? '' })) },
      mark: 'bar',
      encoding: {
        x: { field: 'label', type: 'nominal', title: opts.x, sort: null },
        y: { field: 'value', type: 'quantitative', title: opts.y },
        ...(opts.bars.some((b) => b.group !== undefined)
          ? { color: { field: 'group', type: 'nominal', title: null }, xOffset: { field: 'group' } }
          : {}),
      },
    } as TopLevelSpec,
  };
}

/** Points (e.g. a Pareto front: cost vs latency), optionally joined in x order per series. */
export function scatterChart(opts: {
  title: string;
  x: string;
  y: string;
  series: readonly Series[];
  connect?: boolean;
}): Plot {
  const values = opts.series.flatMap((s) => s.points.map(([x, y]) => ({ x, y, series: s.name })));
  return {
    title: opts.title,
    spec: {
      ...BASE_SPEC,
      title: opts.title,
      data: { values },
      // `filled` on a line mark would fill the polygon under it, so it is set only for bare points.
      mark: opts.connect === true ? { type: 'line', point: true } : { type: 'point', filled: true },
      encoding: {
        x: { field: 'x', type: 'quantitative', title: opts.x, scale: { zero: false } },
        y: { field: 'y', type: 'quantitative', title: opts.y, scale: { zero: false } },
        color: { field: 'series', type: 'nominal', title: null },
        order: { field: 'x' },
      },
    } as TopLevelSpec,
  };
}
