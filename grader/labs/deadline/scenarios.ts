/**
 * The deadline lab's scenario items, on hidden workloads (a conversation-like and a code-like one,
 * tiers uniform). The student's runs are replayed in the parent's engine from their batch logs, so
 * every violation rate that is scored comes from trusted code. FCFS and EDF (the engine's baselines)
 * and the reference run on the same requests through the result cache (grader/kit/result-cache.ts),
 * so grading a submission runs only the submission. The overload item's report timelines come from
 * one extra, unscored public run (`timelineWorkload`).
 */
import { CAPACITY_TARGET } from '../../../sim/analysis/capacity.js';
import type { SimulationObserver, SimulationResult } from '../../../sim/engine/simulator.js';
import { describeViolations } from '../../../sim/metrics/deadlines.js';
import { REPLICA_SCHEDULERS } from '../../../sim/policies/replica/registry.js';
import type { ItemContext, ItemImplementation, ItemOutcome } from '../../core/lab.js';
import { roundPoints, textTable } from '../../core/scoring.js';
import { ReplayError, ReplayReplicaScheduler } from '../../kit/batch-replay.js';
import { fmt, pct } from '../../kit/messages.js';
import type { Oracle } from '../../kit/oracle.js';
import { cached } from '../../kit/result-cache.js';
import { linear } from '../../kit/rules.js';
import { FrozenRun, freezeRun, reportRecorder, thawRun, timelinePair } from '../../kit/timelines.js';
import { lineChart, scatterChart, type Plot } from '../../report/charts.js';
import type { RecordedRun } from '../../report/timeline-view.js';
import { z } from 'zod';
import {
  CapacityOutput,
  CapacityTrace,
  OverloadOutput,
  type CapacityInput,
  type OverloadInput,
  type TierProbe,
  type Workload,
} from './schemas.js';
import {
  bracketOf,
  capacityOf,
  drawWorkload,
  hiddenWorkloads,
  interpolate,
  LAB_SERVER,
  OVERLOAD_BATCH_SIZE_CAP,
  OVERLOAD_QPS,
  simulateAt,
  timelineWorkload,
  violationsOf,
  type SchedulerFactory,
  type WorkloadSpec,
} from './simulate.js';
import type { DeadlineModule } from './student.js';

/** Largest dynamic chunk (tokens per iteration, decodes included): the replay's token limit. */
const MAX_ITERATION_TOKENS = 2552;

type Trusted = 'fcfs' | 'edf' | 'reference';

const drawn = new Map<string, Workload>();
/** The workload's requests (memoized: batch grading draws the same hidden workloads again and again). */
function workload(spec: WorkloadSpec): Workload {
  const key = `${spec.lengths}:${spec.seed}`;
  let w = drawn.get(key);
  if (w === undefined) drawn.set(key, (w = drawWorkload(spec)));
  return w;
}

async function policy(who: Trusted, oracle: Oracle<DeadlineModule>, ctx: ItemContext): Promise<SchedulerFactory> {
  if (who !== 'reference') return REPLICA_SCHEDULERS[who === 'fcfs' ? 'sarathi-fcfs' : 'sarathi-edf'].create;
  const ref = await oracle.reference(ctx);
  return (init, options) => new ref.DeadlineScheduler(init, options);
}

/** A trusted run's result on a workload, from the cache when this code has computed it before. */
function trusted<T>(
  ctx: ItemContext,
  what: string,
  spec: WorkloadSpec,
  schema: z.ZodType<T>,
  compute: () => Promise<T>,
) {
  return cached(
    { repoRoot: ctx.repoRoot, lab: 'deadline', what: `${what}, ${spec.lengths}-like`, seed: spec.seed },
    schema,
    compute,
  );
}

/** Replays a student's run from its batch log in the parent's engine; throws ReplayError when the log breaks the rules. */
export function replay(
  w: Workload,
  qps: number,
  log: readonly number[],
  batchSizeCap?: number,
  observers: readonly SimulationObserver[] = [],
): SimulationResult {
  let replica: ReplayReplicaScheduler | undefined;
  const result = simulateAt(
    w,
    qps,
    (init) =>
      (replica = new ReplayReplicaScheduler(
        { ...init, limits: { ...init.limits, chunkSize: MAX_ITERATION_TOKENS } },
        log,
        'sarathi',
      )),
    observers,
    undefined,
    batchSizeCap,
  );
  if (replica?.remaining === true)
    throw new ReplayError('the batch log has calls the replay never made: the run did not follow the engine');
  return result;
}

const problemOf = (err: unknown): string =>
  err instanceof ReplayError ? err.message : `replay failed: ${String(err)}`;

// ---- capacity -------------------------------------------------------------------------------

/**
 * The student's capacity from the two probes it is interpolated from, each replayed here: the rates
 * the child reported must be the rates the replay measures.
 */
function verifiedCapacity(w: Workload, search: CapacityOutput['searches'][number]): number {
  const { pass, fail } = bracketOf(search.probes);
  const replayed = (claimed: { qps: number; maxRate: number } | undefined) => {
    if (claimed === undefined) return undefined;
    const entry = search.logs.find((l) => l.qps === claimed.qps);
    if (entry === undefined) throw new ReplayError(`no batch log for the probe at ${claimed.qps} req/s`);
    const maxRate = violationsOf(replay(w, claimed.qps, entry.log)).maxRate;
    if (Math.abs(claimed.maxRate - maxRate) > 1e-9)
      throw new ReplayError(
        `at ${claimed.qps} req/s the run reported ${pct(claimed.maxRate, 2)} missed but replays to ${pct(maxRate, 2)}`,
      );
    return { qps: claimed.qps, maxRate };
  };
  const a = replayed(pass);
  const b = replayed(fail);
  if (a !== undefined && a.maxRate > CAPACITY_TARGET) throw new ReplayError('the passing probe misses more than 1%');
  return interpolate(a, b);
}

function tierPlots(lengths: string, traces: Readonly<Record<string, readonly TierProbe[]>>): Plot[] {
  const tiers = Math.max(...Object.values(traces).flatMap((probes) => probes.map((p) => p.perTier.length)));
  return Array.from({ length: tiers }, (_, tier) =>
    scatterChart({
      title: `Tier ${tier} violation rate vs QPS (${lengths}-like lengths)`,
      x: 'requests per second',
      y: `tier ${tier}, % of deadlines missed`,
      connect: true,
      series: Object.entries(traces).map(([name, probes]) => ({
        name,
        points: [...probes]
          .sort((a, b) => a.qps - b.qps)
          .map((p): [number, number] => [p.qps, 100 * (p.perTier[tier] ?? 0)]),
        ...(name === 'reference' ? { dashed: true } : {}),
      })),
    }),
  );
}

export function capacityItem(
  oracle: Oracle<DeadlineModule>,
): ItemImplementation<{ workloads: WorkloadSpec[] }, CapacityOutput> {
  const baseline = (ctx: ItemContext, who: Trusted, spec: WorkloadSpec) =>
    trusted(ctx, `capacity search of ${who}`, spec, CapacityTrace, async () =>
      capacityOf(workload(spec), await policy(who, oracle, ctx)),
    );
  return {
    output: CapacityOutput,
    prepare(ctx) {
      const workloads = hiddenWorkloads(ctx.hiddenSeed);
      const input: CapacityInput = { task: 'capacity', workloads: workloads.map(workload) };
      return { input, prepared: { workloads } };
    },
    async score(out, { workloads }, ctx, maxScore): Promise<ItemOutcome> {
      const rows: string[][] = [];
      const notes: string[] = [];
      const plots: Plot[] = [];
      const capacities: number[] = [];
      let score = 0;
      for (const [i, spec] of workloads.entries()) {
        const [fcfs, edf, reference] = await Promise.all(
          (['fcfs', 'edf', 'reference'] as const).map((who) => baseline(ctx, who, spec)),
        );
        const search = out.searches[i];
        let student = 0;
        let problem: string | undefined;
        if (search === undefined) problem = 'no result';
        else if (search.error !== undefined) problem = `your scheduler failed: ${search.error}`;
        else {
          try {
            student = verifiedCapacity(workload(spec), search);
          } catch (err) {
            problem = problemOf(err);
          }
        }
        const max = maxScore / workloads.length;
        const points = problem !== undefined ? 0 : linear(student, fcfs!.capacity, 0.95 * reference!.capacity, max);
        capacities.push(student);
        score += points;
        rows.push([
          spec.lengths,
          problem !== undefined ? 'failed' : fmt(student, 2),
          ...[reference!, edf!, fcfs!].map((t) => fmt(t.capacity, 2)),
          String(points),
        ]);
        if (problem !== undefined) notes.push(`${spec.lengths}: ${problem}`);
        const traces: Record<string, readonly TierProbe[]> = {
          FCFS: fcfs!.probes,
          EDF: edf!.probes,
          reference: reference!.probes,
        };
        if (search !== undefined && problem === undefined) traces.you = search.probes;
        plots.push(...tierPlots(spec.lengths, traces));
      }
      return {
        score: roundPoints(score),
        threw: out.searches.length > 0 && out.searches.every((s) => s.error !== undefined),
        message: `capacity (req/s at ≤ 1% missed in the worst tier): ${workloads.map((w, i) => `${w.lengths} ${fmt(capacities[i], 2)}`).join(', ')}`,
        output: [
          textTable(['workload', 'your capacity', 'reference', 'EDF', 'FCFS', 'points'], rows),
          'Full points at ≥ 95% of the reference capacity, none at FCFS capacity or below, linear between.',
          ...notes,
        ].join('\n'),
        leaderboard: [
          {
            name: 'mean capacity (req/s)',
            value: roundPoints(capacities.reduce((s, c) => s + c, 0) / capacities.length),
            order: 'desc',
          },
        ],
        plots,
      };
    },
  };
}

// ---- overload -------------------------------------------------------------------------------

/** A trusted overloaded run: its worst-tier rate, described, and its prompt tokens per iteration (thinned). */
const OverloadRun = z.strictObject({
  maxRate: z.number(),
  described: z.string(),
  chunks: z.array(z.tuple([z.number(), z.number()])),
});

/** (time, prompt tokens) of every batch in a log (grader/kit/batch-log.ts format): entries `-(id+1), tokens` are prompt chunks. */
function chunkSeries(log: readonly number[]): [number, number][] {
  const out: [number, number][] = [];
  let i = 0;
  while (i < log.length) {
    const t = log[i++]!;
    i += log[i++]!;
    const n = log[i++]!;
    let prompt = 0;
    for (let k = 0; k < n; k++) if (log[i++]! < 0) prompt += log[i++]!;
    if (n > 0) out.push([t, prompt]);
  }
  return out;
}

/** Mean prompt tokens per iteration in each of `buckets` equal time windows (the report stays small and readable). */
function thin(points: readonly [number, number][], buckets = 240): [number, number][] {
  if (points.length === 0) return [];
  const width = Math.max(points[points.length - 1]![0] / buckets, 1e-9);
  const sum = new Array<number>(buckets + 1).fill(0);
  const count = new Array<number>(buckets + 1).fill(0);
  for (const [t, v] of points) {
    const k = Math.min(buckets, Math.floor(t / width));
    sum[k]! += v;
    count[k]!++;
  }
  return sum.flatMap((s, k): [number, number][] =>
    count[k]! > 0 ? [[Math.round((k + 0.5) * width * 1000) / 1000, Math.round(s / count[k]!)]] : [],
  );
}

const overloadRun = (spec: WorkloadSpec): OverloadInput['runs'][number] => ({
  workload: workload(spec),
  qps: OVERLOAD_QPS[spec.lengths],
  batchSizeCap: OVERLOAD_BATCH_SIZE_CAP,
});

type Prepared = { workloads: WorkloadSpec[]; timeline: WorkloadSpec };

export function overloadItem(oracle: Oracle<DeadlineModule>): ItemImplementation<Prepared, OverloadOutput> {
  const run = (ctx: ItemContext, who: Trusted, spec: WorkloadSpec) =>
    trusted(ctx, `overloaded run of ${who}`, spec, OverloadRun, async () => {
      const chunks: [number, number][] = [];
      const observer: SimulationObserver = { onBatchStart: (b, now) => chunks.push([now, b.numPrefillTokens]) };
      const w = workload(spec);
      const make = await policy(who, oracle, ctx);
      const report = violationsOf(
        simulateAt(w, OVERLOAD_QPS[w.lengths], make, [observer], undefined, OVERLOAD_BATCH_SIZE_CAP),
      );
      return { maxRate: report.maxRate, described: describeViolations(report), chunks: thin(chunks) };
    });
  /** The student's replayed run and the reference's on the public timeline workload, for the report. */
  const timelines = async (ctx: ItemContext, spec: WorkloadSpec, log: readonly number[]) => {
    const w = workload(spec);
    const qps = OVERLOAD_QPS[w.lengths];
    const recorded = (simulate: (observers: SimulationObserver[]) => SimulationResult) => {
      const recorder = reportRecorder({ tierDeadlines: LAB_SERVER.tierDeadlines });
      return { recorder, endTime: simulate([recorder]).endTime };
    };
    let student: RecordedRun;
    try {
      student = recorded((o) => replay(w, qps, log, OVERLOAD_BATCH_SIZE_CAP, o));
    } catch {
      return undefined; // the scored runs say why
    }
    const reference = async () => {
      const make = await policy('reference', oracle, ctx);
      const run = recorded((o) => simulateAt(w, qps, make, o, undefined, OVERLOAD_BATCH_SIZE_CAP));
      return freezeRun(run.recorder, run.endTime);
    };
    const what = `${w.lengths}-like workload from the public seed (${spec.seed}) at ${qps} req/s`;
    return timelinePair(what, student, async () =>
      thawRun(await trusted(ctx, 'timeline of the reference', spec, FrozenRun, reference)),
    );
  };
  return {
    output: OverloadOutput,
    prepare(ctx) {
      const workloads = hiddenWorkloads(ctx.hiddenSeed);
      const timeline = timelineWorkload(ctx.publicSeed);
      // The last run is the public one, only for the report's timeline: never scored.
      const input: OverloadInput = { task: 'overload', runs: [...workloads, timeline].map(overloadRun) };
      return { input, prepared: { workloads, timeline } };
    },
    async score(out, { workloads, timeline }, ctx, maxScore): Promise<ItemOutcome> {
      const rows: string[][] = [];
      const notes: string[] = [];
      const plots: Plot[] = [];
      let passed = 0;
      for (const [i, spec] of workloads.entries()) {
        const w = workload(spec);
        const qps = OVERLOAD_QPS[w.lengths];
        const [ref, edf] = await Promise.all([run(ctx, 'reference', spec), run(ctx, 'edf', spec)]);
        const studentRun = out.runs[i];
        let maxRate: number | undefined;
        let problem: string | undefined;
        if (studentRun === undefined) problem = 'no result';
        else if (studentRun.error !== undefined) problem = `your scheduler failed: ${studentRun.error}`;
        else {
          try {
            const result = replay(w, qps, studentRun.log, OVERLOAD_BATCH_SIZE_CAP);
            const report = violationsOf(result);
            maxRate = report.maxRate;
            notes.push(`${w.lengths}: you: ${describeViolations(report)}; reference: ${ref!.described}`);
            if (result.numCompleted < result.requests.length)
              problem = `${result.requests.length - result.numCompleted} requests never finished`;
          } catch (err) {
            problem = problemOf(err);
          }
        }
        if (maxRate === undefined) notes.push(`${w.lengths}: you: ${problem}; reference: ${ref!.described}`);
        const limit = ref!.maxRate * 1.25 + 0.01;
        const ok = problem === undefined && maxRate !== undefined && maxRate <= limit;
        if (ok) passed++;
        rows.push([
          w.lengths,
          String(qps),
          maxRate !== undefined ? pct(maxRate, 2) : 'failed',
          pct(ref!.maxRate, 2),
          pct(edf!.maxRate, 2),
          pct(limit, 2),
          ok ? 'pass' : 'fail',
        ]);
        const chunks = studentRun?.error === undefined ? thin(chunkSeries(studentRun?.log ?? [])) : [];
        plots.push(
          lineChart({
            title: `Prompt tokens per iteration over time, ${qps} req/s (${w.lengths}-like)`,
            x: 'time (s)',
            y: 'prompt tokens per iteration',
            series: [
              { name: 'reference', points: ref!.chunks, dashed: true },
              ...(chunks.length > 0 ? [{ name: 'you', points: chunks }] : []),
            ],
          }),
        );
      }
      const scored = out.runs.slice(0, workloads.length);
      const last = out.runs[workloads.length];
      const pair =
        last === undefined || last.error !== undefined ? undefined : await timelines(ctx, timeline, last.log);
      return {
        score: roundPoints((maxScore * passed) / workloads.length),
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
}
