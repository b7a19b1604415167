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
import { InvalidOutput } from '../../kit/item.js';
import type { ItemContext, ItemImplementation, ItemOutcome } from '../../kit/item.js';
import { median } from '../../kit/rules.js';
import { fmt, pct } from '../../kit/messages.js';
import { cached } from '../../kit/result-cache.js';
import { linear, threshold } from '../../kit/rules.js';
import { e2eValues, meanE2e, perReplicaCounts } from '../../kit/run-metrics.js';
import { derivedSeeds } from '../../kit/seeds.js';
import { cachedRecording, thawRun, timelinePair } from '../../kit/timelines.js';
import { versusBaselines } from '../../kit/versus-baselines.js';
import { barChart, cdfChart } from '../../kit/charts.js';
import { runEngineWorker } from '../shared/engine-worker.js';
import type { HostInput, HostResult, RunOutcome } from './engine-host.js';
import { routingUnits } from './probes.js';
import { BaselineRun, HostOutput, type SimulationRun } from './schemas.js';
import { benchmarkRun, simulateRouting } from './simulate.js';

const ENGINE_HOST = join(REPO_ROOT, 'grader', 'labs', 'routing', 'engine-host.ts');

/** A run and the seed that drew it: with the run's label, the result cache's key. */
interface Workload {
  readonly run: SimulationRun;
  readonly seed: number;
}

const BASELINES = { 'round robin': 'round_robin', lor: 'lor' } as const;
type Baseline = keyof typeof BASELINES;

function baseline(w: Workload, name: Baseline, ctx: ItemContext): Promise<BaselineRun> {
  const what = `baseline ${BASELINES[name]} on ${w.run.label}`;
  return cached({ repoRoot: ctx.repoRoot, lab: 'routing', what, seed: w.seed }, BaselineRun, () => {
    const result = simulateRouting(w.run, ROUTERS[BASELINES[name]], { guardDecodeTokens: false });
    return { mean: meanE2e(result)!, e2es: e2eValues(result), perReplica: perReplicaCounts(result) };
  });
}

/** The reference router on the same workload, for the report's side-by-side timeline. */
const referenceTimeline = (w: Workload, ctx: ItemContext) =>
  cachedRecording(
    { repoRoot: ctx.repoRoot, lab: 'routing', what: `reference timeline on ${w.run.label}`, seed: w.seed },
    async (recorder) => {
      const { AiRouter } = await routingUnits.oracle.reference(ctx);
      return simulateRouting(w.run, (init) => new AiRouter(init), { guardDecodeTokens: false, observers: [recorder] })
        .endTime;
    },
  );

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
type Grade = (
  runs: readonly RunOutcome[],
  workloads: readonly Workload[],
  ctx: ItemContext,
  maxScore: number,
) => ItemOutcome | Promise<ItemOutcome>;

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
      return { input: { task: 'simulate', runs: prepared.map((w) => w.run) }, prepared };
    },
    drive(session, prepared) {
      const input: HostInput = { runs: prepared.map((w) => w.run), ...(timeline ? { timelineRuns: [0] } : {}) };
      return runEngineWorker<HostInput, HostResult>(ENGINE_HOST, input, {
        ask: (payload) => session.ask(payload),
        childEnded: session.ended,
        whenChildEnded: () => ({ runs: [], ended: true }),
      });
    },
    async score(host, prepared, ctx, maxScore) {
      if (host.invalid !== undefined) throw new InvalidOutput(host.invalid);
      const runs = host.runs;
      const recorded = runs[0]?.timeline;
      const first = prepared[0]!;
      const timelines = timeline
        ? await timelinePair(first.run.label, recorded && thawRun(recorded), () => referenceTimeline(first, ctx))
        : undefined;
      const extra = timelines !== undefined ? { timelines } : {};
      const problems = runs.flatMap((c) => c.problems.map((p) => `${c.label}: ${p}`));
      if (runs.length < prepared.length) problems.push(`${prepared[runs.length]!.run.label}: no result for this run`);
      if (problems.length > 0)
        return { score: 0, message: `correctness rules broken: ${problems[0]}`, output: problems.join('\n'), ...extra };
      return { ...(await grade(runs, prepared, ctx, maxScore)), ...extra };
    },
  };
}

const SCALE_EVENTS = [
  { time: 200, delta: -1 },
  { time: 400, delta: 2 },
  { time: 700, delta: -1 },
];

/** The public workload with replicas removed and added: the rules must hold (all or nothing). */
export const correctnessItem = simulationItem(
  ({ publicSeed: seed }) => [
    { seed, run: benchmarkRun(`public seed ${seed}, 2 QPS, with scale-downs and scale-ups`, seed, 2, SCALE_EVENTS) },
  ],
  ([run], [w], _ctx, maxScore) => ({
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

/** The student's mean e2e beside round robin's and lor's on every workload, and the first one's charts. */
async function versus(runs: readonly RunOutcome[], workloads: readonly Workload[], ctx: ItemContext) {
  const baselines = await Promise.all(
    workloads.map(async (w) => ({
      'round robin': await baseline(w, 'round robin', ctx),
      lor: await baseline(w, 'lor', ctx),
    })),
  );
  const rows = runs.map((r, i) => ({
    label: r.label,
    yours: r.e2e!,
    baselines: { 'round robin': baselines[i]!['round robin'].mean, lor: baselines[i]!.lor.mean },
  }));
  const [first, b] = [runs[0]!, baselines[0]!];
  const plots = [
    cdfChart({
      title: `e2e latency, ${first.label}`,
      x: 'e2e latency (s)',
      samples: [
        { name: 'yours', values: first.e2es },
        { name: 'round robin', values: b['round robin'].e2es },
        { name: 'lor', values: b.lor.e2es },
      ],
    }),
    perReplicaChart(`Requests per replica, ${first.label}`, {
      yours: first.requestsPerReplica,
      'round robin': b['round robin'].perReplica,
      lor: b.lor.perReplica,
    }),
  ];
  return { ...versusBaselines(rows), plots, e2e: rows.map((r) => r.yours) };
}

/** All points for at least `required` lower mean e2e than lor (median over three hidden workloads at 2 QPS). */
export const beatsLor = (required: number) =>
  simulationItem(hiddenWorkloads(2, 3), async (runs, workloads, ctx, maxScore) => {
    const v = await versus(runs, workloads, ctx);
    const m = median(v.improvement.lor!);
    return {
      score: threshold(m, required, 'higher', maxScore),
      message: `median ${pct(m)} lower mean e2e than lor (needs ≥ ${pct(required)})`,
      output: v.table,
    };
  });

/** Points from 0 at round robin's mean e2e to full at `target` lower (median over `count` hidden workloads). */
export const beatsRoundRobin = (qps: number, count: number, target: number, leaderboard: boolean) =>
  simulationItem(hiddenWorkloads(qps, count), async (runs, workloads, ctx, maxScore) => {
    const v = await versus(runs, workloads, ctx);
    const vsRr = v.improvement['round robin']!;
    const m = median(vsRr);
    return {
      score: linear(m, 0, target, maxScore),
      message: `median ${pct(m)} lower mean e2e than round robin (0 points at 0%, full points at ${pct(target)})`,
      output: v.table,
      plots: v.plots,
      leaderboard: leaderboard
        ? [{ name: `mean e2e at ${qps} QPS (s)`, value: Number(mean(v.e2e).toFixed(4)), order: 'asc' as const }]
        : undefined,
      extra: { improvementOverRoundRobin: vsRr, meanE2e: v.e2e },
    };
  });
