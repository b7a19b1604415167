/**
 * The autoscaling lab's scenario items. The child runs the student's autoscalers and returns their
 * tune() decisions; the latency and cost that are scored come from replaying those decisions in the
 * parent's own engine, against the reference's runs on the same hidden traces (cached by seed and
 * code hash, grader/kit/result-cache.ts, so grading runs only the submission).
 */
import type { SimulationObserver } from '../../../sim/engine/simulator.js';
import type { TimelineRecorder } from '../../../sim/metrics/timeline/index.js';
import { hypervolume, referencePoint } from '../../../sim/metrics/hypervolume.js';
import { mean } from '../../../sim/metrics/stats.js';
import { frontChart, replicasChart } from '../../../sim/report/autoscaling-charts.js';
import { ReplayAutoscaler } from '../../kit/autoscaler-replay.js';
import { lineChart, type Plot, type TimelinePair } from '../../kit/charts.js';
import { costSlope, WorkGrowth } from '../../kit/cost-growth.js';
import { InvalidOutput, type ItemContext, type ItemImplementation, type ItemOutcome } from '../../kit/item.js';
import { fmt, pct, textTable } from '../../kit/messages.js';
import { cached } from '../../kit/result-cache.js';
import { linear, roundPoints } from '../../kit/rules.js';
import { seriesRecorder, windowRecorder } from '../../kit/timelines.js';
import {
  InferlineConfig,
  RunRecord,
  SimOutput,
  type Level,
  type RunMetrics,
  type ScalingInput,
  type SimInput,
  type SimRun,
} from './schemas.js';
import { autoscalerAt, callsAt, levelLabel, runMetrics, simulateCluster } from './simulate.js';
import { oracle } from './student.js';
import { hiddenWorkloads, shippedTrace, timelineTrace } from './workloads.js';

/** The tuning item: full marks within ×FULL of the reference's P90 and cost on a trace, none from ×ZERO. */
export const TUNING_RATIO = { full: 1.1, zero: 1.6 } as const;

/** The efficiency check: a slope (log2 of the work-per-call ratio per doubling of n) above this is flagged. */
export const MAX_COST_SLOPE = 0.5;

const money = (x: number) => `$${x.toFixed(2)}`;

/** A chart's two series: the student's, and the reference's dashed. */
const versus = <P>(ours: P, theirs: P) => [
  { name: 'yours', points: ours },
  { name: 'reference', points: theirs, dashed: true },
];

const DEQUE_HINT =
  'Hint: keep, per (W, L) pair, state that each arrival enters and leaves once (the handout describes a monotone deque of window sums).';

// ---- efficiency (status only) -------------------------------------------------------------------

/**
 * The student's envelope is built with its work counted (grader/build/count-work.ts): one per loop
 * iteration and per function call. The work per call must not grow with the number of arrivals in the
 * look-back; counts do not depend on the machine, so the verdict is the same on every regrade.
 */
export const scalingItem: ItemImplementation<ScalingInput, WorkGrowth> = {
  output: WorkGrowth,
  prepare(ctx) {
    const sizes = [512, 1024, 2048, 4096, 8192];
    const input: ScalingInput = { task: 'scaling', sizes, arrivalsPerQuery: 4, maxRunMs: 3000, seed: ctx.publicSeed };
    return { input, prepared: input };
  },
  score(out, input): ItemOutcome {
    const sizes = input.sizes.slice(0, out.work.length);
    const perCall = out.work.map((w, i) => w / callsAt(sizes[i]!, input.arrivalsPerQuery));
    const slope = out.tooSlowMs !== undefined ? Number.POSITIVE_INFINITY : costSlope(sizes, perCall);
    const passed = slope <= MAX_COST_SLOPE;
    const growth = perCall.map((w, i) => `${sizes[i]} arrivals: ${w.toFixed(1)}`).join(', ');
    const message = passed
      ? 'passed: the work of your envelope per arrival and per query does not grow with the number of requests (informational, 0 points)'
      : out.tooSlowMs !== undefined
        ? `flagged: a single run took more than ${out.tooSlowMs / 1000} s, so your envelope's cost per operation grows with the number of requests; O(1) amortised is expected (informational, 0 points)`
        : `flagged: your envelope's cost per arrival and per query grows with the number of requests (as when every query scans the stored arrivals): ×${(2 ** slope).toFixed(2)} per doubling; O(1) amortised is expected (informational, 0 points)`;
    return {
      score: 0,
      passed,
      message,
      output: [
        `How it is measured: your envelope runs ${input.sizes[0]} to ${input.sizes.at(-1)} arrivals (doubling) in the same 100 s, with one query of each`,
        `of two (W, L) pairs per ${input.arrivalsPerQuery} arrivals, built so that every loop iteration and every function call counts one unit of work.`,
        `The work per call must grow by at most ×${(2 ** MAX_COST_SLOPE).toFixed(2)} per doubling (a robust slope over the sizes). Yours: ${growth}.`,
        ...(passed ? [] : [DEQUE_HINT]),
      ].join('\n'),
      plots: [
        lineChart({
          title: 'Counted work per call of your envelope (flat = O(1) amortised)',
          x: 'arrivals in the same 100 s',
          y: 'work per call',
          series: [{ name: 'yours', points: perCall.map((w, i) => [sizes[i]!, w] as const) }],
        }),
      ],
    };
  },
};

// ---- runs: the student's replayed, the reference's cached ---------------------------------------

/** The student's run of `w` at `level`, replayed from its recorded decisions. */
function replay(out: SimOutput, w: SimRun, level: Level, observers: readonly SimulationObserver[] = []) {
  const run = out.runs.find((r) => r.label === w.label && r.level === level);
  if (run === undefined)
    throw new InvalidOutput(`no result for ${w.label}${level === 0 ? '' : `, service level ${level}`}`);
  if (!(run.tuneInterval >= 1 && run.tuneInterval <= 60))
    throw new InvalidOutput(`tuneInterval ${run.tuneInterval} is outside 1–60 s`);
  return simulateCluster(w.requests, { autoscaler: new ReplayAutoscaler(run.tuneInterval, run.deltas), observers });
}

/** The reference's run of `w` (an item's hidden workload `item`) at `level`, cached per hidden seed. */
function referenceRun(ctx: ItemContext, item: string, w: SimRun, level: Level): Promise<RunRecord> {
  const what = `reference level ${level}, ${item}: ${w.label}`;
  return cached({ repoRoot: ctx.repoRoot, lab: 'autoscaling', what, seed: ctx.hiddenSeed }, RunRecord, async () =>
    runMetrics(simulateCluster(w.requests, { autoscaler: autoscalerAt(await oracle.reference(ctx), level) })),
  );
}

// ---- tuning -------------------------------------------------------------------------------------

/** Problems with the student's INFERLINE_CONFIG, as the child reported it. */
export function configProblems(config: Record<string, unknown> | undefined): string[] {
  if (config === undefined) return ['INFERLINE_CONFIG was not reported'];
  const got = InferlineConfig.safeParse(config);
  return (got.error?.issues ?? []).map(({ path: [key], message }) =>
    key === undefined
      ? `INFERLINE_CONFIG.${message}`
      : `INFERLINE_CONFIG.${String(key)} must be ${message}, got ${String(config[String(key)])}`,
  );
}

/** Share of a trace's tuning marks: 1 within ×1.1 of the reference on both P90 and cost, 0 from ×1.6. */
export function tuningShare(ours: RunMetrics, ref: RunMetrics): { share: number; ratio: number } {
  const ratio = Math.max(ours.p90 / ref.p90, ours.costDollars / ref.costDollars);
  if (!Number.isFinite(ratio) || ours.completed < ours.total) return { share: 0, ratio: Number.POSITIVE_INFINITY };
  return { share: linear(ratio, TUNING_RATIO.zero, TUNING_RATIO.full, 1), ratio };
}

/**
 * The report's side-by-side timeline of the public timeline trace: these runs are long, so a first
 * pass keeps a coarse series and the report re-runs both for the window it picks.
 */
async function tuningTimelines(w: SimRun, out: SimOutput, ctx: ItemContext): Promise<TimelinePair> {
  const ref = await oracle.reference(ctx);
  const pair = (a: TimelineRecorder, b: TimelineRecorder) => ({
    student: { recorder: a, endTime: replay(out, w, 0, [a]).endTime },
    reference: {
      recorder: b,
      endTime: simulateCluster(w.requests, { autoscaler: autoscalerAt(ref, 0), observers: [b] }).endTime,
    },
  });
  return {
    workload: w.label,
    ...pair(seriesRecorder(), seriesRecorder()),
    rerecord: (window) => pair(windowRecorder(window), windowRecorder(window)),
  };
}

export const tuningItem: ItemImplementation<{ workloads: SimRun[]; timeline: SimRun }, SimOutput> = {
  output: SimOutput,
  prepare(ctx) {
    const workloads = hiddenWorkloads(ctx.hiddenSeed, 'tuning');
    const timeline = timelineTrace(ctx.repoRoot);
    // The last run is the public one, only for the report's timeline: never scored.
    const input: SimInput = { task: 'simulate', runs: [...workloads, timeline], levels: [0], keepGoing: false };
    return { input, prepared: { workloads, timeline } };
  },
  async score(out, { workloads, timeline }, ctx, maxScore): Promise<ItemOutcome> {
    const config = out.runs[0]?.config;
    const problems = configProblems(config);
    if (problems.length > 0)
      return { score: 0, message: `your INFERLINE_CONFIG is not valid: ${problems[0]}`, output: problems.join('\n') };
    const rows: string[][] = [];
    const shares: number[] = [];
    const plots: Plot[] = [];
    for (const w of workloads) {
      const [ours, theirs] = [runMetrics(replay(out, w, 0)), await referenceRun(ctx, 'tuning', w, 0)];
      const { share, ratio } = tuningShare(ours, theirs);
      shares.push(share);
      const worse = Number.isFinite(ratio) ? `×${ratio.toFixed(2)}` : '-';
      const both = [ours, theirs].flatMap((m) => [money(m.costDollars), fmt(m.p90)]);
      rows.push([w.label, String(w.requests.arrivedAt.length), ...both, worse, pct(share, 0)]);
      const series = versus(ours.steps, theirs.steps);
      plots.push(replicasChart({ title: `Replicas over time, ${w.label}`, arrivedAt: w.requests.arrivedAt, series }));
    }
    const share = mean(shares);
    // The timeline is an extra (grader/kit/timelines.ts): a run that is missing or does not replay has none.
    const timelines = await tuningTimelines(timeline, out, ctx).catch(() => undefined);
    return {
      score: roundPoints(maxScore * share),
      message: `${(100 * share).toFixed(0)}% of the marks over ${workloads.length} hidden traces (full marks per trace within ×${TUNING_RATIO.full} of the reference's P90 and cost, none from ×${TUNING_RATIO.zero})`,
      output: [
        `Your InferlineAutoscaler with INFERLINE_CONFIG = ${JSON.stringify(config)}`,
        textTable(
          ['trace', 'requests', 'your cost', 'your P90 (s)', 'ref cost', 'ref P90 (s)', 'worse ratio', 'share'],
          rows,
        ),
      ].join('\n'),
      plots,
      extra: { tuningRatios: rows.map((r) => r[6]) },
      ...(timelines !== undefined ? { timelines } : {}),
    };
  },
};

// ---- Pareto front -------------------------------------------------------------------------------

const LEVELS = [1, 2, 3] as const;

/** A front that is one configuration earns at most this share: its best point alone anchors it. */
export const ONE_POINT_SHARE = 0.4;

/**
 * A trace's share of the Pareto marks, between one point and the reference front: ONE_POINT_SHARE × HV /
 * HV₁ up to HV₁, the hypervolume of the reference's best single level; from there linear to 1 at HV_ref.
 * Three levels that are one configuration reach HV₁ at best, however good that configuration is.
 */
export function paretoShare(hv: number, hvOne: number, hvRef: number): number {
  if (!(hvRef > hvOne)) return hvRef > 0 ? Math.min(1, hv / hvRef) : 1;
  if (hv <= hvOne) return (ONE_POINT_SHARE * hv) / hvOne;
  return Math.min(1, ONE_POINT_SHARE + ((1 - ONE_POINT_SHARE) * (hv - hvOne)) / (hvRef - hvOne));
}

const frontPoint = ([cost, latency]: readonly [number, number]) => ({ cost, latency });
const runPoint = (m: RunMetrics) => frontPoint([m.costDollars, finishedP90(m)]);
const finishedP90 = (m: RunMetrics) =>
  m.completed < m.total || !Number.isFinite(m.p90) ? Number.POSITIVE_INFINITY : m.p90;
const chartPoint = (m: RunMetrics) => [m.costDollars, m.p90] as const;
const cell = (m: RunMetrics) => `${money(m.costDollars)} / ${fmt(m.p90)}`;

export const paretoItem: ItemImplementation<SimRun[], SimOutput> = {
  output: SimOutput,
  prepare(ctx) {
    const workloads = hiddenWorkloads(ctx.hiddenSeed, 'pareto');
    const input: SimInput = { task: 'simulate', runs: workloads, levels: [...LEVELS], keepGoing: false };
    return { input, prepared: workloads };
  },
  async score(out, workloads, ctx, maxScore): Promise<ItemOutcome> {
    const rows: string[][] = [];
    const [ratios, hvRatios]: number[][] = [[], []];
    const plots: Plot[] = [];
    const notes: string[] = [];
    for (const w of workloads) {
      const ours = LEVELS.map((level) => runMetrics(replay(out, w, level)));
      const theirs: RunMetrics[] = [];
      for (const level of LEVELS) theirs.push(await referenceRun(ctx, 'pareto', w, level));
      const box = referencePoint(w.requests.arrivedAt.length);
      const hvOurs = hypervolume(ours.map(runPoint), box);
      const hvRef = hypervolume(theirs.map(runPoint), box);
      const hvOne = Math.max(...theirs.map((m) => hypervolume([runPoint(m)], box)));
      const ratio = paretoShare(hvOurs, hvOne, hvRef);
      ratios.push(ratio);
      hvRatios.push(hvRef > 0 ? Math.min(1, hvOurs / hvRef) : 1);
      rows.push([w.label, ...ours.map(cell), fmt(hvOurs), fmt(hvRef), fmt(hvOne), `${(100 * ratio).toFixed(1)}%`]);
      rows.push(['  reference', ...theirs.map(cell), '', '', '', '']);
      const costs = ours.map((m) => m.costDollars);
      if (new Set(costs).size < 3)
        notes.push(`${w.label}: two of your levels cost the same: one configuration at several levels adds no front`);
      else if (!(costs[0]! <= costs[1]! && costs[1]! <= costs[2]!))
        notes.push(
          `${w.label}: your levels' costs are not in order 1 ≤ 2 ≤ 3 (level 1 should be the cheapest); only the front counts, but check the levels do what you meant`,
        );
      const title = `Pareto front, ${w.label} (reference point ${money(box.cost)}, ${box.latency} s)`;
      plots.push(frontChart(title, versus(ours.map(chartPoint), theirs.map(chartPoint))));
    }
    const share = mean(ratios);
    return {
      score: roundPoints(maxScore * share),
      message: `${(100 * share).toFixed(1)}% of the marks on average over ${workloads.length} hidden traces (per trace: ${100 * ONE_POINT_SHARE}% at the hypervolume of the reference's best single level, HV₁, full marks at the reference front's, HV_ref)`,
      output: [
        `Each cell: total cost / P90 e2e (s) at a service level. HV: the true 2-D hypervolume against ($${referencePoint(126_000).cost.toFixed(0)} per 126,000 requests, ${referencePoint(0).latency} s).`,
        `Share: ${ONE_POINT_SHARE} × HV / HV₁ up to HV₁ (what one configuration run at every level can reach), then linear to 1 at HV_ref.`,
        textTable(['trace', 'level 1', 'level 2', 'level 3', 'your HV', 'ref HV', 'HV₁', 'share'], rows),
        ...notes,
      ].join('\n'),
      plots,
      leaderboard: [{ name: 'mean normalised hypervolume', value: Number(mean(hvRatios).toFixed(4)), order: 'desc' }],
      extra: { hypervolumeRatios: hvRatios, shares: ratios },
    };
  },
};

// ---- the public trace (status only) -------------------------------------------------------------

const levelName = (level: number) => (level === 0 ? 'InferLine (INFERLINE_CONFIG)' : `custom, service level ${level}`);

export const publicTraceItem: ItemImplementation<SimRun, SimOutput> = {
  output: SimOutput,
  prepare(ctx) {
    const run = shippedTrace(ctx.repoRoot);
    const input: SimInput = { task: 'simulate', runs: [run], levels: [0, 1, 2, 3], keepGoing: true };
    return { input, prepared: run };
  },
  score(out, run): ItemOutcome {
    // Status only (0 points): the runs as the child measured them; the scored items replay theirs.
    const runs = out.runs.map(({ level, observed }) => {
      if (observed === undefined) throw new InvalidOutput(`no measurements for ${levelName(level)}`);
      return { level, ...observed };
    });
    const rows = [
      ...runs.map((r) => [levelName(r.level), money(r.costDollars), fmt(r.p90), String(r.mostReplicas)]),
      ...out.errors.map((e) => [levelName(e.level), 'failed', e.error.slice(0, 120), '']),
    ];
    const front = runs.filter((r) => r.level > 0).map(chartPoint);
    const box = referencePoint(run.requests.arrivedAt.length);
    const finite = front.length === 3 && front.flat().every(Number.isFinite);
    const hv = finite ? hypervolume(front.map(frontPoint), box) : undefined;
    const plots: Plot[] = [];
    const title = `Replicas over time, ${run.label}`;
    const series = runs.map((r) => ({ name: levelLabel(r.level), points: r.steps }));
    if (runs.length > 0) plots.push(replicasChart({ title, arrivedAt: run.requests.arrivedAt, series }));
    if (front.length > 0)
      plots.push(frontChart(`Your Pareto front on ${run.label}`, [{ name: 'yours', points: front }]));
    const passed = out.errors.length === 0;
    return {
      score: 0,
      passed,
      threw: out.runs.length === 0 && out.errors.length > 0,
      message: passed
        ? `your autoscalers on the shipped trace${hv !== undefined ? `: front hypervolume ${hv.toFixed(3)}` : ''} (informational; the handout lists the reference's numbers)`
        : `${out.errors.length} of 4 runs failed on the shipped trace: ${levelName(out.errors[0]!.level)}: ${out.errors[0]!.error.slice(0, 200)}`,
      output: [
        `${run.label}: ${run.requests.arrivedAt.length} requests; reference point for the hypervolume ${money(box.cost)}, ${box.latency} s.`,
        textTable(['autoscaler', 'total cost', 'P90 e2e (s)', 'most replicas'], rows),
      ].join('\n'),
      plots,
    };
  },
};
