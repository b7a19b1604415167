/**
 * The routing lab's simulation items. Hidden workloads are drawn here, in the parent; the engine runs
 * in the grader too (engine-host.ts, in a worker thread) and asks the child only for the router's
 * decisions, so decode lengths never reach student code and the scored latencies come from trusted
 * code. The baselines' runs and the reference's timeline run are trusted: they go through the result
 * cache, so grading a submission runs only the submission.
 */
import { join } from 'node:path';
import { REPO_ROOT } from '../../../sim/config/paths.js';
import { ROUTERS } from '../../../sim/policies/router/registry.js';
import { InvalidOutput } from '../../core/child-output.js';
import type { ItemContext, ItemImplementation, ItemOutcome } from '../../core/lab.js';
import { median, textTable } from '../../core/scoring.js';
import { fmt, pct } from '../../kit/messages.js';
import { cached } from '../../kit/result-cache.js';
import { linear, threshold } from '../../kit/rules.js';
import { derivedSeeds } from '../../kit/seeds.js';
import { FrozenRun, freezeRun, reportRecorder, thawRun, timelinePair } from '../../kit/timelines.js';
import { barChart, cdfChart, type Plot } from '../../report/charts.js';
import type { RecordedRun } from '../../report/timeline-view.js';
import { runEngineWorker } from '../shared/engine-worker.js';
import type { HostInput, HostResult, RunOutcome } from './engine-host.js';
import { routingUnits } from './probes.js';
import { BaselineRun, HostOutput, type ScalingStep, type SimulationRun } from './schemas.js';
import { benchmarkRun, e2eValues, meanE2e, perReplicaCounts, simulateRouting } from './simulate.js';

const ENGINE_HOST = join(REPO_ROOT, 'grader', 'labs', 'routing', 'engine-host.ts');

/** A simulated run and the seed that drew it (with the run's label, the result cache's key). */
interface Workload {
  readonly run: SimulationRun;
  readonly seed: number;
}

type Baseline = 'lor' | 'round_robin';

function baseline(w: Workload, router: Baseline, ctx: ItemContext): Promise<BaselineRun> {
  return cached(
    { repoRoot: ctx.repoRoot, lab: 'routing', what: `baseline ${router} on ${w.run.label}`, seed: w.seed },
    BaselineRun,
    () => {
      const result = simulateRouting(w.run, ROUTERS[router], { guardDecodeTokens: false });
      return { mean: meanE2e(result)!, e2es: e2eValues(result), perReplica: perReplicaCounts(result) };
    },
  );
}

/** The reference router on the same workload, for the report's side-by-side timeline. */
async function referenceTimeline(w: Workload, ctx: ItemContext): Promise<RecordedRun> {
  const frozen = await cached(
    { repoRoot: ctx.repoRoot, lab: 'routing', what: `reference timeline on ${w.run.label}`, seed: w.seed },
    FrozenRun,
    async () => {
      const { AiRouter } = await routingUnits.oracle.reference(ctx);
      const recorder = reportRecorder();
      const result = simulateRouting(w.run, (init) => new AiRouter(init), {
        guardDecodeTokens: false,
        observers: [recorder],
      });
      return freezeRun(recorder, result.endTime);
    },
  );
  return thawRun(frozen);
}

const perReplicaBars = (groups: readonly { name: string; perReplica: Record<string, number> }[]) =>
  groups.flatMap((g) =>
    Object.entries(g.perReplica).map(([id, n]) => ({ label: `replica ${id}`, value: n, group: g.name })),
  );

/** Checked runs: the rules held in every run (so every run has an e2e). */
type Grade = (
  checks: readonly RunOutcome[],
  workloads: readonly Workload[],
  ctx: ItemContext,
  maxScore: number,
) => ItemOutcome | Promise<ItemOutcome>;

/** `timeline`: record the first run and the reference's for the report (public workloads only). */
function simulationItem(
  workloads: (ctx: ItemContext) => Workload[],
  grade: Grade,
  timeline = false,
): ItemImplementation<Workload[], HostResult> {
  return {
    output: HostOutput,
    prepare(ctx) {
      const prepared = workloads(ctx);
      // Never sent: the child is asked per router call (drive); the input only names the runs for sharing.
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
      const checks = prepared.map(
        (w, i): RunOutcome =>
          host.runs[i] ?? {
            label: w.run.label,
            problems: ['no result for this run'],
            e2e: null,
            requestsPerReplica: {},
            e2es: [],
          },
      );
      const recorded = checks[0]?.timeline;
      const student = recorded === undefined ? undefined : thawRun(recorded);
      const first = prepared[0]!;
      const timelines = timeline
        ? await timelinePair(first.run.label, student, () => referenceTimeline(first, ctx))
        : undefined;
      const extra = timelines !== undefined ? { timelines } : {};
      const problems = checks.flatMap((c) => c.problems.map((p) => `${c.label}: ${p}`));
      if (problems.length > 0)
        return { score: 0, message: `correctness rules broken: ${problems[0]}`, output: problems.join('\n'), ...extra };
      return { ...(await grade(checks, prepared, ctx, maxScore)), ...extra };
    },
  };
}

export const correctnessItem = simulationItem(
  (ctx) => [
    {
      seed: ctx.publicSeed,
      run: benchmarkRun(`public seed ${ctx.publicSeed}, 2 QPS, with scale-downs and scale-ups`, ctx.publicSeed, 2, [
        { time: 200, delta: -1 },
        { time: 400, delta: 2 },
        { time: 700, delta: -1 },
      ] satisfies ScalingStep[]),
    },
  ],
  ([check], [w], _ctx, maxScore) => ({
    score: maxScore,
    plots: [
      barChart({
        title: 'Requests per replica (public workload, with scale events)',
        x: 'replica',
        y: 'requests',
        bars: perReplicaBars([{ name: 'yours', perReplica: check!.requestsPerReplica }]),
      }),
    ],
    message: `every request routed once to a live replica, no decode-length reads (mean e2e ${fmt(check!.e2e)} s)`,
    output: [
      `${w!.run.label}: ${w!.run.requests.arrivedAt.length} requests`,
      'replicas: 4 at start; one removed at t=200 s, two added at t=400 s (ids 4 and 5), one removed at t=700 s',
      `requests per replica: ${JSON.stringify(check!.requestsPerReplica)}`,
      `mean e2e: ${fmt(check!.e2e)} s`,
    ].join('\n'),
  }),
  true,
);

const HEADER = ['workload', 'yours (s)', 'round robin', 'lor', 'vs round robin', 'vs lor'];

/** The student's runs beside round robin's and lor's: the table, the improvements, and the first run's charts. */
async function comparison(checks: readonly RunOutcome[], workloads: readonly Workload[], ctx: ItemContext) {
  const rows: string[][] = [];
  const plots: Plot[] = [];
  const vsRr: number[] = [];
  const vsLor: number[] = [];
  const e2e: number[] = [];
  for (const [i, c] of checks.entries()) {
    const rr = await baseline(workloads[i]!, 'round_robin', ctx);
    const lor = await baseline(workloads[i]!, 'lor', ctx);
    const ours = c.e2e!;
    if (i === 0) {
      plots.push(
        cdfChart({
          title: `e2e latency, ${c.label}`,
          x: 'e2e latency (s)',
          samples: [
            { name: 'yours', values: c.e2es },
            { name: 'round robin', values: rr.e2es },
            { name: 'lor', values: lor.e2es },
          ],
        }),
        barChart({
          title: `Requests per replica, ${c.label}`,
          x: 'replica',
          y: 'requests',
          bars: perReplicaBars([
            { name: 'yours', perReplica: c.requestsPerReplica },
            { name: 'round robin', perReplica: rr.perReplica },
            { name: 'lor', perReplica: lor.perReplica },
          ]),
        }),
      );
    }
    vsRr.push(1 - ours / rr.mean);
    vsLor.push(1 - ours / lor.mean);
    e2e.push(ours);
    rows.push([c.label, fmt(ours), fmt(rr.mean), fmt(lor.mean), pct(1 - ours / rr.mean), pct(1 - ours / lor.mean)]);
  }
  return { table: textTable(HEADER, rows), vsRr, vsLor, e2e, plots };
}

/** `count` hidden benchmark workloads at `qps`, drawn from the hidden seed. */
const hiddenWorkloads = (qps: number, count: number) => (ctx: ItemContext) =>
  derivedSeeds(ctx.hiddenSeed, `routing-${qps}qps`, count).map((seed, i) => ({
    seed,
    run: benchmarkRun(`hidden workload ${i + 1}, ${qps} QPS`, seed, qps),
  }));

/** All points for at least `required` lower mean e2e than lor (median over three hidden workloads at 2 QPS). */
export function beatsLor(required: number) {
  return simulationItem(hiddenWorkloads(2, 3), async (checks, workloads, ctx, maxScore) => {
    const t = await comparison(checks, workloads, ctx);
    const m = median(t.vsLor);
    return {
      score: threshold(m, required, 'higher', maxScore),
      message: `median ${pct(m)} lower mean e2e than lor (needs ≥ ${pct(required)})`,
      output: t.table,
    };
  });
}

/** Points from 0 at round robin's mean e2e to full at `target` lower (median over `count` hidden workloads at `qps`). */
export function beatsRoundRobin(qps: number, count: number, target: number, leaderboard: boolean) {
  return simulationItem(hiddenWorkloads(qps, count), async (checks, workloads, ctx, maxScore) => {
    const t = await comparison(checks, workloads, ctx);
    const m = median(t.vsRr);
    const meanE2eAll = t.e2e.reduce((a, b) => a + b, 0) / t.e2e.length;
    return {
      score: linear(m, 0, target, maxScore),
      message: `median ${pct(m)} lower mean e2e than round robin (0 points at 0%, full points at ${pct(target)})`,
      output: t.table,
      plots: t.plots,
      leaderboard: leaderboard
        ? [{ name: `mean e2e at ${qps} QPS (s)`, value: Number(meanE2eAll.toFixed(4)), order: 'asc' as const }]
        : undefined,
      extra: { improvementOverRoundRobin: t.vsRr, meanE2e: t.e2e },
    };
  });
}
