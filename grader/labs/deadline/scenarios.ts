/**
 * The deadline lab's scenario items, on hidden workloads (a conversation-like and a code-like one, tiers
 * uniform). The student's runs are replayed in the parent's engine from their batch logs, so every scored
 * violation rate comes from trusted code. FCFS and EDF (the engine's baselines) and the reference run on the
 * same requests through the result cache (grader/kit/result-cache.ts). The overload item's report timelines
 * come from one extra, unscored public run (`timelineWorkload`).
 */
import { z } from 'zod';
import { bracketCapacity, CAPACITY_TARGET, capacityBracket } from '../../../sim/analysis/capacity.js';
import type { SimulationObserver, SimulationResult } from '../../../sim/engine/simulator.js';
import { describeViolations } from '../../../sim/metrics/deadlines.js';
import { mean } from '../../../sim/metrics/stats.js';
import type { TimelineRecorder } from '../../../sim/metrics/timeline/index.js';
import { REPLICA_SCHEDULERS } from '../../../sim/policies/replica/registry.js';
import { promptTokensPerCall } from '../../kit/batch-log.js';
import { ReplayError } from '../../kit/batch-replay.js';
import { binMeans, lineChart, scatterChart, type Plot } from '../../kit/charts.js';
import type { ItemContext, ItemImplementation } from '../../kit/item.js';
import { fmt, pct, textTable } from '../../kit/messages.js';
import { cached } from '../../kit/result-cache.js';
import { linear, proportion, roundPoints } from '../../kit/rules.js';
import { judgeRun, replayed } from '../../kit/scenario.js';
import { cachedRecording, recordedPair } from '../../kit/timelines.js';
import { CapacityOutput, CapacityTrace, OverloadOutput, type TierProbe, type Workload } from './schemas.js';
import { capacityOf, drawWorkload as workload, hiddenWorkloads, LAB_SERVER, OVERLOAD_QPS } from './simulate.js';
import { OVERLOAD_BATCH_SIZE_CAP as batchSizeCap, simulateAt, timelineWorkload, violationsOf } from './simulate.js';
import type { RunOptions, SchedulerFactory, WorkloadSpec } from './simulate.js';
import { oracle } from './student.js';

/** Largest dynamic chunk (tokens per iteration, decodes included): the replay's token limit. */
const MAX_ITERATION_TOKENS = 2552;
type Trusted = 'fcfs' | 'edf' | 'reference';

async function policy(who: Trusted, ctx: ItemContext): Promise<SchedulerFactory> {
  if (who !== 'reference') return REPLICA_SCHEDULERS[`sarathi-${who}`].create;
  const ref = await oracle.reference(ctx);
  return (init, options) => new ref.DeadlineScheduler(init, options);
}

/** `what` (run by `who` on a workload) from the cache when this code has computed it before. */
const trusted =
  <T>(what: string, schema: z.ZodType<T>, run: (w: Workload, make: SchedulerFactory, spec: WorkloadSpec) => T) =>
  (ctx: ItemContext, who: Trusted, spec: WorkloadSpec): Promise<T> => {
    const key = { repoRoot: ctx.repoRoot, lab: 'deadline', what: `${what} of ${who}, ${spec.lengths}-like` };
    return cached({ ...key, seed: spec.seed }, schema, async () => run(workload(spec), await policy(who, ctx), spec));
  };
const capacitySearch = trusted('capacity search', CapacityTrace, (w, make) => capacityOf(w, make));

/** Replays a student's run from its batch log in the parent's engine; throws ReplayError when the log breaks the rules. */
export function replay(w: Workload, qps: number, log: readonly number[], run: RunOptions = {}): SimulationResult {
  return replayed(log, 'sarathi', (make) =>
    simulateAt(w, qps, (init) => make({ ...init, limits: { ...init.limits, chunkSize: MAX_ITERATION_TOKENS } }), run),
  );
}

/** The student's capacity from the two probes it is interpolated from, each replayed: the reported rates must be the replay's. */
function verifiedCapacity(w: Workload, search: CapacityOutput['searches'][number]): number {
  const replayed = (claimed: TierProbe | undefined) => {
    if (claimed === undefined) return undefined;
    const entry = search.logs.find((l) => l.qps === claimed.qps);
    if (entry === undefined) throw new ReplayError(`no batch log for the probe at ${claimed.qps} req/s`);
    const maxRate = violationsOf(replay(w, claimed.qps, entry.log)).maxRate;
    const [reported, replays] = [pct(claimed.maxRate, 2), pct(maxRate, 2)];
    const message = `at ${claimed.qps} req/s the run reported ${reported} missed but replays to ${replays}`;
    if (Math.abs(claimed.maxRate - maxRate) > 1e-9) throw new ReplayError(message);
    return { qps: claimed.qps, maxRate };
  };
  const { pass, fail } = capacityBracket(search.probes);
  const a = replayed(pass);
  if (a !== undefined && a.maxRate > CAPACITY_TARGET) throw new ReplayError('the passing probe misses more than 1%');
  return bracketCapacity(a, replayed(fail));
}

const tierPlots = (lengths: string, traces: Readonly<Record<string, readonly TierProbe[]>>): Plot[] =>
  LAB_SERVER.tierDeadlines.map((_, tier) =>
    scatterChart({
      title: `Tier ${tier} violation rate vs QPS (${lengths}-like lengths)`,
      x: 'requests per second',
      y: `tier ${tier}, % of deadlines missed`,
      connect: true,
      series: Object.entries(traces).map(([name, probes]) => ({
        name,
        points: [...probes].sort((a, b) => a.qps - b.qps).map((p) => [p.qps, 100 * (p.perTier[tier] ?? 0)] as const),
        ...(name === 'reference' ? { dashed: true } : {}),
      })),
    }),
  );

/**
 * A workload's anchors: no points at the strongest shipped baseline's capacity (EDF's on every seed measured,
 * docs/validity/deadline.md), so a copy of it earns none; full points 80% of the way from there to the
 * reference's. The zero anchor is never above 98% of the reference's capacity.
 */
export function capacityAnchors(strongest: number, reference: number): { zeroAt: number; fullAt: number } {
  const zeroAt = Math.min(strongest, 0.98 * reference);
  return { zeroAt, fullAt: zeroAt + 0.8 * (reference - zeroAt) };
}

/** Per workload: points linear between the capacityAnchors. */
export const capacityItem: ItemImplementation<WorkloadSpec[], CapacityOutput> = {
  output: CapacityOutput,
  prepare(ctx) {
    const workloads = hiddenWorkloads(ctx.hiddenSeed);
    return { input: { task: 'capacity', workloads: workloads.map(workload) }, prepared: workloads };
  },
  async score(out, workloads, ctx, maxScore) {
    const [rows, notes, plots, capacities] = [[] as string[][], [] as string[], [] as Plot[], [] as number[]];
    let score = 0;
    for (const [i, spec] of workloads.entries()) {
      const trustedRuns = (['fcfs', 'edf', 'reference'] as const).map((w) => capacitySearch(ctx, w, spec));
      const [fcfs, edf, ref] = await Promise.all(trustedRuns);
      const judged = judgeRun(out.searches[i], (s) => verifiedCapacity(workload(spec), s));
      const { zeroAt, fullAt } = capacityAnchors(Math.max(fcfs!.capacity, edf!.capacity), ref!.capacity);
      const points =
        judged.problem !== undefined ? 0 : linear(judged.value, zeroAt, fullAt, maxScore / workloads.length);
      capacities.push(judged.value ?? 0);
      score += points;
      const yours = judged.problem !== undefined ? 'failed' : fmt(judged.value, 2);
      rows.push([spec.lengths, yours, ...[ref!, edf!, fcfs!].map((t) => fmt(t.capacity, 2)), String(points)]);
      if (judged.problem !== undefined) notes.push(`${spec.lengths}: ${judged.problem}`);
      const you: Record<string, TierProbe[]> = judged.problem === undefined ? { you: out.searches[i]!.probes } : {};
      const traces = { FCFS: fcfs!.probes, EDF: edf!.probes, reference: ref!.probes, ...you };
      plots.push(...tierPlots(spec.lengths, traces));
    }
    return {
      score: roundPoints(score),
      threw: out.searches.length > 0 && out.searches.every((s) => s.error !== undefined),
      message: `capacity (req/s at ≤ 1% missed in the worst tier): ${workloads.map((w, i) => `${w.lengths} ${fmt(capacities[i], 2)}`).join(', ')}`,
      output: [
        textTable(['workload', 'your capacity', 'reference', 'EDF', 'FCFS', 'points'], rows),
        'No points at or below the strongest baseline (EDF or FCFS), full points 80% of the way from it to the reference, linear between.',
        ...notes,
      ].join('\n'),
      leaderboard: [{ name: 'mean capacity (req/s)', value: roundPoints(mean(capacities)), order: 'desc' }],
      plots,
    };
  },
};

/** A trusted overloaded run: its worst-tier rate, described, and its prompt tokens per iteration (thinned). */
const Point = z.tuple([z.number(), z.number()]);
const OverloadRun = z.strictObject({ maxRate: z.number(), described: z.string(), chunks: z.array(Point) });
const overloadRun = (s: WorkloadSpec) => ({ workload: workload(s), qps: OVERLOAD_QPS[s.lengths], batchSizeCap });
const trustedOverload = trusted('overloaded run', OverloadRun, (w, make, spec) => {
  const chunks: [number, number][] = [];
  const observers: SimulationObserver[] = [{ onBatchStart: (b, now) => chunks.push([now, b.numPrefillTokens]) }];
  const report = violationsOf(simulateAt(w, OVERLOAD_QPS[spec.lengths], make, { observers, batchSizeCap }));
  return { maxRate: report.maxRate, described: describeViolations(report), chunks: binMeans(chunks) };
});

/** The student's replayed run and the reference's on the public timeline workload, for the report. */
function timelines(ctx: ItemContext, spec: WorkloadSpec, log: readonly number[]) {
  const [w, qps, options] = [workload(spec), OVERLOAD_QPS[spec.lengths], { tierDeadlines: LAB_SERVER.tierDeadlines }];
  const key = { repoRoot: ctx.repoRoot, lab: 'deadline', what: 'timeline of the reference', seed: spec.seed };
  const reference = async (r: TimelineRecorder) =>
    simulateAt(w, qps, await policy('reference', ctx), { observers: [r], batchSizeCap }).endTime;
  return recordedPair(
    `${w.lengths}-like workload from the public seed (${spec.seed}) at ${qps} req/s`,
    (recorder) => replay(w, qps, log, { observers: [recorder], batchSizeCap }).endTime,
    () => cachedRecording(key, reference, options),
    options,
  );
}

/** Per workload: pass when every request finishes and the worst tier misses at most 1.25 × the reference's rate + 1 point. */
export const overloadItem: ItemImplementation<{ workloads: WorkloadSpec[]; timeline: WorkloadSpec }, OverloadOutput> = {
  output: OverloadOutput,
  prepare(ctx) {
    const [workloads, timeline] = [hiddenWorkloads(ctx.hiddenSeed), timelineWorkload(ctx.publicSeed)];
    // The last run is the public one, only for the report's timeline: never scored.
    const runs = [...workloads, timeline].map(overloadRun);
    return { input: { task: 'overload', runs }, prepared: { workloads, timeline } };
  },
  async score(out, { workloads, timeline }, ctx, maxScore) {
    const [rows, notes, plots] = [[] as string[][], [] as string[], [] as Plot[]];
    let passed = 0;
    for (const [i, spec] of workloads.entries()) {
      const qps = OVERLOAD_QPS[spec.lengths];
      const [ref, edf] = await Promise.all([
        trustedOverload(ctx, 'reference', spec),
        trustedOverload(ctx, 'edf', spec),
      ]);
      const judged = judgeRun(out.runs[i], (r) => {
        const result = replay(workload(spec), qps, r.log, { batchSizeCap });
        return { report: violationsOf(result), unfinished: result.requests.length - result.numCompleted };
      });
      const you = judged.value;
      const problem =
        judged.problem ?? (you!.unfinished > 0 ? `${you!.unfinished} requests never finished` : undefined);
      const yourRun = you !== undefined ? describeViolations(you.report) : problem;
      notes.push(`${spec.lengths}: you: ${yourRun}; reference: ${ref!.described}`);
      const limit = ref!.maxRate * 1.25 + 0.01;
      const ok = problem === undefined && you!.report.maxRate <= limit;
      if (ok) passed++;
      const yours = you !== undefined ? pct(you.report.maxRate, 2) : 'failed';
      const rates = [ref!, edf!].map((r) => pct(r.maxRate, 2));
      rows.push([spec.lengths, String(qps), yours, ...rates, pct(limit, 2), ok ? 'pass' : 'fail']);
      const chunks = you !== undefined ? binMeans(promptTokensPerCall(out.runs[i]!.log)) : [];
      const mine = chunks.length > 0 ? [{ name: 'you', points: chunks }] : [];
      const series = [{ name: 'reference', points: ref!.chunks, dashed: true }, ...mine];
      const title = `Prompt tokens per iteration over time, ${qps} req/s (${spec.lengths}-like)`;
      plots.push(lineChart({ title, x: 'time (s)', y: 'prompt tokens per iteration', series }));
    }
    const [scored, last] = [out.runs.slice(0, workloads.length), out.runs[workloads.length]];
    const pair = last !== undefined && last.error === undefined ? await timelines(ctx, timeline, last.log) : undefined;
    return {
      score: proportion(passed, workloads.length, maxScore),
      threw: scored.length > 0 && scored.every((r) => r.error !== undefined),
      message: `${passed} of ${workloads.length} overloaded runs within 1.25 × the reference's worst-tier rate + 1 point`,
      output: [
        textTable(['workload', 'req/s', 'you (worst tier)', 'reference', 'EDF', 'limit', 'pass/fail'], rows),
        ...notes,
      ].join('\n'),
      plots,
      ...(pair !== undefined ? { timelines: pair } : {}),
    };
  },
};
