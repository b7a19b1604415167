/**
 * The autoscaling lab's rubric items: how each prepares its input from the seeds and scores the child's
 * observations. Hidden workloads are generated here, in the parent. The latency and cost that are scored
 * come from replaying the student's tune() decisions in the parent's own engine, and the reference runs
 * (loaded with importReference at scoring time, never imported statically) happen here too.
 */
import type { SimulationObserver, SimulationResult } from '../../../sim/engine/simulator.js';
import { hypervolume } from '../../../sim/metrics/hypervolume.js';
import type { Autoscaler } from '../../../sim/policies/autoscaler/autoscaler.js';
import { readTraceFile } from '../../../sim/workload/trace-file.js';
import { join } from 'node:path';
import { InvalidOutput, parseTaskOutput } from '../../core/child-output.js';
import type { ItemContext, ItemImplementation, ItemOutcome } from '../../core/lab.js';
import { importReference } from '../../core/reference.js';
import { linearPoints, roundPoints, textTable, everyCaseThrew } from '../../core/scoring.js';
import { lineChart, type Plot } from '../../report/charts.js';
import { AUTOSCALING_TRACE_FILE } from '../../../traces/generate-autoscaling.js';
import { shapeTraceFile } from '../../../traces/generate-autoscaling-shapes.js';
import {
  checkEmaCase,
  checkEnvelopeCase,
  checkRouterCase,
  checkTuneCase,
  emaCases,
  envelopeCases,
  lorCases,
  roundRobinCases,
  tuneCases,
  type Labelled,
} from './cases.js';
import { frontChart, replicasChart, replicaSteps } from './plots.js';
import {
  AutoscalingOutput,
  type AutoscalerRunResult,
  type ScalingInput,
  type SimRun,
  type WireRequests,
} from './protocol.js';
import { costSlope, pairRatios } from './scaling.js';
import { runMetrics, simulateCluster, type RunMetrics } from './simulate.js';
import { hiddenWorkloads, type Workload } from './workloads.js';
import type { TimelinePair } from '../../report/timeline-view.js';
import { seriesRecorder, windowRecorder } from '../../kit/timelines.js';
import { splitByCasesArray } from '../../core/split-cases.js';

export const REFERENCE_DIR = 'reference/autoscaling';

/**
 * The Pareto item's reference point: the course lab's $50 and 0.5 s P90, the cost scaled to each trace's
 * number of requests (the shipped trace has 126,000), so every trace's front sits in a comparable box.
 */
export const HV_REFERENCE = { dollarsPerRequest: 50 / 126_000, p90: 0.5 } as const;

/** The tuning item: full marks within ×FULL of the reference's P90 and cost on a trace, none from ×ZERO. */
export const TUNING_RATIO = { full: 1.1, zero: 1.6 } as const;

/** The efficiency check: a slope (log2 of the cost ratio per doubling of n) above this is flagged. */
export const MAX_COST_SLOPE = 0.5;

const parseOutput = <T extends AutoscalingOutput['task']>(raw: unknown, task: T) =>
  parseTaskOutput(AutoscalingOutput, raw, task);

const fmt = (x: number | null | undefined, digits = 3) =>
  x === null || x === undefined || !Number.isFinite(x) ? '-' : x.toFixed(digits);
const money = (x: number) => `$${x.toFixed(2)}`;

// ---- unit items ---------------------------------------------------------------------------------

type UnitTask = 'routers' | 'envelope' | 'ema' | 'tune';

function unitItem<C extends { name: string }>(
  task: UnitTask,
  makeCases: (ctx: ItemContext) => Labelled<C>[],
  check: (c: C, result: unknown, showInputs: boolean) => string[],
): ItemImplementation<Labelled<C>[]> {
  return {
    splitCases: splitByCasesArray((input, i, error) => {
      const name = input.cases[i]!.name;
      switch (task) {
        case 'routers':
          return { name, steps: [], error };
        case 'envelope':
        case 'ema':
          return { name, values: [], error };
        case 'tune':
          return { name, deltas: [], envelopeProblems: [], error };
      }
    }),
    prepare(ctx) {
      const cases = makeCases(ctx);
      return { input: { task, cases: cases.map((c) => c.case) }, prepared: cases };
    },
    score(raw, cases, _ctx, maxScore): ItemOutcome {
      const out = parseOutput(raw, task) as { cases: unknown[] };
      const lines: string[] = [];
      let passed = 0;
      let hiddenPassed = 0;
      const hidden = cases.filter((c) => c.hidden).length;
      cases.forEach((c, i) => {
        const problems = check(c.case, out.cases[i], !c.hidden);
        const ok = problems.length === 0;
        if (ok) passed++;
        if (ok && c.hidden) hiddenPassed++;
        lines.push(`${ok ? 'PASS' : 'FAIL'} ${c.case.name}: ${c.expect}`);
        for (const p of problems) lines.push(`     ${p}`);
      });
      return {
        score: roundPoints((maxScore * passed) / cases.length),
        threw: everyCaseThrew(out.cases, cases.length),
        message: `${passed} of ${cases.length} cases passed (${passed - hiddenPassed} of ${cases.length - hidden} public, ${hiddenPassed} of ${hidden} hidden)`,
        output: lines.join('\n'),
      };
    },
  };
}

const roundRobinItem = unitItem(
  'routers',
  (ctx) => roundRobinCases(ctx.publicSeed, ctx.hiddenSeed),
  (c, r, show) => checkRouterCase(c, r as never, show),
);
const lorItem = unitItem(
  'routers',
  (ctx) => lorCases(ctx.publicSeed, ctx.hiddenSeed),
  (c, r, show) => checkRouterCase(c, r as never, show),
);
const envelopeItem = unitItem(
  'envelope',
  (ctx) => envelopeCases(ctx.hiddenSeed),
  (c, r, show) => checkEnvelopeCase(c, r as never, show),
);
const emaItem = unitItem(
  'ema',
  (ctx) => emaCases(ctx.hiddenSeed),
  (c, r, show) => checkEmaCase(c, r as never, show),
);
const tuneItem = unitItem(
  'tune',
  (ctx) => tuneCases(ctx.hiddenSeed),
  (c, r, show) => checkTuneCase(c, r as never, show),
);

// ---- efficiency (status only) -------------------------------------------------------------------

export const SCALING_INPUT: Omit<ScalingInput, 'seed'> = {
  sizes: [512, 1024, 2048, 4096, 8192],
  arrivalsPerQuery: 4,
  samples: 7,
  minSampleMs: 20,
  maxRunMs: 3000,
  retryBand: [MAX_COST_SLOPE, 0.8],
};

/**
 * The child times in CPU time, in interleaved pairs against a linear baseline (harness.ts), so the ratio is about
 * work per call and a loaded machine cannot flip the verdict. Timing is still not reproducible to the byte, and
 * results.json must be: the verdict and a fixed message go there, the
 * measured numbers only into the report's chart (plots never enter results.json).
 */
const scalingItem: ItemImplementation<ScalingInput> = {
  prepare(ctx) {
    const input: ScalingInput = { ...SCALING_INPUT, seed: ctx.publicSeed };
    return { input: { task: 'scaling', input }, prepared: input };
  },
  score(raw, input): ItemOutcome {
    const out = parseOutput(raw, 'scaling');
    const judged = out.attempts.map((a) => {
      const ratios = pairRatios(a.student, a.baseline);
      return {
        a,
        ratios,
        slope: a.tooSlowMs !== undefined ? Number.POSITIVE_INFINITY : costSlope(input.sizes, ratios),
      };
    });
    if (judged.length === 0) throw new InvalidOutput('the harness measured nothing');
    const best = judged.reduce((x, y) => (y.slope < x.slope ? y : x));
    const passed = best.slope <= MAX_COST_SLOPE;
    const tooSlow = judged.some((j) => j.a.tooSlowMs !== undefined);
    const message = passed
      ? 'passed: the cost of your envelope per arrival and per query does not grow with the number of requests (informational, 0 points)'
      : tooSlow
        ? `flagged: a single run took more than ${input.maxRunMs / 1000} s, so your envelope's cost per operation grows with the number of requests; O(1) amortised is expected (informational, 0 points)`
        : "flagged: your envelope's cost per arrival and per query grows with the number of requests (as when every query scans the stored arrivals); O(1) amortised is expected (informational, 0 points)";
    const plots: Plot[] = [
      lineChart({
        title: 'Envelope cost per operation relative to a linear baseline (flat = O(1) amortised)',
        x: 'arrivals in the same 100 s',
        y: 'your time / baseline time',
        series: judged.map((j, k) => ({
          name: judged.length > 1 ? `attempt ${k + 1}` : 'yours',
          points: j.ratios.map((r, i) => [input.sizes[i]!, r] as const),
        })),
      }),
    ];
    return {
      score: 0,
      passed,
      message,
      output: [
        'How it is measured: your envelope and a structure known to cost O(1) amortised per call run the same calls, timed interleaved in CPU time',
        `(not wall-clock, so other processes' load does not count): ${input.sizes[0]} to ${input.sizes.at(-1)} arrivals (doubling) in the same 100 s, so the look-back holds ever more of them, and one`,
        `query of each of two (W, L) pairs per ${input.arrivalsPerQuery} arrivals. The ratio of the two times (median of ${input.samples} interleaved pairs) must not`,
        `grow with the number of arrivals: at most ×${(2 ** MAX_COST_SLOPE).toFixed(2)} per doubling (a robust slope over the sizes; one retry when close). The report's chart shows the ratios.`,
        passed
          ? ''
          : 'Hint: keep, per (W, L) pair, state that each arrival enters and leaves once (the handout describes a monotone deque of window sums).',
      ]
        .join('\n')
        .trimEnd(),
      plots,
    };
  },
};

// ---- simulations: replay and reference ----------------------------------------------------------

/** Re-issues a student's recorded tune() decisions, call by call, in the parent's engine. */
class ReplayAutoscaler implements Autoscaler {
  readonly #deltas: Map<number, number>;
  #call = 0;
  constructor(
    readonly tuneInterval: number,
    deltas: readonly (readonly [number, number])[],
  ) {
    this.#deltas = new Map(deltas.map(([i, d]) => [i, d]));
  }
  tune(): number {
    return this.#deltas.get(this.#call++) ?? 0;
  }
}

interface Scored {
  readonly metrics: RunMetrics;
  readonly result: SimulationResult;
}

function replay(
  workload: Workload | SimRun,
  run: AutoscalerRunResult,
  observers: readonly SimulationObserver[] = [],
): Scored {
  if (!(run.tuneInterval >= 1 && run.tuneInterval <= 60))
    throw new InvalidOutput(`tuneInterval ${run.tuneInterval} is outside 1–60 s`);
  const result = simulateCluster(workload.requests, {
    autoscaler: new ReplayAutoscaler(run.tuneInterval, run.deltas),
    observers,
  });
  return { metrics: runMetrics(result), result };
}

function simulateWith(
  requests: WireRequests,
  autoscaler: Autoscaler,
  observers: readonly SimulationObserver[] = [],
): Scored {
  const result = simulateCluster(requests, { autoscaler, observers });
  return { metrics: runMetrics(result), result };
}

/**
 * The report's side-by-side timeline of the public timeline trace: these runs are long, so a first
 * pass keeps a coarse series and the report re-runs both for the window it picks.
 */
function tuningTimelines(w: SimRun, run: AutoscalerRunResult, makeReference: () => Autoscaler): TimelinePair {
  const [seriesA, seriesB] = [seriesRecorder(), seriesRecorder()];
  const ours = replay(w, run, [seriesA]);
  const theirs = simulateWith(w.requests, makeReference(), [seriesB]);
  return {
    workload: w.label,
    student: { recorder: seriesA, endTime: ours.result.endTime },
    reference: { recorder: seriesB, endTime: theirs.result.endTime },
    rerecord: (window) => {
      const a = windowRecorder(window);
      const b = windowRecorder(window);
      const ra = replay(w, run, [a]).result;
      const rb = simulateWith(w.requests, makeReference(), [b]).result;
      return { student: { recorder: a, endTime: ra.endTime }, reference: { recorder: b, endTime: rb.endTime } };
    },
  };
}

interface ReferenceModules {
  readonly inferline: { InferlineAutoscaler: new (config?: unknown) => Autoscaler; INFERLINE_CONFIG: unknown };
  readonly custom: { CustomAutoscaler: new (level: 1 | 2 | 3) => Autoscaler };
}

async function reference(ctx: ItemContext): Promise<ReferenceModules> {
  const inferline = await importReference<ReferenceModules['inferline']>(
    ctx.repoRoot,
    REFERENCE_DIR,
    'inferline-autoscaler.ts',
  );
  const custom = await importReference<ReferenceModules['custom']>(ctx.repoRoot, REFERENCE_DIR, 'custom-autoscaler.ts');
  return { inferline, custom };
}

const CONFIG_RULES: readonly [string, (v: number) => boolean, string][] = [
  ['tuneInterval', (v) => v >= 1 && v <= 60, 'between 1 and 60'],
  ['minWindowSizeScaleUp', (v) => v > 0, '> 0'],
  ['lookBackTimeScaleUp', (v) => v > 0, '> 0'],
  ['minWindowSizeScaleDown', (v) => v > 0, '> 0'],
  ['lookBackTimeScaleDown', (v) => v > 0, '> 0'],
  ['stabilizationDelay', (v) => v >= 0, '≥ 0'],
  ['initialReplicaTokenThroughput', (v) => v > 0, '> 0'],
  ['throughputAlpha', (v) => v > 0 && v <= 1, 'in (0, 1]'],
  ['minReplicas', (v) => Number.isInteger(v) && v >= 1 && v <= 64, 'an integer from 1 to 64'],
  ['maxReplicas', (v) => Number.isInteger(v) && v >= 1 && v <= 64, 'an integer from 1 to 64'],
];

/** Problems with the student's INFERLINE_CONFIG, as the child reported it. */
export function configProblems(config: Record<string, unknown> | undefined): string[] {
  if (config === undefined) return ['INFERLINE_CONFIG was not reported'];
  const problems: string[] = [];
  for (const [key, ok, rule] of CONFIG_RULES) {
    const v = config[key];
    if (typeof v !== 'number' || !ok(v)) problems.push(`INFERLINE_CONFIG.${key} must be ${rule}, got ${String(v)}`);
  }
  if (problems.length === 0 && (config.minReplicas as number) > (config.maxReplicas as number))
    problems.push('INFERLINE_CONFIG.minReplicas must not exceed maxReplicas');
  return problems;
}

function hiddenRuns(ctx: ItemContext, label: string): Workload[] {
  return hiddenWorkloads(ctx.hiddenSeed, label);
}

const toSimRun = (w: Workload): SimRun => ({ label: w.label, requests: w.requests });

// ---- tuning -------------------------------------------------------------------------------------

/** Share of a trace's tuning marks: 1 within ×1.1 of the reference on both P90 and cost, 0 from ×1.6. */
export function tuningShare(ours: RunMetrics, ref: RunMetrics): { share: number; ratio: number } {
  const ratio = Math.max(ours.p90 / ref.p90, ours.costDollars / ref.costDollars);
  if (!Number.isFinite(ratio) || ours.completed < ours.total) return { share: 0, ratio: Number.POSITIVE_INFINITY };
  return { share: linearPoints(ratio, TUNING_RATIO.zero, TUNING_RATIO.full, 1), ratio };
}

/**
 * The tuning item's timeline trace: the shipped steps-shaped trace (traces/generate-autoscaling-shapes.ts),
 * a public trace of the first hidden trace's shape, so the report's trace files hold no hidden arrivals.
 */
export const TIMELINE_TRACE_FILE = shapeTraceFile('steps');

export function timelineTrace(repoRoot: string): SimRun {
  const rows = readTraceFile(join(repoRoot, TIMELINE_TRACE_FILE), { requireArrivals: true });
  return {
    label: TIMELINE_TRACE_FILE,
    requests: {
      arrivedAt: rows.map((r) => r.arrivedAt!),
      numPrefillTokens: rows.map((r) => r.numPrefillTokens),
      numDecodeTokens: rows.map((r) => r.numDecodeTokens),
    },
    timelineOnly: true,
  };
}

const tuningItem: ItemImplementation<{ workloads: Workload[]; timeline: SimRun }> = {
  prepare(ctx) {
    const workloads = hiddenRuns(ctx, 'tuning');
    const timeline = timelineTrace(ctx.repoRoot);
    // The last run is the public one, only for the report's timeline: never scored.
    return {
      input: { task: 'inferline', runs: [...workloads.map(toSimRun), timeline] },
      prepared: { workloads, timeline },
    };
  },
  async score(raw, { workloads, timeline }, ctx, maxScore): Promise<ItemOutcome> {
    const out = parseOutput(raw, 'inferline');
    const problems = configProblems(out.runs[0]?.config);
    if (problems.length > 0)
      return { score: 0, message: `your INFERLINE_CONFIG is not valid: ${problems[0]}`, output: problems.join('\n') };
    const ref = await reference(ctx);
    const rows: string[][] = [];
    const shares: number[] = [];
    const plots: Plot[] = [];
    const makeReference = () => new ref.inferline.InferlineAutoscaler(ref.inferline.INFERLINE_CONFIG);
    workloads.forEach((w, i) => {
      const run = out.runs[i];
      if (run === undefined || run.label !== w.label) throw new InvalidOutput(`no result for ${w.label}`);
      const ours = replay(w, run);
      const theirs = simulateWith(w.requests, makeReference());
      const { share, ratio } = tuningShare(ours.metrics, theirs.metrics);
      shares.push(share);
      rows.push([
        w.label,
        String(w.requests.arrivedAt.length),
        money(ours.metrics.costDollars),
        fmt(ours.metrics.p90),
        money(theirs.metrics.costDollars),
        fmt(theirs.metrics.p90),
        Number.isFinite(ratio) ? `×${ratio.toFixed(2)}` : '-',
        `${(100 * share).toFixed(0)}%`,
      ]);
      plots.push(
        replicasChart({
          title: `Replicas over time, ${w.label}`,
          arrivedAt: w.requests.arrivedAt,
          series: [
            { name: 'yours', points: replicaSteps(ours.result) },
            { name: 'reference', points: replicaSteps(theirs.result), dashed: true },
          ],
        }),
      );
    });
    const mean = shares.reduce((a, b) => a + b, 0) / shares.length;
    const publicRun = out.runs[workloads.length];
    let timelines: TimelinePair | undefined;
    try {
      if (publicRun?.label === timeline.label) timelines = tuningTimelines(timeline, publicRun, makeReference);
    } catch {
      // The timeline is an extra (grader/kit/timelines.ts): a run that does not replay has none.
    }
    return {
      score: roundPoints(maxScore * mean),
      message: `${(100 * mean).toFixed(0)}% of the marks over ${workloads.length} hidden traces (full marks per trace within ×${TUNING_RATIO.full} of the reference's P90 and cost, none from ×${TUNING_RATIO.zero})`,
      output: [
        `Your InferlineAutoscaler with INFERLINE_CONFIG = ${JSON.stringify(out.runs[0]!.config)}`,
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

export function hvReference(numRequests: number): { cost: number; latency: number } {
  return { cost: HV_REFERENCE.dollarsPerRequest * numRequests, latency: HV_REFERENCE.p90 };
}

const paretoItem: ItemImplementation<Workload[]> = {
  prepare(ctx) {
    const workloads = hiddenRuns(ctx, 'pareto');
    return { input: { task: 'custom', runs: workloads.map(toSimRun), levels: [...LEVELS] }, prepared: workloads };
  },
  async score(raw, workloads, ctx, maxScore): Promise<ItemOutcome> {
    const out = parseOutput(raw, 'custom');
    const ref = await reference(ctx);
    const rows: string[][] = [];
    const ratios: number[] = [];
    const plots: Plot[] = [];
    const notes: string[] = [];
    workloads.forEach((w) => {
      const point = (m: RunMetrics) => ({
        cost: m.costDollars,
        latency: m.completed < m.total || !Number.isFinite(m.p90) ? Number.POSITIVE_INFINITY : m.p90,
      });
      const ours = LEVELS.map((level) => {
        const run = out.runs.find((r) => r.label === w.label && r.level === level);
        if (run === undefined) throw new InvalidOutput(`no result for ${w.label}, service level ${level}`);
        return replay(w, run).metrics;
      });
      const theirs = LEVELS.map((level) => simulateWith(w.requests, new ref.custom.CustomAutoscaler(level)).metrics);
      const box = hvReference(w.requests.arrivedAt.length);
      const hvOurs = hypervolume(ours.map(point), box);
      const hvRef = hypervolume(theirs.map(point), box);
      const ratio = hvRef > 0 ? Math.min(1, hvOurs / hvRef) : 1;
      ratios.push(ratio);
      rows.push([
        w.label,
        ...ours.map((m) => `${money(m.costDollars)} / ${fmt(m.p90)}`),
        fmt(hvOurs),
        fmt(hvRef),
        `${(100 * ratio).toFixed(1)}%`,
      ]);
      rows.push(['  reference', ...theirs.map((m) => `${money(m.costDollars)} / ${fmt(m.p90)}`), '', '', '']);
      const costs = ours.map((m) => m.costDollars);
      if (!(costs[0]! <= costs[1]! && costs[1]! <= costs[2]!))
        notes.push(
          `${w.label}: your levels' costs are not in order 1 ≤ 2 ≤ 3 (level 1 should be the cheapest); only the front counts, but check the levels do what you meant`,
        );
      plots.push(
        frontChart(`Pareto front, ${w.label} (reference point ${money(box.cost)}, ${box.latency} s)`, [
          { name: 'yours', points: ours.map((m) => [m.costDollars, m.p90] as const) },
          { name: 'reference', points: theirs.map((m) => [m.costDollars, m.p90] as const), dashed: true },
        ]),
      );
    });
    const mean = ratios.reduce((a, b) => a + b, 0) / ratios.length;
    return {
      score: roundPoints(maxScore * mean),
      message: `your fronts reach ${(100 * mean).toFixed(1)}% of the reference fronts' hypervolume on average over ${workloads.length} hidden traces (points = ${maxScore} × min(1, HV / HV_ref))`,
      output: [
        `Each cell: total cost / P90 e2e (s) at a service level. HV: the true 2-D hypervolume against ($${(HV_REFERENCE.dollarsPerRequest * 126_000).toFixed(0)} per 126,000 requests, ${HV_REFERENCE.p90} s).`,
        textTable(['trace', 'level 1', 'level 2', 'level 3', 'your HV', 'ref HV', 'HV / HV_ref'], rows),
        ...notes,
      ].join('\n'),
      plots,
      leaderboard: [{ name: 'mean normalised hypervolume', value: Number(mean.toFixed(4)), order: 'desc' }],
      extra: { hypervolumeRatios: ratios },
    };
  },
};

// ---- the public trace (status only) -------------------------------------------------------------

/** The shipped trace as requests (read by the parent; the child gets it as data). */
export function shippedTrace(repoRoot: string): SimRun {
  const rows = readTraceFile(join(repoRoot, AUTOSCALING_TRACE_FILE), { requireArrivals: true });
  return {
    label: `${AUTOSCALING_TRACE_FILE}`,
    requests: {
      arrivedAt: rows.map((r) => r.arrivedAt!),
      numPrefillTokens: rows.map((r) => r.numPrefillTokens),
      numDecodeTokens: rows.map((r) => r.numDecodeTokens),
    },
  };
}

const publicTraceItem: ItemImplementation<SimRun> = {
  prepare(ctx) {
    const run = shippedTrace(ctx.repoRoot);
    return { input: { task: 'public', run }, prepared: run };
  },
  score(raw, run): ItemOutcome {
    const out = parseOutput(raw, 'public');
    const name = (level: number) => (level === 0 ? 'InferLine (INFERLINE_CONFIG)' : `custom, service level ${level}`);
    const rows: string[][] = [];
    const replicaSeries: { name: string; points: [number, number][] }[] = [];
    const front: [number, number][] = [];
    for (const r of out.runs) {
      const { metrics, result } = replay(run, r);
      rows.push([
        name(r.level),
        money(metrics.costDollars),
        fmt(metrics.p90),
        String(Math.max(...result.replicaTimeline.map((p) => p.replicas))),
      ]);
      replicaSeries.push({
        name: r.level === 0 ? 'InferLine' : `custom level ${r.level}`,
        points: replicaSteps(result),
      });
      if (r.level > 0) front.push([metrics.costDollars, metrics.p90]);
    }
    for (const e of out.errors) rows.push([name(e.level), 'failed', e.error.slice(0, 120), '']);
    const box = hvReference(run.requests.arrivedAt.length);
    const hv =
      front.length === 3 && front.every(([c, l]) => Number.isFinite(c) && Number.isFinite(l))
        ? hypervolume(
            front.map(([cost, latency]) => ({ cost, latency })),
            box,
          )
        : undefined;
    const plots: Plot[] = [];
    if (replicaSeries.length > 0)
      plots.push(
        replicasChart({
          title: `Replicas over time, ${run.label}`,
          arrivedAt: run.requests.arrivedAt,
          series: replicaSeries,
        }),
      );
    if (front.length > 0)
      plots.push(frontChart(`Your Pareto front on ${run.label}`, [{ name: 'yours', points: front }]));
    const passed = out.errors.length === 0;
    return {
      score: 0,
      passed,
      threw: out.runs.length === 0 && out.errors.length > 0,
      message: passed
        ? `your autoscalers on the shipped trace${hv !== undefined ? `: front hypervolume ${hv.toFixed(3)}` : ''} (informational; the handout lists the reference's numbers)`
        : `${out.errors.length} of 4 runs failed on the shipped trace: ${name(out.errors[0]!.level)}: ${out.errors[0]!.error.slice(0, 200)}`,
      output: [
        `${run.label}: ${run.requests.arrivedAt.length} requests; reference point for the hypervolume ${money(box.cost)}, ${box.latency} s.`,
        textTable(['autoscaler', 'total cost', 'P90 e2e (s)', 'most replicas'], rows),
      ].join('\n'),
      plots,
    };
  },
};

export const AUTOSCALING_ITEMS = {
  'round-robin': roundRobinItem,
  lor: lorItem,
  envelope: envelopeItem,
  'envelope-scaling': scalingItem,
  'throughput-ema': emaItem,
  tune: tuneItem,
  'public-trace': publicTraceItem,
  tuning: tuningItem,
  pareto: paretoItem,
} satisfies Record<string, ItemImplementation>;
