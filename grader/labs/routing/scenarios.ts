/**
 * The routing lab's simulation items. Workloads are drawn here, in the parent; the engine runs in the
 * grader too (engine-host.ts, a worker thread) and asks the child only for the router's decisions, so
 * decode lengths never reach student code and the scored latencies come from trusted code. Baseline
 * runs and the reference's timeline run are trusted: cached, so grading runs only the submission.
 */
import { join } from 'node:path';
import { REPO_ROOT } from '../../../sim/config/paths.js';
import { mean } from '../../../sim/metrics/stats.js';
import { ROUTERS } from '../../../sim/policies/router/registry.js';
import { InvalidOutput, type ItemContext, type ItemImplementation } from '../../kit/item.js';
import { fmt, pct } from '../../kit/messages.js';
import { cached } from '../../kit/result-cache.js';
import { linear, median, threshold } from '../../kit/rules.js';
import { e2eValues, meanE2e, perReplicaCounts } from '../../kit/run-metrics.js';
import { derivedSeed, derivedSeeds } from '../../kit/seeds.js';
import { routingWorkload } from '../../../sim/analysis/routing-workloads.js';
import { cachedRecording, thawRun, windowRecorder, type FrozenRun, type TimelinePair } from '../../kit/timelines.js';
import { versusBaselines } from '../../kit/versus-baselines.js';
import { barChart, cdfChart } from '../../kit/charts.js';
import { runEngineWorker } from '../../kit/engine-worker.js';
import { hostRuns, type HostInput } from './engine-host.js';
import { BaselineRun, HostOutput, TIMELINE_SERIES_RESOLUTION, type HostResult, type SimulationRun } from './schemas.js';
import { benchmarkRun, simulateRouting, workloadRun, type MakeRouter } from './simulate.js';
import { oracle } from './student.js';

const ENGINE_HOST = join(REPO_ROOT, 'grader', 'labs', 'routing', 'engine-host.ts');

/** A run and the seed that drew it: with the run's label, the result cache's key. */
type Workload = { readonly run: SimulationRun; readonly seed: number };
const runsOf = (workloads: readonly Workload[]) => workloads.map((w) => w.run);

/** The engine's shipped routers, by the name reports show: the anchors a submission must beat. */
const BASELINES = { llq: 'llq', lor: 'lor', 'round robin': 'round_robin', random: 'random' } as const;
type Baseline = keyof typeof BASELINES;

async function referenceRouter(ctx: ItemContext): Promise<MakeRouter> {
  const { AiRouter } = await oracle.reference(ctx);
  return (init) => new AiRouter(init);
}

/** A trusted router's run on `w` (`what`: whose), in the grader's engine, cached by the workload's seed. */
function trustedRun(w: Workload, what: string, ctx: ItemContext, router: () => MakeRouter | Promise<MakeRouter>) {
  const key = { repoRoot: ctx.repoRoot, lab: 'routing', what: `${what} on ${w.run.label}`, seed: w.seed };
  return cached(key, BaselineRun, async () => {
    const result = simulateRouting(w.run, await router(), { guardDecodeTokens: false });
    return { mean: meanE2e(result)!, e2es: e2eValues(result), perReplica: perReplicaCounts(result) };
  });
}

const baseline = (w: Workload, name: Baseline, ctx: ItemContext) =>
  trustedRun(w, `baseline ${BASELINES[name]}`, ctx, () => ROUTERS[BASELINES[name]]);
const referenceRun = (w: Workload, ctx: ItemContext) => trustedRun(w, 'reference', ctx, () => referenceRouter(ctx));

/**
 * The reference router's series on the same workload (cached; a whole run's events would be ~100 MB),
 * or undefined when the reference cannot be run (the student handout ships without it).
 */
const referenceSeries = (w: Workload, ctx: ItemContext) =>
  cachedRecording(
    { repoRoot: ctx.repoRoot, lab: 'routing', what: `reference series on ${w.run.label}`, seed: w.seed },
    async (recorder) =>
      simulateRouting(w.run, await referenceRouter(ctx), { guardDecodeTokens: false, observers: [recorder] }).endTime,
    { seriesOnly: true, seriesResolution: TIMELINE_SERIES_RESOLUTION },
  ).catch(() => undefined);

/**
 * The report's side-by-side timeline: the student's run arrives narrowed to the window (engine-host.ts
 * picked it against the reference's series), and the reference's is re-run recording only that window.
 */
async function routingTimelines(w: Workload, student: FrozenRun | undefined, ctx: ItemContext) {
  const series = await referenceSeries(w, ctx);
  if (student === undefined || series === undefined) return undefined;
  const router = await referenceRouter(ctx);
  const studentRun = thawRun(student);
  const rerecord = (window: readonly [number, number]) => {
    const recorder = windowRecorder(window);
    const { endTime } = simulateRouting(w.run, router, { guardDecodeTokens: false, observers: [recorder] });
    return { student: studentRun, reference: { recorder, endTime } };
  };
  return { workload: w.run.label, student: studentRun, reference: series, rerecord } satisfies TimelinePair;
}

const perReplicaChart = (title: string, groups: Readonly<Record<string, Record<string, number>>>) =>
  barChart({
    title,
    x: 'replica',
    y: 'requests',
    bars: Object.entries(groups).flatMap(([group, per]) =>
      Object.entries(per).map(([id, value]) => ({ label: `replica ${id}`, value, group })),
    ),
  });

/** Scores runs that kept the routing rules (each has an e2e). */
type Grade = ItemImplementation<Workload[], HostResult>['score'];

/**
 * A simulation item: the student's router drives the grader's engine on `workloads`; a broken rule in
 * any run scores 0, otherwise `grade` scores. `timeline`: the first run and the reference's, for the report.
 */
function simulationItem(
  workloads: (ctx: ItemContext) => Workload[],
  grade: Grade,
  timeline = false,
): ItemImplementation<Workload[], HostResult> {
  return {
    output: HostOutput,
    prepare(ctx) {
      const prepared = workloads(ctx);
      // Never sent: the child is asked per router call (drive); the input only names the runs.
      return { input: { task: 'simulate', runs: runsOf(prepared) }, prepared };
    },
    async drive(session, prepared, ctx) {
      const reference = timeline ? await referenceSeries(prepared[0]!, ctx) : undefined;
      const input: HostInput = {
        runs: runsOf(prepared),
        ...(reference?.recorder.series !== undefined
          ? { timelineReference: { series: reference.recorder.series, endTime: reference.endTime } }
          : {}),
      };
      const whenChildEnded = () => ({ runs: [], ended: true });
      return runEngineWorker<HostInput, HostResult>(ENGINE_HOST, input, { session, whenChildEnded });
    },
    driveChannel: 'worker',
    driveInProcess: (prepared, ask) => hostRuns({ runs: runsOf(prepared) }, ask),
    async score(host, prepared, ctx, maxScore) {
      if (host.invalid !== undefined) throw new InvalidOutput(host.invalid);
      const runs = host.runs;
      const timelines = timeline ? await routingTimelines(prepared[0]!, runs[0]?.timeline, ctx) : undefined;
      const extra = timelines !== undefined ? { timelines } : {};
      const problems = runs.flatMap((c) => c.problems.map((p) => `${c.label}: ${p}`));
      if (runs.length < prepared.length) problems.push(`${prepared[runs.length]!.run.label}: no result for this run`);
      if (problems.length > 0)
        return { score: 0, message: `correctness rules broken: ${problems[0]}`, output: problems.join('\n'), ...extra };
      return { ...(await grade(host, prepared, ctx, maxScore)), ...extra };
    },
  };
}

const scaleEvents = (...events: [time: number, delta: number][]) => events.map(([time, delta]) => ({ time, delta }));
const SCALE_EVENTS = scaleEvents([200, -1], [400, 2], [700, -1]);

/** The public workload with replicas removed and added: the rules must hold (all or nothing). */
export const correctnessItem = simulationItem(
  ({ publicSeed: seed }) => [
    { seed, run: benchmarkRun(`public seed ${seed}, 2 QPS, with scale-downs and scale-ups`, seed, 2, SCALE_EVENTS) },
  ],
  ({ runs: [run] }, [w], _ctx, maxScore) => ({
    score: maxScore,
    plots: [
      perReplicaChart('Requests per replica (public workload, with scale events)', { yours: run!.requestsPerReplica }),
    ],
    message: `every request routed once to a live replica, no decode-length reads (mean e2e ${fmt(run!.e2e)} s)`,
    output: [
      `${w!.run.label}: ${w!.run.requests.arrivedAt.length} requests`,
      'replicas: 4 at start; one removed at t=200 s, two added at t=400 s (ids 4 and 5), one removed at t=700 s',
      `requests per replica: ${JSON.stringify(run!.requestsPerReplica)}`,
      `mean e2e: ${fmt(run!.e2e)} s`,
    ].join('\n'),
  }),
  true,
);

/** `count` hidden benchmark workloads at `qps`, drawn from the hidden seed. */
const hiddenWorkloads = (qps: number, count: number) => (ctx: ItemContext) =>
  derivedSeeds(ctx.hiddenSeed, `routing-${qps}qps`, count).map((seed, i) => ({
    seed,
    run: benchmarkRun(`hidden workload ${i + 1}, ${qps} QPS`, seed, qps),
  }));

/** The student's mean e2e beside the engine routers' on every workload. */
async function versus(runs: HostResult['runs'], workloads: readonly Workload[], ctx: ItemContext) {
  const names = Object.keys(BASELINES) as Baseline[];
  const baselines = await Promise.all(
    workloads.map(async (w) => {
      const out = {} as Record<Baseline, BaselineRun>;
      for (const name of names) out[name] = await baseline(w, name, ctx);
      return out;
    }),
  );
  const means = baselines.map((b) => Object.fromEntries(names.map((n) => [n, b[n].mean])) as Record<Baseline, number>);
  const rows = runs.map((r, i) => ({ label: r.label, yours: r.e2e!, baselines: means[i]! }));
  return { ...versusBaselines(rows), baselines, means, e2e: rows.map((r) => r.yours) };
}

/** All points for at least `required` lower mean e2e than lor (median over three hidden workloads at 2 QPS). */
export const beatsLor = (required: number) =>
  simulationItem(hiddenWorkloads(2, 3), async ({ runs }, workloads, ctx, maxScore) => {
    const v = await versus(runs, workloads, ctx);
    const m = median(v.improvement.lor!);
    return {
      score: threshold(m, required, 'higher', maxScore),
      message: `median ${pct(m)} lower mean e2e than lor (needs ≥ ${pct(required)})`,
      output: v.table,
    };
  });

/** `names` of sim/analysis/routing-workloads.ts, one hidden seed each; `scaled` runs with scale events. */
const gradedWorkloads =
  (names: readonly string[], scaled: readonly string[]) =>
  (ctx: ItemContext): Workload[] =>
    names.map((name) => {
      const w = routingWorkload(name);
      const seed = derivedSeed(ctx.hiddenSeed, `routing-${name}`);
      const scaling = scaled.includes(name) ? HIDDEN_SCALE_EVENTS : [];
      const label = `${name}${scaling.length > 0 ? ' with scale events' : ''} (${w.description})`;
      return { seed, run: workloadRun(label, w.config, seed, scaling) };
    });

/** Scale events inside a 300 s run: a replica drained while busy (marked), two added, one more drained. */
const HIDDEN_SCALE_EVENTS = scaleEvents([100, -1], [150, 2], [200, -1]);

/**
 * The smallest span between the two anchors: where the reference gains less than this over the best
 * engine router (a draw with nothing to route around), 0 points moves below the best router's mean
 * e2e so that the reference still gets full points and a copy of an engine router a share of them.
 */
const MIN_SPAN = 0.005;
/**
 * Full points at this share of the reference's median gain, not at all of it: a design as good as
 * the reference but written differently (other tie-breaks, other weights) lands a little above or
 * below it on a given draw, and must not lose points for that.
 */
const FULL_AT_SHARE_OF_REFERENCE = 0.8;

/**
 * Points for a median gain over the best engine router: 0 at 0, full at the reference's median gain
 * (linear, clamped), or over the last MIN_SPAN below the reference's where it gains less than that.
 */
export function placedScore(gains: readonly number[], referenceGains: readonly number[], maxScore: number) {
  const value = median(gains);
  const reference = median(referenceGains);
  // min: on a draw where the reference loses to the best engine router, 80% of a loss would sit above it.
  const fullAt = Math.min(reference, FULL_AT_SHARE_OF_REFERENCE * reference);
  return { value, fullAt, score: linear(value, Math.min(0, fullAt - MIN_SPAN), fullAt, maxScore) };
}

/**
 * Points placed between the strongest shipped router and the reference: per workload, the student's
 * gain 1 − yours / best (best: the lowest mean e2e of llq, lor, round robin and random there), and the
 * reference's gain the same way; 0 points at a median gain of 0, full points at 80% of the reference's
 * median gain, linear between. A copy of any engine router gains at most 0 against the best of them.
 */
export const versusBestRouter = (names: readonly string[], scaled: readonly string[], leaderboard: boolean) =>
  simulationItem(gradedWorkloads(names, scaled), async ({ runs }, workloads, ctx, maxScore) => {
    const v = await versus(runs, workloads, ctx);
    const references = await Promise.all(workloads.map((w) => referenceRun(w, ctx)));
    const best = v.means.map((means) => Math.min(...Object.values(means)));
    const anchors = (i: number) => ({ 'best engine router': best[i]!, reference: references[i]!.mean });
    const placed = versusBaselines(runs.map((r, i) => ({ label: r.label, yours: r.e2e!, baselines: anchors(i) })));
    const gains = placed.improvement['best engine router']!;
    const referenceGains = references.map((r, i) => 1 - r.mean / best[i]!);
    const { value: m, fullAt, score } = placedScore(gains, referenceGains, maxScore);
    const value = Number(mean(v.e2e).toFixed(4));
    // The first workload's runs in the report's charts: yours, the strongest engine router's and the reference's.
    const [first, llq, reference] = [runs[0]!, v.baselines[0]!.llq, references[0]!];
    const shown = { yours: { e2es: first.e2es, perReplica: first.requestsPerReplica }, llq, reference };
    return {
      score,
      message:
        `median gain ${pct(m)} over the best of llq, lor, round robin and random (gain: 1 − your mean e2e / ` +
        `its; 0 points at 0%, full points at ${pct(fullAt)}, 80% of the reference's gain)`,
      output: `${v.table}\n\n${placed.table}`,
      plots: [
        cdfChart({
          title: `e2e latency, ${first.label}`,
          x: 'e2e latency (s)',
          samples: Object.entries(shown).map(([name, run]) => ({ name, values: run.e2es })),
        }),
        perReplicaChart(
          `Requests per replica, ${first.label}`,
          Object.fromEntries(Object.entries(shown).map(([name, run]) => [name, run.perReplica])),
        ),
      ],
      leaderboard: leaderboard
        ? [{ name: 'mean e2e over the graded workloads (s)', value, order: 'asc' } as const]
        : undefined,
      extra: { gainOverBestRouter: gains, referenceGainOverBestRouter: referenceGains, meanE2e: v.e2e },
    };
  });
