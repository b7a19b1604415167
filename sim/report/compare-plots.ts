/**
 * Plots comparing several runs of one workload, one series per run: what the CFS homework's report
 * compares (CFS off and on, and across cfsInterval). Written by `--cfs-interval-sweep … --plots DIR`;
 * each SVG has its CSV in long form (one `run` column), holding exactly the points drawn.
 */
import type { SimulationResult } from '../engine/simulator.js';
import { latenciesInIssueOrder } from '../metrics/kv-usage.js';
import type { TopLevelSpec } from 'vega-lite';
import { percentile } from '../metrics/stats.js';
import { BASE_SPEC, lineChart } from './charts.js';
import { cdfPoints, thin, type PlotFile } from './run-plots.js';
import type { UsageSample } from './usage-recorder.js';

export interface LabelledRun {
  /** Series name and CSV `run` value, e.g. "interval 0 (FCFS)". */
  readonly label: string;
  readonly result: SimulationResult;
  /** KV usage of the run's first replica. */
  readonly usage: readonly UsageSample[];
}

const num = (x: number): string => (Number.isFinite(x) ? String(Math.round(x * 1e9) / 1e9) : '');
const quote = (s: string): string => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

function plotFile(
  name: string,
  title: string,
  x: string,
  y: string,
  columns: readonly [string, string],
  series: { name: string; points: [number, number][] }[],
  step: boolean,
): PlotFile {
  const rows = series.flatMap((s) => s.points.map(([a, b]) => `${quote(s.name)},${num(a)},${num(b)}`));
  return {
    name,
    plot: lineChart({ title, x, y, series, step }),
    csv: `run,${columns.join(',')}\n${rows.map((r) => `${r}\n`).join('')}`,
  };
}

/** P99 TTFT against P99 TPOT, one point per run, joined in run order (the interval trade-off). */
function tradeoffPlot(runs: readonly LabelledRun[], samples: readonly { ttft: number[]; tpot: number[] }[]): PlotFile {
  const rows = runs.map((r, i) => ({
    label: r.label,
    ttft: percentile(samples[i]!.ttft, 99),
    tpot: percentile(samples[i]!.tpot, 99),
  }));
  const title = 'P99 TTFT against P99 TPOT';
  const spec = {
    ...BASE_SPEC,
    title,
    data: { values: rows.map((r, i) => ({ ...r, tpotMs: 1000 * r.tpot, order: i })) },
    layer: [
      {
        mark: { type: 'line', color: '#888888' },
        encoding: {
          x: { field: 'tpotMs', type: 'quantitative', title: 'P99 TPOT (ms)', scale: { zero: false } },
          y: { field: 'ttft', type: 'quantitative', title: 'P99 TTFT (s)' },
          order: { field: 'order' },
        },
      },
      {
        mark: { type: 'point', filled: true, size: 70 },
        encoding: {
          x: { field: 'tpotMs', type: 'quantitative' },
          y: { field: 'ttft', type: 'quantitative' },
          color: { field: 'label', type: 'nominal', title: null, sort: null },
        },
      },
    ],
  } as TopLevelSpec;
  return {
    name: 'p99-tradeoff',
    plot: { title, spec },
    csv: `run,p99_ttft_s,p99_tpot_s\n${rows.map((r) => `${quote(r.label)},${num(r.ttft)},${num(r.tpot)}\n`).join('')}`,
  };
}

export function comparePlots(runs: readonly LabelledRun[]): PlotFile[] {
  const lat = runs.map((r) => ({ label: r.label, ...latenciesInIssueOrder(r.result.requests) }));
  const perRequest = (values: (number | null)[]) =>
    thin(values.map((v, i) => [i + 1, v] as const))
      .filter((p): p is readonly [number, number] => p[1] !== null)
      .map(([i, v]) => [i, v] as [number, number]);
  const defined = (values: (number | null)[]) => values.filter((v): v is number => v !== null);
  const pct = (used: number, total: number) => (total === 0 ? 0 : (100 * used) / total);
  const files = [
    plotFile(
      'ttft-cdf',
      'TTFT CDF',
      'time to first token (s)',
      'fraction of requests',
      ['ttft_s', 'fraction'],
      lat.map((l) => ({ name: l.label, points: cdfPoints(defined(l.ttft)) })),
      true,
    ),
    plotFile(
      'tpot-cdf',
      'TPOT CDF',
      'time per output token (s)',
      'fraction of requests',
      ['tpot_s', 'fraction'],
      lat.map((l) => ({ name: l.label, points: cdfPoints(defined(l.tpot)) })),
      true,
    ),
    plotFile(
      'ttft-by-request',
      'TTFT per request, in issue order',
      'request (issue order)',
      'TTFT (s)',
      ['issue_index', 'ttft_s'],
      lat.map((l) => ({ name: l.label, points: perRequest(l.ttft) })),
      false,
    ),
    plotFile(
      'tpot-by-request',
      'TPOT per request, in issue order',
      'request (issue order)',
      'TPOT (s)',
      ['issue_index', 'tpot_s'],
      lat.map((l) => ({ name: l.label, points: perRequest(l.tpot) })),
      false,
    ),
    plotFile(
      'kv-usage',
      'GPU KV-cache usage',
      'time (s)',
      'GPU KV blocks used (%)',
      ['time', 'gpu_kv_percent'],
      runs.map((r) => ({
        name: r.label,
        points: thin(r.usage.map((s) => [s.time, pct(s.gpuBlocksUsed, s.gpuBlocks)] as [number, number])),
      })),
      true,
    ),
  ];
  if (runs.some((r) => r.usage.some((s) => s.cpuBlocks > 0))) {
    files.push(
      plotFile(
        'swap-usage',
        'CPU swap pool usage',
        'time (s)',
        'CPU KV blocks used (%)',
        ['time', 'cpu_kv_percent'],
        runs.map((r) => ({
          name: r.label,
          points: thin(r.usage.map((s) => [s.time, pct(s.cpuBlocksUsed, s.cpuBlocks)] as [number, number])),
        })),
        true,
      ),
    );
  }
  files.push(
    plotFile(
      'waiting',
      'Requests waiting for a prefill (pending)',
      'time (s)',
      'pending requests',
      ['time', 'waiting'],
      runs.map((r) => ({ name: r.label, points: thin(r.usage.map((s) => [s.time, s.waiting] as [number, number])) })),
      true,
    ),
  );
  files.push(
    tradeoffPlot(
      runs,
      lat.map((l) => ({ ttft: defined(l.ttft), tpot: defined(l.tpot) })),
    ),
  );
  return files;
}
