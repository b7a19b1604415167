/**
 * The deadline lab's rubric items. Unit items run the probes (probes.ts) on the student's module in
 * the sandbox and on the reference here, and compare. Scenario items run on hidden workloads (a
 * conversation-like and a code-like one, tiers uniform): the student's runs are replayed in the
 * parent's engine from their batch logs, so every violation rate that is scored comes from trusted
 * code; FCFS and EDF (the engine's baselines) and the reference run here on the same requests.
 * The overload item's report timelines come from one extra, unscored public run (`timelineWorkload`).
 */
import { CAPACITY_TARGET } from '../../../sim/analysis/capacity.js';
import type { SimulationObserver, SimulationResult } from '../../../sim/engine/simulator.js';
import { describeViolations, type DeadlineReport } from '../../../sim/metrics/deadlines.js';
import { REPLICA_SCHEDULERS } from '../../../sim/policies/replica/registry.js';
import { Rng } from '../../../sim/workload/rng.js';
import { InvalidOutput, parseTaskOutput } from '../../core/child-output.js';
import type { ItemContext, ItemImplementation, ItemOutcome } from '../../core/lab.js';
import { importReference } from '../../core/reference.js';
import { linearPoints, roundPoints, textTable } from '../../core/scoring.js';
import { lineChart, scatterChart, type Plot } from '../../report/charts.js';
import { ReplayError, ReplayReplicaScheduler } from '../../kit/batch-replay.js';
import { probesFor, runProbes, sameValue, type DeadlineModule, type ProbeResult, type UnitItemId } from './probes.js';
import { readPublicExpected } from './public-expected.js';
import { DeadlineOutput } from './protocol.js';
import {
  bracketOf,
  capacityOf,
  drawWorkload,
  interpolate,
  LAB_SERVER,
  simulateAt,
  violationsOf,
  type CapacityTrace,
  type SchedulerFactory,
  type TierProbe,
  type Workload,
  type WorkloadSpec,
} from './simulate.js';
import type { TimelinePair } from '../../report/timeline-view.js';
import { reportRecorder } from '../../kit/timelines.js';
import type { SplitCases } from '../../core/split-cases.js';

const parseOutput = <T extends DeadlineOutput['task']>(raw: unknown, task: T) =>
  parseTaskOutput(DeadlineOutput, raw, task);

async function reference(ctx: ItemContext): Promise<DeadlineModule> {
  return importReference<DeadlineModule>(ctx.repoRoot, 'reference/deadline', 'deadline-scheduler.ts');
}

/** Largest dynamic chunk (tokens per iteration, decodes included): the replay's token limit. */
const MAX_ITERATION_TOKENS = 2552;

// ---- unit items -----------------------------------------------------------------------------

/**
 * The reference's values for an item's probes. `npm run check` runs the public probes only, whose
 * values the handout ships (public-expected.ts): it has no reference.
 */
async function expectedValues(
  ctx: ItemContext,
  item: UnitItemId,
  seed: number,
  publicOnly: boolean,
): Promise<ProbeResult[]> {
  if (publicOnly) {
    const shipped = readPublicExpected(ctx.repoRoot);
    if (shipped !== undefined) return shipped[item];
  }
  return runProbes(await reference(ctx), item, seed, publicOnly);
}

/** Each probe alone (the harness runs probe number `only`), so a probe that hangs is named. */
function splitProbes(item: UnitItemId): SplitCases {
  type Units = { seed: number; publicOnly: boolean };
  const names = (input: unknown) =>
    probesFor(item, (input as Units).seed, (input as Units).publicOnly).map((p) => p.name);
  return {
    inputs: (input) => {
      const all = names(input);
      return all.length < 2 ? undefined : all.map((name, only) => ({ name, input: { ...(input as object), only } }));
    },
    merge: (input, runs) => ({
      task: 'units',
      results: names(input).map((name, i) => {
        const run = runs[i]!;
        if (!('raw' in run)) return { name, error: run.failure };
        return (
          (run.raw as { results?: unknown[] } | undefined)?.results?.[0] ?? {
            name,
            error: 'the case returned no result',
          }
        );
      }),
    }),
  };
}

function unitItem(item: UnitItemId): ItemImplementation<{ seed: number; publicOnly: boolean }> {
  return {
    splitCases: splitProbes(item),
    prepare(ctx) {
      const publicOnly = ctx.mode === 'check';
      return {
        input: { task: 'units', item, seed: ctx.hiddenSeed, publicOnly },
        prepared: { seed: ctx.hiddenSeed, publicOnly },
      };
    },
    async score(raw, { seed, publicOnly }, ctx, maxScore): Promise<ItemOutcome> {
      const out = parseOutput(raw, 'units');
      const expected = await expectedValues(ctx, item, seed, publicOnly);
      const probes = probesFor(item, seed, publicOnly);
      const lines: string[] = [];
      let passed = 0;
      probes.forEach((p, i) => {
        const want = expected[i]!;
        const got = out.results[i];
        if (want.error !== undefined) throw new Error(`the reference fails probe "${p.name}": ${want.error}`);
        const ok = got !== undefined && got.error === undefined && sameValue(got.value, want.value);
        if (ok) passed++;
        lines.push(`${ok ? 'PASS' : 'FAIL'} ${p.hidden ? 'hidden variant' : 'public case'}: ${p.name}`);
        if (!ok) {
          lines.push(`     expected ${JSON.stringify(want.value)}`);
          lines.push(
            `     got      ${got === undefined ? 'nothing' : got.error !== undefined ? `an error: ${got.error}` : JSON.stringify(got.value)}`,
          );
        }
      });
      return {
        score: roundPoints((maxScore * passed) / probes.length),
        threw: probes.length > 0 && probes.every((_, i) => out.results[i]?.error !== undefined),
        message: `${passed} of ${probes.length} cases passed`,
        output: lines.join('\n'),
      };
    },
  };
}

// ---- scenario items -------------------------------------------------------------------------

/** The hidden workloads: one with conversation lengths, one with code lengths, seeds from the hidden seed. */
export function hiddenWorkloads(hiddenSeed: number): WorkloadSpec[] {
  return (['conv', 'code'] as const).map((lengths) => ({
    lengths,
    seed: new Rng(hiddenSeed).fork(`deadline-${lengths}`).int(1, 2 ** 31 - 1),
  }));
}

const drawn = new Map<string, Workload>();
/** The workload's requests (memoized: batch grading draws the same hidden workloads again and again). */
function workload(spec: WorkloadSpec): Workload {
  const key = `${spec.lengths}:${spec.seed}`;
  let w = drawn.get(key);
  if (w === undefined) {
    w = drawWorkload(spec);
    drawn.set(key, w);
  }
  return w;
}

/**
 * Rates well above every capacity we measured (labs/deadline/README.md): sustained overload, where
 * eager relegation decides how many deadlines are lost (without it the reference misses 69% instead
 * of 34% on conversations and 78% instead of 10% on code, default hidden seed, OVERLOAD_BATCH_SIZE_CAP).
 */
export const OVERLOAD_QPS: Readonly<Record<Workload['lengths'], number>> = { conv: 16, code: 14 };

/**
 * Requests holding KV blocks in the overload runs: above the lab's 128, so that more requests decode
 * than the 256 (`chunkSize`) decodes one iteration takes. In the conversation run the limit then binds
 * (the reference batches 256 decodes in 271 of its 2,726 iterations on the default hidden seed), and
 * which decodes are cut follows `compareDecodes`. Code-like requests are too short to get there.
 */
export const OVERLOAD_BATCH_SIZE_CAP = 384;

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
    (init) => {
      replica = new ReplayReplicaScheduler(
        { ...init, limits: { ...init.limits, chunkSize: MAX_ITERATION_TOKENS } },
        log,
        'sarathi',
      );
      return replica;
    },
    observers,
    undefined,
    batchSizeCap,
  );
  if (replica?.remaining === true)
    throw new ReplayError('the batch log has calls the replay never made: the run did not follow the engine');
  return result;
}

const baselineCache = new Map<string, CapacityTrace>();

/** Capacity of an engine baseline or the reference on a workload (memoized: batch grading asks again and again). */
function baselineCapacity(
  name: 'fcfs' | 'edf' | 'reference',
  spec: WorkloadSpec,
  make: SchedulerFactory,
): CapacityTrace {
  const key = `${name}:${spec.lengths}:${spec.seed}`;
  const w = workload(spec);
  let trace = baselineCache.get(key);
  if (trace === undefined) {
    trace = capacityOf(w, make);
    baselineCache.set(key, trace);
  }
  return trace;
}

const fcfs: SchedulerFactory = REPLICA_SCHEDULERS['sarathi-fcfs'].create;
const edf: SchedulerFactory = REPLICA_SCHEDULERS['sarathi-edf'].create;
const f2 = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : '-');

const capacityItem: ItemImplementation<{ workloads: WorkloadSpec[] }> = {
  prepare(ctx) {
    const workloads = hiddenWorkloads(ctx.hiddenSeed);
    return { input: { task: 'capacity', workloads: workloads.map(workload) }, prepared: { workloads } };
  },
  async score(raw, { workloads }, ctx, maxScore): Promise<ItemOutcome> {
    const out = parseOutput(raw, 'capacity');
    const ref = await reference(ctx);
    const makeRef: SchedulerFactory = (init, options) => new ref.DeadlineScheduler(init, options);
    const rows: string[][] = [];
    const notes: string[] = [];
    const plots: Plot[] = [];
    let score = 0;
    const capacities: number[] = [];
    workloads.forEach((spec, i) => {
      const w = workload(spec);
      const search = out.searches[i];
      const base = {
        fcfs: baselineCapacity('fcfs', spec, fcfs),
        edf: baselineCapacity('edf', spec, edf),
        reference: baselineCapacity('reference', spec, makeRef),
      };
      let student = 0;
      let problem: string | undefined;
      if (search === undefined) problem = 'no result';
      else if (search.error !== undefined) problem = `your scheduler failed: ${search.error}`;
      else {
        try {
          student = verifiedCapacity(w, search);
        } catch (err) {
          problem =
            err instanceof ReplayError || err instanceof InvalidOutput ? err.message : `replay failed: ${String(err)}`;
        }
      }
      const points =
        problem !== undefined
          ? 0
          : linearPoints(student, base.fcfs.capacity, 0.95 * base.reference.capacity, maxScore / workloads.length);
      score += points;
      capacities.push(student);
      rows.push([
        w.lengths,
        problem !== undefined ? 'failed' : f2(student),
        f2(base.reference.capacity),
        f2(base.edf.capacity),
        f2(base.fcfs.capacity),
        String(points),
      ]);
      if (problem !== undefined) notes.push(`${w.lengths}: ${problem}`);
      const tiers = Math.max(...base.reference.probes.map((p) => p.perTier.length));
      for (let tier = 0; tier < tiers; tier++) {
        const series = (probes: readonly TierProbe[]) =>
          [...probes].sort((a, b) => a.qps - b.qps).map((p): [number, number] => [p.qps, 100 * (p.perTier[tier] ?? 0)]);
        plots.push(
          scatterChart({
            title: `Tier ${tier} violation rate vs QPS (${w.lengths}-like lengths)`,
            x: 'requests per second',
            y: `tier ${tier}, % of deadlines missed`,
            connect: true,
            series: [
              { name: 'FCFS', points: series(base.fcfs.probes) },
              { name: 'EDF', points: series(base.edf.probes) },
              { name: 'reference', points: series(base.reference.probes), dashed: true },
              ...(search !== undefined && problem === undefined
                ? [{ name: 'you', points: series(search.probes) }]
                : []),
            ],
          }),
        );
      }
    });
    const table = textTable(['workload', 'your capacity', 'reference', 'EDF', 'FCFS', 'points'], rows);
    return {
      score: roundPoints(score),
      threw: out.searches.length > 0 && out.searches.every((s) => s.error !== undefined),
      message: `capacity (req/s at ≤ 1% missed in the worst tier): ${workloads.map((w, i) => `${w.lengths} ${f2(capacities[i]!)}`).join(', ')}`,
      output: [
        table,
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

/**
 * The student's capacity from the two probes it is interpolated from, each replayed here: the rates
 * the child reported must be the rates the replay measures.
 */
function verifiedCapacity(
  w: Workload,
  search: { probes: { qps: number; maxRate: number }[]; logs: { qps: number; log: number[] }[] },
): number {
  const { pass, fail } = bracketOf(search.probes);
  const replayed = (p: { qps: number } | undefined) => {
    if (p === undefined) return undefined;
    const entry = search.logs.find((l) => l.qps === p.qps);
    if (entry === undefined) throw new InvalidOutput(`no batch log for the probe at ${p.qps} req/s`);
    const rate = violationsOf(replay(w, p.qps, entry.log)).maxRate;
    return { qps: p.qps, maxRate: rate };
  };
  const a = replayed(pass);
  const b = replayed(fail);
  for (const [claimed, measured] of [
    [pass, a],
    [fail, b],
  ] as const) {
    if (claimed !== undefined && measured !== undefined && Math.abs(claimed.maxRate - measured.maxRate) > 1e-9) {
      throw new InvalidOutput(
        `at ${claimed.qps} req/s the run reported ${(100 * claimed.maxRate).toFixed(2)}% missed but replays to ${(100 * measured.maxRate).toFixed(2)}%`,
      );
    }
  }
  if (a !== undefined && a.maxRate > CAPACITY_TARGET) throw new InvalidOutput('the passing probe misses more than 1%');
  return interpolate(a, b);
}

/**
 * The overload item's timeline workload: conversation lengths from the public seed, the workload the
 * handout's numbers are quoted on (labs/deadline/README.md), so the report's trace files show no
 * hidden arrivals.
 */
export const timelineWorkload = (publicSeed: number): WorkloadSpec => ({ lengths: 'conv', seed: publicSeed });

const overloadRun = (spec: WorkloadSpec) => ({
  workload: workload(spec),
  qps: OVERLOAD_QPS[spec.lengths],
  batchSizeCap: OVERLOAD_BATCH_SIZE_CAP,
});

const overloadItem: ItemImplementation<{ workloads: WorkloadSpec[]; timeline: WorkloadSpec }> = {
  prepare(ctx) {
    const workloads = hiddenWorkloads(ctx.hiddenSeed);
    const timeline = timelineWorkload(ctx.publicSeed);
    // The last run is the public one, only for the report's timeline: never scored.
    return {
      input: { task: 'overload', runs: [...workloads, timeline].map(overloadRun) },
      prepared: { workloads, timeline },
    };
  },
  async score(raw, { workloads, timeline }, ctx, maxScore): Promise<ItemOutcome> {
    const out = parseOutput(raw, 'overload');
    const ref = await reference(ctx);
    const rows: string[][] = [];
    const notes: string[] = [];
    const plots: Plot[] = [];
    let passed = 0;
    workloads.forEach((spec, i) => {
      const w = workload(spec);
      const qps = OVERLOAD_QPS[w.lengths];
      const chunksRef: [number, number][] = [];
      const refRun = simulateAt(
        w,
        qps,
        (init, options) => new ref.DeadlineScheduler(init, options),
        [{ onBatchStart: (b, now) => chunksRef.push([now, b.numPrefillTokens]) }],
        undefined,
        OVERLOAD_BATCH_SIZE_CAP,
      );
      const refReport = violationsOf(refRun);
      const edfReport = violationsOf(simulateAt(w, qps, edf, [], undefined, OVERLOAD_BATCH_SIZE_CAP));
      const run = out.runs[i];
      let report: DeadlineReport | undefined;
      let problem: string | undefined;
      const chunks: [number, number][] = [];
      if (run === undefined) problem = 'no result';
      else if (run.error !== undefined) problem = `your scheduler failed: ${run.error}`;
      else {
        try {
          const result = replay(w, qps, run.log, OVERLOAD_BATCH_SIZE_CAP);
          report = violationsOf(result);
          if (result.numCompleted < result.requests.length)
            problem = `${result.requests.length - result.numCompleted} requests never finished`;
        } catch (err) {
          problem = err instanceof ReplayError ? err.message : `replay failed: ${String(err)}`;
        }
        chunks.push(...chunkSeries(run.log));
      }
      const limit = refReport.maxRate * 1.25 + 0.01;
      const ok = problem === undefined && report !== undefined && report.maxRate <= limit;
      if (ok) passed++;
      rows.push([
        w.lengths,
        String(qps),
        report !== undefined ? `${(100 * report.maxRate).toFixed(2)}%` : 'failed',
        `${(100 * refReport.maxRate).toFixed(2)}%`,
        `${(100 * edfReport.maxRate).toFixed(2)}%`,
        `${(100 * limit).toFixed(2)}%`,
        ok ? 'pass' : 'fail',
      ]);
      notes.push(
        `${w.lengths}: you: ${report !== undefined ? describeViolations(report) : problem}; reference: ${describeViolations(refReport)}`,
      );
      plots.push(
        lineChart({
          title: `Prompt tokens per iteration over time, ${qps} req/s (${w.lengths}-like)`,
          x: 'time (s)',
          y: 'prompt tokens per iteration',
          series: [
            { name: 'reference', points: thin(chunksRef), dashed: true },
            ...(chunks.length > 0 ? [{ name: 'you', points: thin(chunks) }] : []),
          ],
        }),
      );
    });
    const scored = out.runs.slice(0, workloads.length);
    const timelines = overloadTimelines(timeline, out.runs[workloads.length], ref);
    return {
      score: roundPoints((maxScore * passed) / workloads.length),
      threw: scored.length > 0 && scored.every((r) => r.error !== undefined),
      message: `${passed} of ${workloads.length} overloaded runs within 1.25 × the reference's worst-tier rate + 1 point`,
      output: [
        textTable(['workload', 'req/s', 'you (worst tier)', 'reference', 'EDF', 'limit', 'pass/fail'], rows),
        ...notes,
      ].join('\n'),
      plots,
      ...(timelines !== undefined ? { timelines } : {}),
    };
  },
};

/**
 * The student's replayed run and the reference's on the public timeline workload, for the report;
 * undefined when the student's run failed or does not replay (the scored runs say why).
 */
function overloadTimelines(
  spec: WorkloadSpec,
  run: { log: number[]; error?: string | undefined } | undefined,
  ref: DeadlineModule,
): TimelinePair | undefined {
  if (run === undefined || run.error !== undefined) return undefined;
  const w = workload(spec);
  const qps = OVERLOAD_QPS[w.lengths];
  try {
    const studentRecorder = reportRecorder({ tierDeadlines: LAB_SERVER.tierDeadlines });
    const result = replay(w, qps, run.log, OVERLOAD_BATCH_SIZE_CAP, [studentRecorder]);
    const refRecorder = reportRecorder({ tierDeadlines: LAB_SERVER.tierDeadlines });
    const refRun = simulateAt(
      w,
      qps,
      (init, options) => new ref.DeadlineScheduler(init, options),
      [refRecorder],
      undefined,
      OVERLOAD_BATCH_SIZE_CAP,
    );
    return {
      workload: `${w.lengths}-like workload from the public seed (${spec.seed}) at ${qps} req/s`,
      student: { recorder: studentRecorder, endTime: result.endTime },
      reference: { recorder: refRecorder, endTime: refRun.endTime },
    };
  } catch {
    return undefined;
  }
}

/** (time, prompt tokens) of every batch in a log (shared/batch-log.ts format): entries `-(id+1), tokens` are prompt chunks. */
function chunkSeries(log: readonly number[]): [number, number][] {
  const out: [number, number][] = [];
  let i = 0;
  while (i < log.length) {
    const t = log[i++]!;
    const preempted = log[i++]!;
    i += preempted;
    const n = log[i++]!;
    let prompt = 0;
    for (let k = 0; k < n; k++) {
      const id = log[i++]!;
      if (id < 0) prompt += log[i++]!;
    }
    if (n > 0) out.push([t, prompt]);
  }
  return out;
}

/** Mean prompt tokens per iteration in each of `buckets` equal time windows (the report stays small and readable). */
function thin(points: readonly [number, number][], buckets = 240): [number, number][] {
  if (points.length === 0) return [];
  const end = points[points.length - 1]![0];
  const width = Math.max(end / buckets, 1e-9);
  const sum = new Array<number>(buckets + 1).fill(0);
  const count = new Array<number>(buckets + 1).fill(0);
  for (const [t, v] of points) {
    const k = Math.min(buckets, Math.floor(t / width));
    sum[k]! += v;
    count[k]!++;
  }
  const out: [number, number][] = [];
  for (let k = 0; k <= buckets; k++)
    if (count[k]! > 0) out.push([Math.round((k + 0.5) * width * 1000) / 1000, Math.round(sum[k]! / count[k]!)]);
  return out;
}

export const DEADLINE_ITEMS: Readonly<Record<string, ItemImplementation>> = {
  'priority-key': unitItem('priority-key'),
  'token-deadline': unitItem('token-deadline'),
  'decode-order': unitItem('decode-order'),
  relegation: unitItem('relegation'),
  'model-fit': unitItem('model-fit'),
  'dynamic-chunk': unitItem('dynamic-chunk'),
  schedule: unitItem('schedule'),
  capacity: capacityItem,
  overload: overloadItem,
};
