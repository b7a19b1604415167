/**
 * `--plots DIR`: the plots of one run as SVG files, each beside the CSV of exactly the points it draws
 * (so a report can re-plot or tabulate them). What the CFS homework's report asks for (TTFT and TPOT per
 * request in issue order and as CDFs; KV and swap usage over time) and what the autoscaling lab's
 * notebook drew (replicas over time against the arrival rate, P90 latency and cost over time), plus
 * per-client service when the workload has several clients.
 *
 * Long runs are thinned to at most `MAX_POINTS` points per series (every k-th point plus the last), in
 * the SVG and the CSV alike; request_metrics.csv keeps every request.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SimulationResult } from '../engine/simulator.js';
import { cumulativeService, type ServiceLog } from '../metrics/fairness.js';
import { latenciesInIssueOrder } from '../metrics/kv-usage.js';
import { percentile } from '../metrics/stats.js';
import { arrivalRate, RATE_BIN, replicasChart, replicaSteps } from './autoscaling-charts.js';
import { lineChart, renderSvg, type Plot, type Series } from './charts.js';
import type { UsageSample } from './usage-recorder.js';

/** Most points drawn per series. */
export const MAX_POINTS = 2000;

export interface PlotFile {
  /** File name without extension: `<name>.svg` and `<name>.csv`. */
  readonly name: string;
  readonly plot: Plot;
  readonly csv: string;
}

export interface PlotInputs {
  readonly result: SimulationResult;
  /** Dollars per replica-hour (cost over time). */
  readonly costPerReplicaHour: number;
  /** KV usage samples of every replica (`UsageRecorder`). */
  readonly usage?: readonly UsageSample[];
  /** Service per client (`ServiceRecorder`); plotted when more than one client got service. */
  readonly service?: ServiceLog;
}

/** A CSV number: finite values rounded to 1e-9 (stable bytes, no float noise), others empty. */
const num = (x: number | null | undefined): string =>
  x === null || x === undefined || !Number.isFinite(x) ? '' : String(Math.round(x * 1e9) / 1e9);
const csv = (header: readonly string[], rows: readonly (readonly (string | number)[])[]): string =>
  `${[header.join(','), ...rows.map((r) => r.map((c) => (typeof c === 'number' ? num(c) : c)).join(','))].join('\n')}\n`;

/** Every k-th item plus the last, at most `max` items. */
export function thin<T>(items: readonly T[], max: number = MAX_POINTS): T[] {
  if (items.length <= max) return [...items];
  const step = Math.ceil(items.length / max);
  const out: T[] = [];
  for (let i = 0; i < items.length; i += step) out.push(items[i]!);
  if ((items.length - 1) % step !== 0) out.push(items[items.length - 1]!);
  return out;
}

/** Empirical CDF as (value, fraction ≤ value) points, one per sorted sample (thinned). */
export function cdfPoints(values: readonly number[]): [number, number][] {
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  return thin(Array.from(sorted, (v, i) => [v, (i + 1) / n] as [number, number]));
}

function cdfPlot(name: string, title: string, x: string, values: readonly number[]): PlotFile {
  const points = cdfPoints(values);
  return {
    name,
    plot: lineChart({ title, x, y: 'fraction of requests', series: [{ name: title, points }], step: true }),
    csv: csv(['value_s', 'fraction'], points),
  };
}

function perRequestPlot(
  name: string,
  title: string,
  y: string,
  column: string,
  ids: readonly number[],
  values: readonly (number | null)[],
): PlotFile {
  const rows = thin(ids.map((id, i) => [i + 1, id, values[i] ?? null] as const));
  const points = rows
    .filter((r): r is readonly [number, number, number] => r[2] !== null)
    .map((r) => [r[0], r[2]] as [number, number]);
  return {
    name,
    plot: lineChart({ title, x: 'request (issue order)', y, series: [{ name: column, points }] }),
    csv: csv(
      ['issue_index', 'request_id', column],
      rows.map(([i, id, v]) => [i, id, num(v)]),
    ),
  };
}

function byReplica(samples: readonly UsageSample[], value: (s: UsageSample) => number): Series[] {
  const ids = [...new Set(samples.map((s) => s.replicaId))].sort((a, b) => a - b);
  return ids.map((id) => ({
    name: `replica ${id}`,
    points: thin(samples.filter((s) => s.replicaId === id).map((s) => [s.time, value(s)] as [number, number])),
  }));
}

function usagePlots(samples: readonly UsageSample[]): PlotFile[] {
  const pct = (used: number, total: number) => (total === 0 ? 0 : (100 * used) / total);
  const perReplica = [...new Set(samples.map((s) => s.replicaId))]
    .sort((a, b) => a - b)
    .map((id) => thin(samples.filter((s) => s.replicaId === id)));
  const drawn = perReplica.flat().sort((a, b) => a.time - b.time || a.replicaId - b.replicaId);
  const out: PlotFile[] = [
    {
      name: 'kv-usage',
      plot: lineChart({
        title: 'GPU KV-cache usage',
        x: 'time (s)',
        y: 'GPU KV blocks used (%)',
        series: byReplica(drawn, (s) => pct(s.gpuBlocksUsed, s.gpuBlocks)),
        step: true,
      }),
      csv: csv(
        ['time', 'replica_id', 'gpu_kv_percent', 'gpu_kv_blocks', 'running', 'waiting'],
        drawn.map((s) => [
          s.time,
          s.replicaId,
          pct(s.gpuBlocksUsed, s.gpuBlocks),
          s.gpuBlocksUsed,
          s.running,
          s.waiting,
        ]),
      ),
    },
  ];
  if (samples.some((s) => s.cpuBlocks > 0)) {
    out.push({
      name: 'swap-usage',
      plot: lineChart({
        title: 'CPU swap pool usage',
        x: 'time (s)',
        y: 'CPU KV blocks used (%)',
        series: byReplica(drawn, (s) => pct(s.cpuBlocksUsed, s.cpuBlocks)),
        step: true,
      }),
      csv: csv(
        ['time', 'replica_id', 'cpu_kv_percent', 'cpu_kv_blocks', 'swapped'],
        drawn.map((s) => [s.time, s.replicaId, pct(s.cpuBlocksUsed, s.cpuBlocks), s.cpuBlocksUsed, s.swapped]),
      ),
    });
  }
  return out;
}

/** Cumulative cost at each membership change and at the end: replicas × $/hour integrated over time. */
export function costOverTime(
  result: Pick<SimulationResult, 'replicaTimeline' | 'endTime'>,
  costPerReplicaHour: number,
): [number, number][] {
  const steps = replicaSteps(result);
  const out: [number, number][] = [];
  let cost = 0;
  for (let i = 0; i < steps.length; i++) {
    if (i > 0) cost += (steps[i - 1]![1] * (steps[i]![0] - steps[i - 1]![0]) * costPerReplicaHour) / 3600;
    out.push([steps[i]![0], cost]);
  }
  return out;
}

/** P90 e2e latency of the requests arriving in each `bin`-second window (finished ones only). */
export function p90ByArrivalWindow(result: SimulationResult, bin: number = RATE_BIN): [number, number, number][] {
  const windows = new Map<number, number[]>();
  for (const r of result.requests) {
    if (r.completedAt === undefined) continue;
    const w = Math.floor(r.arrivedAt / bin) * bin;
    const list = windows.get(w) ?? [];
    list.push(r.completedAt - r.arrivedAt);
    windows.set(w, list);
  }
  return [...windows].sort((a, b) => a[0] - b[0]).map(([w, e2e]) => [w, percentile(e2e, 90), e2e.length]);
}

function clusterPlots(inputs: PlotInputs): PlotFile[] {
  const { result } = inputs;
  const arrivedAt = result.requests.map((r) => r.arrivedAt).sort((a, b) => a - b);
  const steps = replicaSteps(result);
  const rate = arrivalRate(arrivedAt);
  const p90 = p90ByArrivalWindow(result);
  const cost = costOverTime(result, inputs.costPerReplicaHour);
  return [
    {
      name: 'replicas',
      plot: replicasChart({
        title: 'Replicas over time against the arrival rate',
        arrivedAt,
        series: [{ name: 'replicas', points: steps }],
      }),
      csv: csv(
        ['series', 'time', 'value'],
        [
          ...steps.map(([t, n]) => ['replicas', t, n]),
          ...rate.map(([t, q]) => [`arrival_rate_per_${RATE_BIN}s_bin`, t, q]),
        ],
      ),
    },
    {
      name: 'p90-latency',
      plot: lineChart({
        title: `P90 e2e latency of the requests arriving in each ${RATE_BIN} s`,
        x: 'arrival time (s)',
        y: 'P90 e2e latency (s)',
        series: [{ name: 'P90 e2e', points: p90.map(([w, v]) => [w, v]) }],
        step: true,
      }),
      csv: csv(['window_start', 'p90_e2e_s', 'requests'], p90),
    },
    {
      name: 'cost',
      plot: lineChart({
        title: `Cumulative cost (total $${result.costDollars.toFixed(2)})`,
        x: 'time (s)',
        y: 'cost ($)',
        series: [{ name: 'cost', points: cost }],
      }),
      csv: csv(['time', 'cost_dollars'], cost),
    },
  ];
}

function servicePlot(log: ServiceLog): PlotFile | undefined {
  const clients = [...new Set(log.client)].sort((a, b) => a - b);
  if (clients.length < 2) return undefined;
  const series = clients.map((c) => ({ name: `client ${c}`, points: thin(cumulativeService(log, c)) }));
  return {
    name: 'client-service',
    plot: lineChart({
      title: 'Service received per client (1 per prompt token, 2 per output token)',
      x: 'time (s)',
      y: 'cumulative service',
      series,
      step: true,
    }),
    csv: csv(
      ['client_id', 'time', 'cumulative_service'],
      series.flatMap((s, i) => s.points.map(([t, v]) => [clients[i]!, t, v])),
    ),
  };
}

/** Every plot this run supports, in a fixed order. */
export function runPlots(inputs: PlotInputs): PlotFile[] {
  const lat = latenciesInIssueOrder(inputs.result.requests);
  const e2e = inputs.result.requests
    .filter((r) => r.completedAt !== undefined)
    .map((r) => r.completedAt! - r.arrivedAt);
  const files: PlotFile[] = [
    cdfPlot(
      'ttft-cdf',
      'TTFT CDF',
      'time to first token (s)',
      lat.ttft.filter((x): x is number => x !== null),
    ),
    cdfPlot(
      'tpot-cdf',
      'TPOT CDF',
      'time per output token (s)',
      lat.tpot.filter((x): x is number => x !== null),
    ),
    cdfPlot('e2e-cdf', 'End-to-end latency CDF', 'e2e latency (s)', e2e),
    perRequestPlot('ttft-by-request', 'TTFT per request, in issue order', 'TTFT (s)', 'ttft_s', lat.ids, lat.ttft),
    perRequestPlot('tpot-by-request', 'TPOT per request, in issue order', 'TPOT (s)', 'tpot_s', lat.ids, lat.tpot),
  ];
  if (inputs.usage !== undefined && inputs.usage.length > 0) files.push(...usagePlots(inputs.usage));
  files.push(...clusterPlots(inputs));
  const service = inputs.service === undefined ? undefined : servicePlot(inputs.service);
  if (service !== undefined) files.push(service);
  return files;
}

/** Writes `<name>.svg` and `<name>.csv` for each plot into `dir`; returns the file names written. */
export async function writePlots(dir: string, files: readonly PlotFile[]): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  for (const f of files) {
    writeFileSync(join(dir, `${f.name}.svg`), await renderSvg(f.plot.spec));
    writeFileSync(join(dir, `${f.name}.csv`), f.csv);
    written.push(`${f.name}.svg`, `${f.name}.csv`);
  }
  return written;
}
