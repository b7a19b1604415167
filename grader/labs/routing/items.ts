/**
 * The routing lab's rubric items: how each prepares its input from the seeds and scores what comes
 * back. Hidden workloads are generated here, in the parent; simulation items run the engine in the
 * parent too (engine-host.ts, in a worker thread) and ask the child only for the router's decisions,
 * so decode lengths never reach student code and the scored latencies come from trusted code.
 */
import { loadRequests } from '../../../sim/config/build.js';
import { parseConfig } from '../../../sim/config/schema.js';
import { ROUTERS } from '../../../sim/policies/router/registry.js';
import { Rng } from '../../../sim/workload/rng.js';
import { join } from 'node:path';
import { REPO_ROOT } from '../../../sim/config/paths.js';
import { InvalidOutput, parseTaskOutput } from '../../core/child-output.js';
import type { ItemContext, ItemImplementation, ItemOutcome } from '../../core/lab.js';
import { linearPoints, median, roundPoints, textTable, everyCaseThrew } from '../../core/scoring.js';
import { checkUnitCase, unitCases, type UnitExpectation } from './cases.js';
import type { SandboxSession } from '../../sandbox/run-sandboxed.js';
import { runEngineWorker } from '../shared/engine-worker.js';
import type { HostInput, HostResult, RunOutcome } from './engine-host.js';
import { FrozenTimeline } from '../../../sim/metrics/timeline/index.js';
import { RoutingOutput, type ScalingStep, type SimulationRun } from './protocol.js';
import type { SimulationResult } from '../../../sim/engine/simulator.js';
import { barChart, cdfChart, type Plot } from '../../report/charts.js';
import { meanE2e, simulateRouting, toWire } from './simulate.js';
import { importReference } from '../../core/reference.js';
import type { RecordedRun } from '../../report/timeline-view.js';
import { reportRecorder, timelinePair } from '../../kit/timelines.js';
import type { Router, RouterInit } from '../../../sim/policies/router/router.js';
import { splitByCasesArray } from '../../core/split-cases.js';

const ENGINE_HOST = join(REPO_ROOT, 'grader', 'labs', 'routing', 'engine-host.ts');

/**
 * Full marks for this much lower mean e2e than round robin (median over seeds). Set from the
 * reference solution's own margins (see labs/routing/README.md and test/grader/routing-lab.test.ts).
 */
export const TARGET_IMPROVEMENT_OVER_RR = { qps2: 0.015, qps3: 0.02 } as const;
/** The seed task's bar: at least 20% lower mean e2e than Vidur's LOR. */
export const REQUIRED_IMPROVEMENT_OVER_LOR = 0.2;

const BENCHMARK_REPLICAS = 4;
const BENCHMARK_DURATION = 1000;

export function benchmarkRun(label: string, seed: number, qps: number, scaling: ScalingStep[] = []): SimulationRun {
  const config = parseConfig({ qps, duration: BENCHMARK_DURATION, seed, lengthsTrace: 'traces/conv.csv' });
  return { label, replicas: BENCHMARK_REPLICAS, requests: toWire(loadRequests(config)), scaling };
}

/** `count` seeds derived from the hidden seed and a label, so items draw independent workloads. */
export function derivedSeeds(hiddenSeed: number, label: string, count: number): number[] {
  const rng = new Rng(hiddenSeed).fork(label);
  return Array.from({ length: count }, () => rng.int(1, 2 ** 31 - 1));
}

const parseOutput = <T extends RoutingOutput['task']>(raw: unknown, task: T) =>
  parseTaskOutput(RoutingOutput, raw, task);

type RunCheck = RunOutcome;

function e2eValues(result: SimulationResult): number[] {
  return result.requests.filter((r) => r.completedAt !== undefined).map((r) => r.completedAt! - r.arrivedAt);
}

interface Baseline {
  readonly mean: number;
  readonly e2es: number[];
  readonly perReplica: Record<string, number>;
}

function baseline(run: SimulationRun, router: 'lor' | 'round_robin'): Baseline {
  const result = simulateRouting(run, ROUTERS[router], { guardDecodeTokens: false });
  const perReplica: Record<string, number> = {};
  for (const [id, count] of [...result.requestsPerReplica].sort((a, b) => a[0] - b[0])) perReplica[String(id)] = count;
  return { mean: meanE2e(result)!, e2es: e2eValues(result), perReplica };
}

function perReplicaBars(groups: readonly { name: string; perReplica: Record<string, number> }[]) {
  return groups.flatMap((g) =>
    Object.entries(g.perReplica).map(([id, n]) => ({ label: `replica ${id}`, value: n, group: g.name })),
  );
}

const fmt = (x: number | null, digits = 3) => (x === null || !Number.isFinite(x) ? '-' : x.toFixed(digits));
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

// ---- items --------------------------------------------------------------------------------------

const unitItem: ItemImplementation<UnitExpectation[]> = {
  splitCases: splitByCasesArray((input, i, error) => ({
    name: input.cases[i]!.name,
    assignments: [],
    decodeTokenReads: 0,
    error,
  })),
  prepare(ctx: ItemContext) {
    const expectations = unitCases(ctx.publicSeed);
    return { input: { task: 'units', cases: expectations.map((e) => e.case) }, prepared: expectations };
  },
  score(raw, expectations, _ctx, maxScore): ItemOutcome {
    const out = parseOutput(raw, 'units');
    const lines: string[] = [];
    let passed = 0;
    expectations.forEach((e, i) => {
      const problems = checkUnitCase(e, out.cases[i]);
      if (problems.length === 0) passed++;
      lines.push(`${problems.length === 0 ? 'PASS' : 'FAIL'} ${e.case.name}: ${e.expect}`);
      for (const p of problems) lines.push(`     ${p}`);
    });
    return {
      score: roundPoints((maxScore * passed) / expectations.length),
      threw: everyCaseThrew(out.cases, expectations.length),
      message: `${passed} of ${expectations.length} cases passed`,
      output: lines.join('\n'),
    };
  },
};

/** The reference router, run on the same workload for the report's side-by-side timeline. */
async function referenceTimeline(run: SimulationRun, ctx: ItemContext): Promise<RecordedRun> {
  const { AiRouter } = await importReference<{ AiRouter: new (init: RouterInit) => Router }>(
    ctx.repoRoot,
    'reference/routing',
    'ai-router.ts',
  );
  const recorder = reportRecorder();
  const result = simulateRouting(run, (init) => new AiRouter(init), {
    guardDecodeTokens: false,
    observers: [recorder],
  });
  return { recorder, endTime: result.endTime };
}

/** `timeline`: record the first run's replay and the reference's for the report (public workloads only). */
function simulationItem(
  runsFor: (ctx: ItemContext) => SimulationRun[],
  grade: (checks: RunCheck[], runs: SimulationRun[], maxScore: number) => ItemOutcome,
  timeline = false,
): ItemImplementation<SimulationRun[]> {
  return {
    prepare(ctx) {
      const runs = runsFor(ctx);
      // Never sent: the child is asked per router call (drive); the input only names the runs for sharing.
      return { input: { task: 'simulate', runs }, prepared: runs };
    },
    drive(session: SandboxSession, runs: SimulationRun[]): Promise<HostResult> {
      const input: HostInput = { runs, ...(timeline ? { timelineRuns: [0] } : {}) };
      return runEngineWorker<HostInput, HostResult>(ENGINE_HOST, input, {
        ask: (payload) => session.ask(payload),
        childEnded: session.ended,
        whenChildEnded: () => ({ runs: [], ended: true }),
      });
    },
    async score(raw, runs, ctx, maxScore) {
      const host = raw as HostResult;
      if (host.invalid !== undefined) throw new InvalidOutput(host.invalid);
      const checks = runs.map(
        (run, i): RunCheck =>
          host.runs[i] ?? {
            label: run.label,
            problems: ['no result for this run'],
            e2e: null,
            requestsPerReplica: {},
            e2es: [],
          },
      );
      const recorded = checks[0]?.timeline;
      const student: RecordedRun | undefined =
        recorded === undefined ? undefined : { recorder: new FrozenTimeline(recorded.data), endTime: recorded.endTime };
      const timelines = timeline
        ? await timelinePair(runs[0]!.label, student, () => referenceTimeline(runs[0]!, ctx))
        : undefined;
      const extra = timelines !== undefined ? { timelines } : {};
      const problems = checks.flatMap((c) => c.problems.map((p) => `${c.label}: ${p}`));
      if (problems.length > 0) {
        return { score: 0, message: `correctness rules broken: ${problems[0]}`, output: problems.join('\n'), ...extra };
      }
      return { ...grade(checks, runs, maxScore), ...extra };
    },
  };
}

const correctnessItem = simulationItem(
  (ctx) => [
    benchmarkRun(`public seed ${ctx.publicSeed}, 2 QPS, with scale-downs and scale-ups`, ctx.publicSeed, 2, [
      { time: 200, delta: -1 },
      { time: 400, delta: 2 },
      { time: 700, delta: -1 },
    ]),
  ],
  (checks, runs, maxScore) => ({
    score: maxScore,
    plots: [
      barChart({
        title: 'Requests per replica (public workload, with scale events)',
        x: 'replica',
        y: 'requests',
        bars: perReplicaBars([{ name: 'yours', perReplica: checks[0]!.requestsPerReplica }]),
      }),
    ],
    message: `every request routed once to a live replica, no decode-length reads (mean e2e ${fmt(checks[0]!.e2e)} s)`,
    output: [
      `${runs[0]!.label}: ${runs[0]!.requests.arrivedAt.length} requests`,
      'replicas: 4 at start; one removed at t=200 s, two added at t=400 s (ids 4 and 5), one removed at t=700 s',
      `requests per replica: ${JSON.stringify(checks[0]!.requestsPerReplica)}`,
      `mean e2e: ${fmt(checks[0]!.e2e)} s`,
    ].join('\n'),
  }),
  true,
);

function comparisonTable(
  checks: RunCheck[],
  runs: SimulationRun[],
): { rows: string[][]; vsRr: number[]; vsLor: number[]; e2e: number[]; plots: Plot[] } {
  const rows: string[][] = [];
  const plots: Plot[] = [];
  const vsRr: number[] = [];
  const vsLor: number[] = [];
  const e2e: number[] = [];
  checks.forEach((c, i) => {
    const rrRun = baseline(runs[i]!, 'round_robin');
    const lorRun = baseline(runs[i]!, 'lor');
    const rr = rrRun.mean;
    const lor = lorRun.mean;
    const ours = c.e2e!;
    if (i === 0) {
      plots.push(
        cdfChart({
          title: `e2e latency, ${c.label}`,
          x: 'e2e latency (s)',
          samples: [
            { name: 'yours', values: c.e2es },
            { name: 'round robin', values: rrRun.e2es },
            { name: 'lor', values: lorRun.e2es },
          ],
        }),
        barChart({
          title: `Requests per replica, ${c.label}`,
          x: 'replica',
          y: 'requests',
          bars: perReplicaBars([
            { name: 'yours', perReplica: c.requestsPerReplica },
            { name: 'round robin', perReplica: rrRun.perReplica },
            { name: 'lor', perReplica: lorRun.perReplica },
          ]),
        }),
      );
    }
    vsRr.push(1 - ours / rr);
    vsLor.push(1 - ours / lor);
    e2e.push(ours);
    rows.push([c.label, fmt(ours), fmt(rr), fmt(lor), pct(1 - ours / rr), pct(1 - ours / lor)]);
  });
  return { rows, vsRr, vsLor, e2e, plots };
}

const HEADER = ['workload', 'yours (s)', 'round robin', 'lor', 'vs round robin', 'vs lor'];

const hiddenRuns = (qps: number, count: number) => (ctx: ItemContext) =>
  derivedSeeds(ctx.hiddenSeed, `routing-${qps}qps`, count).map((seed, i) =>
    benchmarkRun(`hidden workload ${i + 1}, ${qps} QPS`, seed, qps),
  );

const beatsLorItem = simulationItem(hiddenRuns(2, 3), (checks, runs, maxScore) => {
  const t = comparisonTable(checks, runs);
  const m = median(t.vsLor);
  const ok = m >= REQUIRED_IMPROVEMENT_OVER_LOR;
  return {
    score: ok ? maxScore : 0,
    message: `median ${pct(m)} lower mean e2e than lor (needs ≥ ${pct(REQUIRED_IMPROVEMENT_OVER_LOR)})`,
    output: textTable(HEADER, t.rows),
  };
});

function beatsRoundRobin(qps: 2 | 3, count: number, leaderboard: boolean) {
  const target = qps === 2 ? TARGET_IMPROVEMENT_OVER_RR.qps2 : TARGET_IMPROVEMENT_OVER_RR.qps3;
  return simulationItem(hiddenRuns(qps, count), (checks, runs, maxScore) => {
    const t = comparisonTable(checks, runs);
    const m = median(t.vsRr);
    const meanE2eAll = t.e2e.reduce((a, b) => a + b, 0) / t.e2e.length;
    return {
      score: linearPoints(m, 0, target, maxScore),
      message: `median ${pct(m)} lower mean e2e than round robin (0 points at 0%, full points at ${pct(target)})`,
      output: textTable(HEADER, t.rows),
      plots: t.plots,
      leaderboard: leaderboard
        ? [{ name: `mean e2e at ${qps} QPS (s)`, value: Number(meanE2eAll.toFixed(4)), order: 'asc' as const }]
        : undefined,
      extra: { improvementOverRoundRobin: t.vsRr, meanE2e: t.e2e },
    };
  });
}

export const ROUTING_ITEMS = {
  'unit-cases': unitItem,
  correctness: correctnessItem,
  'beats-lor': beatsLorItem,
  'beats-round-robin': beatsRoundRobin(2, 3, true),
  'heavier-load': beatsRoundRobin(3, 2, false),
} satisfies Record<string, ItemImplementation>;
