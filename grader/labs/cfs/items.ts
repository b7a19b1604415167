/**
 * The CFS lab's rubric items: how each prepares its input from the seeds and scores the child's
 * observations. Hidden bursts are drawn here, in the parent; latencies come from replaying the
 * student's steps in the parent's engine (replay.ts), next to vLLM's default step (FCFS) and the
 * reference solution, which is loaded only at scoring time (`importReference`).
 */
import { percentile, mean } from '../../../sim/metrics/stats.js';
import { kvUsagePeaks, kvUsageSeries } from '../../../sim/metrics/kv-usage.js';
import { VllmV0Scheduler, type VllmV0SchedulerInit } from '../../../sim/policies/replica/vllm-v0-step-scheduler.js';
import type { V0StepRecord } from '../../../sim/policies/replica/vllm-v0-replica-scheduler.js';
import { Rng } from '../../../sim/workload/rng.js';
import { InvalidOutput, parseTaskOutput } from '../../core/child-output.js';
import type { ItemContext, ItemImplementation, ItemOutcome } from '../../core/lab.js';
import { importReference } from '../../core/reference.js';
import { linearPoints, median, roundPoints, textTable, everyCaseThrew } from '../../core/scoring.js';
import { lineChart, scatterChart, type Plot } from '../../report/charts.js';
import { cfsStepCases, getPriorityCases, preemptionCases, type UnitExpectation } from './cases.js';
import { CfsOutput, decodeSteps, encodeStep, type CadenceCase, type RunSteps } from './protocol.js';
import { ReplayError, ReplayScheduler } from './replay.js';
import { simulateCfs, type CfsRun } from './simulate.js';
import { burst, HOMEWORK_BURST, type BurstSpec } from './workloads.js';
import type { TimelineRecorder } from '../../../sim/metrics/timeline/index.js';
import type { RecordedRun, TimelinePair } from '../../report/timeline-view.js';
import { reportRecorder } from '../../kit/timelines.js';
import { splitByCasesArray } from '../../core/split-cases.js';

/**
 * Full points at or below this median P99 TTFT (s) on the homework burst at interval 10; 2 points
 * off per second above (0 at 18 s). Set from our simulator (labs/cfs/README.md), with vLLM V0's swap
 * cost (2 × layers copies per block, 9 µs each: sim/memory/swap-cost.ts): on the public burst the
 * reference solution's P99 TTFT is 11.37 s and vLLM's default FCFS step's 39.51 s; over 40 draws of
 * three hidden bursts the medians are 7.1–12.4 s (reference) and 41–56 s (FCFS).
 */
export const P99_TTFT_THRESHOLD_S = 14;
export const POINTS_OFF_PER_SECOND = 2;
/** Variants and the tight pool pass within 1.25 × the reference's P99 TTFT + 0.5 s. */
export const REFERENCE_SLACK = { factor: 1.25, seconds: 0.5 } as const;
export const SWEEP_INTERVALS = [0, 5, 10, 20, 40] as const;
export const TIGHT_SWAP_SPACE_GIB = 0.5;
export const VARIANTS: readonly Omit<BurstSpec, 'seed'>[] = [
  { count: 30, qps: 6 },
  { count: 80, qps: 2 },
  { count: 100, qps: 3 },
];
export const HOMEWORK_SWAP_GIB = 16;

const parseOutput = <T extends CfsOutput['task']>(raw: unknown, task: T) => parseTaskOutput(CfsOutput, raw, task);

/** `count` seeds derived from the hidden seed and a label, so items draw independent bursts. */
export function derivedSeeds(hiddenSeed: number, label: string, count: number): number[] {
  const rng = new Rng(hiddenSeed).fork(label);
  return Array.from({ length: count }, () => rng.int(1, 2 ** 31 - 1));
}

export const publicBurst = (publicSeed: number) => burst({ ...HOMEWORK_BURST, seed: publicSeed });

// ---- measuring runs in the parent -------------------------------------------------------------

export interface Measured {
  readonly completed: number;
  readonly total: number;
  /** Per request in issue order (null: no first token / unfinished). */
  readonly ttft: (number | null)[];
  readonly tpot: (number | null)[];
  readonly p99Ttft: number;
  readonly meanTtft: number;
  readonly meanTpot: number;
  readonly p99Tpot: number;
  readonly gpu: [number, number][];
  readonly peaks: ReturnType<typeof kvUsagePeaks>;
  readonly cpuBlocks: number;
  readonly gpuBlocks: number;
  readonly swapOuts: number;
  readonly steps: number[];
  /** The run's timeline, when one was recorded (the report's side-by-side view). */
  readonly timeline?: RecordedRun;
}

export function measure(
  run: CfsRun,
  make: (init: VllmV0SchedulerInit) => VllmV0Scheduler,
  record = false,
  timeline?: TimelineRecorder,
): Measured {
  const steps: number[] = [];
  const { result, replica } = simulateCfs(run, make, {
    recordUsage: true,
    ...(record ? { onStep: (s: V0StepRecord) => encodeStep(steps, s) } : {}),
    ...(timeline !== undefined ? { observers: [timeline] } : {}),
  });
  const byId = [...result.requests].sort((a, b) => a.id - b.id);
  const ttft = byId.map((r) => (r.prefillCompletedAt === undefined ? null : r.prefillCompletedAt - r.arrivedAt));
  const tpot = byId.map((r) =>
    r.completedAt === undefined || r.prefillCompletedAt === undefined || r.numDecodeTokens <= 1
      ? null
      : (r.completedAt - r.prefillCompletedAt) / (r.numDecodeTokens - 1),
  );
  const done = (xs: (number | null)[]) => xs.filter((x): x is number => x !== null);
  const gpuBlocks = replica.kv.numBlocks;
  const cpuBlocks = replica.cpu.numBlocks;
  return {
    completed: result.numCompleted,
    total: byId.length,
    ttft,
    tpot,
    p99Ttft: percentile(done(ttft), 99),
    meanTtft: mean(done(ttft)),
    meanTpot: mean(done(tpot)),
    p99Tpot: percentile(done(tpot), 99),
    gpu: kvUsageSeries(replica.usage, gpuBlocks, cpuBlocks).gpu,
    peaks: kvUsagePeaks(replica.usage, gpuBlocks, cpuBlocks),
    cpuBlocks,
    gpuBlocks,
    swapOuts: replica.numSwapOuts,
    steps,
    ...(timeline !== undefined ? { timeline: { recorder: timeline, endTime: result.endTime } } : {}),
  };
}

/** FCFS and reference runs, shared by the items of one grading (runs are deterministic). */
const baselineCache = new Map<string, Measured>();

function fcfs(run: CfsRun): Measured {
  const key = `fcfs|${JSON.stringify(run)}`;
  let m = baselineCache.get(key);
  if (m === undefined) baselineCache.set(key, (m = measure(run, (init) => new VllmV0Scheduler(init), true)));
  return m;
}

type SchedulerClass = new (init: VllmV0SchedulerInit) => VllmV0Scheduler;

async function reference(run: CfsRun, ctx: ItemContext): Promise<Measured> {
  const key = `reference|${ctx.repoRoot}|${JSON.stringify(run)}`;
  let m = baselineCache.get(key);
  if (m === undefined) {
    const { CfsScheduler } = await importReference<{ CfsScheduler: SchedulerClass }>(
      ctx.repoRoot,
      'reference/cfs',
      'cfs-scheduler.ts',
    );
    baselineCache.set(key, (m = measure(run, (init) => new CfsScheduler(init))));
  }
  return m;
}

/** The student's run, replayed from its steps; the problem when it cannot be (or not every request finishes). */
function replay(
  run: CfsRun,
  wire: RunSteps | undefined,
  timeline?: TimelineRecorder,
): { measured?: Measured; problem?: string } {
  if (wire === undefined) return { problem: 'no result for this run' };
  if (wire.stopped !== undefined)
    return {
      problem: `the run stopped: the CPU swap pool filled and your onSwapPoolFull() chose 'raise' (${wire.stopped})`,
    };
  let steps: ReturnType<typeof decodeSteps>;
  try {
    steps = decodeSteps(wire.steps);
  } catch (err) {
    throw new InvalidOutput(`the harness returned a malformed step list (${(err as Error).message})`);
  }
  let scheduler: ReplayScheduler | undefined;
  try {
    const measured = measure(
      run,
      (init) => {
        scheduler = new ReplayScheduler(init, steps);
        return scheduler;
      },
      false,
      timeline,
    );
    if (scheduler!.remaining > 0)
      return { problem: `${scheduler!.remaining} of your scheduler's steps were never replayed: the run diverged` };
    if (measured.completed < measured.total)
      return {
        measured,
        problem: `${measured.total - measured.completed} of ${measured.total} requests never finished`,
      };
    return { measured };
  } catch (err) {
    if (err instanceof ReplayError) return { problem: `your steps break the engine's rules: ${err.message}` };
    if (err instanceof Error && /vllm-v0 replica/.test(err.message))
      return { problem: `your steps break the engine's rules: ${err.message}` };
    throw err;
  }
}

const fmt = (x: number | null | undefined, digits = 2) =>
  x === null || x === undefined || !Number.isFinite(x) ? '-' : x.toFixed(digits);
const ms = (x: number) => fmt(1000 * x, 1);

// ---- unit items ---------------------------------------------------------------------------------

function unitItem(cases: () => UnitExpectation[]): ItemImplementation<UnitExpectation[]> {
  return {
    splitCases: splitByCasesArray((input, i, error) => ({ name: input.cases[i]!.name, error })),
    prepare() {
      const expectations = cases();
      return { input: { task: 'units', cases: expectations.map((e) => e.case) }, prepared: expectations };
    },
    score(raw, expectations, _ctx, maxScore): ItemOutcome {
      const out = parseOutput(raw, 'units');
      const lines: string[] = [];
      let passed = 0;
      expectations.forEach((e, i) => {
        const res = out.cases[i];
        const problems = res === undefined ? ['no result'] : e.check(res);
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
}

// ---- schedule(): cadence and interval 0 -------------------------------------------------------

function cadenceCases(): { case: CadenceCase; expected: string[] }[] {
  const pattern = (interval: number, n: number) =>
    Array.from({ length: n }, (_, k) => (interval > 0 && (k + 1) % interval === 0 ? 'c' : 'd')).join('');
  return [
    {
      case: { name: 'interval 10, 30 steps', cfsInterval: 10, schedulers: 1, calls: [[0, 30]] },
      expected: [pattern(10, 30)],
    },
    {
      case: { name: 'interval 3, 9 steps', cfsInterval: 3, schedulers: 1, calls: [[0, 9]] },
      expected: [pattern(3, 9)],
    },
    {
      case: { name: 'interval 0, 25 steps', cfsInterval: 0, schedulers: 1, calls: [[0, 25]] },
      expected: [pattern(0, 25)],
    },
    {
      case: {
        name: 'two schedulers, interval 10: 7 steps on the first, 13 on the second, 13 more on the first',
        cfsInterval: 10,
        schedulers: 2,
        calls: [
          [0, 7],
          [1, 13],
          [0, 13],
        ],
      },
      expected: [pattern(10, 20), pattern(10, 13)],
    },
  ];
}

const intervalItem: ItemImplementation<{ cadence: ReturnType<typeof cadenceCases>; run: CfsRun }> = {
  prepare(ctx) {
    const cadence = cadenceCases();
    const run: CfsRun = {
      label: `public burst (seed ${ctx.publicSeed}), interval 0`,
      requests: publicBurst(ctx.publicSeed),
      cfsInterval: 0,
      swapSpace: HOMEWORK_SWAP_GIB,
    };
    return { input: { task: 'cadence', cases: cadence.map((c) => c.case), runs: [run] }, prepared: { cadence, run } };
  },
  score(raw, { cadence, run }, _ctx, maxScore): ItemOutcome {
    const out = parseOutput(raw, 'cadence');
    const lines: string[] = [];
    let ok = true;
    cadence.forEach((c, i) => {
      const res = out.cases[i];
      const problems: string[] = [];
      if (res === undefined) problems.push('no result');
      else if (res.error !== undefined) problems.push(`threw ${res.error}`);
      else {
        c.expected.forEach((want, s) => {
          const got = res.trace[s] ?? '';
          if (got !== want) {
            const k = [...want].findIndex((ch, j) => got[j] !== ch);
            problems.push(
              `scheduler ${s + 1}: at its step ${k + 1} expected ${want[k] === 'c' ? 'scheduleCfs' : 'scheduleDefault'}, got ${describeLetter(got[k])} (c = CFS, d = default: expected ${want}, got ${got})`,
            );
          }
        });
      }
      ok &&= problems.length === 0;
      lines.push(`${problems.length === 0 ? 'PASS' : 'FAIL'} ${c.case.name}`);
      for (const p of problems) lines.push(`     ${p}`);
    });
    // Interval 0 must be vLLM's default step, step for step.
    const expected = fcfs(run);
    const got = out.runs[0];
    const studentTimeline = reportRecorder();
    const { measured, problem } = replay(run, got, studentTimeline);
    // At interval 0 the reference is vLLM's default step, so the FCFS run is the reference's run.
    const referenceRun = measure(run, (init) => new VllmV0Scheduler(init), false, reportRecorder());
    const timelines: TimelinePair | undefined =
      measured?.timeline !== undefined
        ? {
            workload: `${run.label} (the reference at interval 0 is vLLM's default step)`,
            student: measured.timeline,
            reference: referenceRun.timeline!,
          }
        : undefined;
    const problems: string[] = [];
    if (problem !== undefined) problems.push(problem);
    else {
      const a = decodeSteps(got!.steps);
      const b = decodeSteps(expected.steps);
      const k = a.findIndex((s, i) => JSON.stringify(s) !== JSON.stringify(b[i]));
      if (k >= 0 || a.length !== b.length) {
        const at = k >= 0 ? k : Math.min(a.length, b.length);
        problems.push(
          `step ${at + 1} differs from vLLM's default step: expected ${JSON.stringify(b[at] ?? null)}, got ${JSON.stringify(a[at] ?? null)} (${a.length} vs ${b.length} steps)`,
        );
      }
      const diff = measured!.ttft.findIndex((t, i) => t !== expected.ttft[i]);
      if (diff >= 0)
        problems.push(
          `prompt ${diff + 1}: TTFT ${fmt(measured!.ttft[diff], 4)} s, FCFS gives ${fmt(expected.ttft[diff], 4)} s`,
        );
    }
    ok &&= problems.length === 0;
    lines.push(
      `${problems.length === 0 ? 'PASS' : 'FAIL'} interval 0 on the public burst reproduces FCFS (${expected.steps.length > 0 ? decodeSteps(expected.steps).length : 0} steps; P99 TTFT ${fmt(expected.p99Ttft)} s)`,
    );
    for (const p of problems) lines.push(`     ${p}`);
    return {
      score: ok ? maxScore : 0,
      message: ok
        ? 'the CFS step runs every N-th step of each scheduler; interval 0 is FCFS'
        : 'at least one check failed (all or nothing)',
      output: lines.join('\n'),
      ...(timelines !== undefined ? { timelines } : {}),
    };
  },
};

function describeLetter(ch: string | undefined): string {
  switch (ch) {
    case 'c':
      return 'scheduleCfs';
    case 'd':
      return 'scheduleDefault';
    case 'b':
      return 'both';
    case 'n':
      return 'neither (schedule() must call this.scheduleCfs() or this.scheduleDefault())';
    default:
      return 'no call';
  }
}

// ---- simulation items ---------------------------------------------------------------------------

interface Checked {
  readonly run: CfsRun;
  readonly student?: Measured;
  readonly problem?: string;
}

function simulationItem<P extends { runs: CfsRun[] }>(
  build: (ctx: ItemContext) => P,
  grade: (checked: Checked[], prepared: P, ctx: ItemContext, maxScore: number) => Promise<ItemOutcome>,
): ItemImplementation<P> {
  return {
    prepare(ctx) {
      const prepared = build(ctx);
      return { input: { task: 'simulate', runs: prepared.runs }, prepared };
    },
    async score(raw, prepared, ctx, maxScore) {
      const out = parseOutput(raw, 'simulate');
      const checked: Checked[] = prepared.runs.map((run, i) => {
        const { measured, problem } = replay(run, out.runs[i]);
        return {
          run,
          ...(measured !== undefined ? { student: measured } : {}),
          ...(problem !== undefined ? { problem } : {}),
        };
      });
      return grade(checked, prepared, ctx, maxScore);
    },
  };
}

const homeworkRun = (label: string, seed: number, cfsInterval: number, swapSpace = HOMEWORK_SWAP_GIB): CfsRun => ({
  label,
  requests: burst({ ...HOMEWORK_BURST, seed }),
  cfsInterval,
  swapSpace,
});

function issueOrderPlots(label: string, student: Measured, base: Measured, ref: Measured): Plot[] {
  const series = (m: Measured, pick: (m: Measured) => (number | null)[], scale = 1) =>
    pick(m).flatMap((v, i) => (v === null ? [] : [[i + 1, v * scale] as [number, number]]));
  return [
    lineChart({
      title: `TTFT per prompt in issue order, ${label}`,
      x: 'prompt (issue order)',
      y: 'TTFT (s)',
      series: [
        { name: 'default (FCFS)', points: series(base, (m) => m.ttft) },
        { name: 'yours', points: series(student, (m) => m.ttft) },
        { name: 'reference', points: series(ref, (m) => m.ttft), dashed: true },
      ],
    }),
    lineChart({
      title: `TPOT per prompt in issue order, ${label}`,
      x: 'prompt (issue order)',
      y: 'TPOT (ms)',
      series: [
        { name: 'default (FCFS)', points: series(base, (m) => m.tpot, 1000) },
        { name: 'yours', points: series(student, (m) => m.tpot, 1000) },
        { name: 'reference', points: series(ref, (m) => m.tpot, 1000), dashed: true },
      ],
    }),
    lineChart({
      title: `GPU KV cache usage over time, ${label}`,
      x: 'time (s)',
      y: 'GPU KV blocks in use (%)',
      step: true,
      series: [
        { name: 'default (FCFS)', points: base.gpu },
        { name: 'yours', points: student.gpu },
        { name: 'reference', points: ref.gpu, dashed: true },
      ],
    }),
  ];
}

const burstItem = simulationItem(
  (ctx) => ({
    runs: derivedSeeds(ctx.hiddenSeed, 'cfs-burst', 3).map((seed, i) => homeworkRun(`hidden burst ${i + 1}`, seed, 10)),
  }),
  async (checked, _p, ctx, maxScore) => {
    const rows: string[][] = [];
    const p99s: number[] = [];
    const problems: string[] = [];
    let plots: Plot[] = [];
    for (const c of checked) {
      const base = fcfs({ ...c.run, cfsInterval: 0 });
      const ref = await reference(c.run, ctx);
      if (c.problem !== undefined) problems.push(`${c.run.label}: ${c.problem}`);
      const p99 = c.student?.p99Ttft ?? Number.NaN;
      p99s.push(c.problem === undefined ? p99 : Number.POSITIVE_INFINITY);
      rows.push([
        c.run.label,
        fmt(p99),
        fmt(ref.p99Ttft),
        fmt(base.p99Ttft),
        c.student !== undefined ? ms(c.student.meanTpot) : '-',
        ms(ref.meanTpot),
        ms(base.meanTpot),
      ]);
      if (plots.length === 0 && c.student !== undefined) plots = issueOrderPlots(c.run.label, c.student, base, ref);
    }
    const table = textTable(
      ['burst', 'P99 TTFT yours (s)', 'reference', 'FCFS', 'mean TPOT yours (ms)', 'reference', 'FCFS'],
      rows,
    );
    if (problems.length > 0)
      return { score: 0, message: problems[0]!, output: [problems.join('\n'), table].join('\n\n'), plots };
    const m = median(p99s);
    const score = linearPoints(
      m,
      P99_TTFT_THRESHOLD_S + maxScore / POINTS_OFF_PER_SECOND,
      P99_TTFT_THRESHOLD_S,
      maxScore,
    );
    return {
      score,
      message: `median P99 TTFT ${fmt(m)} s (full points at ≤ ${P99_TTFT_THRESHOLD_S} s, ${POINTS_OFF_PER_SECOND} points off per second above)`,
      output: table,
      plots,
      leaderboard: [{ name: 'median P99 TTFT (s)', value: Number(m.toFixed(3)), order: 'asc' as const }],
      extra: { p99Ttft: p99s },
    };
  },
);

/** Pass/fail per run against the reference's P99 TTFT on the same run. */
async function againstReference(
  checked: Checked[],
  ctx: ItemContext,
  maxScore: number,
  what: string,
): Promise<ItemOutcome> {
  const rows: string[][] = [];
  const lines: string[] = [];
  let passed = 0;
  for (const c of checked) {
    const ref = await reference(c.run, ctx);
    const base = fcfs({ ...c.run, cfsInterval: 0 });
    const limit = REFERENCE_SLACK.factor * ref.p99Ttft + REFERENCE_SLACK.seconds;
    const ok = c.problem === undefined && c.student!.p99Ttft <= limit;
    if (ok) passed++;
    if (c.problem !== undefined) lines.push(`${c.run.label}: ${c.problem}`);
    rows.push([
      c.run.label,
      ok ? 'PASS' : 'FAIL',
      fmt(c.student?.p99Ttft),
      fmt(limit),
      fmt(ref.p99Ttft),
      fmt(base.p99Ttft),
      c.student !== undefined ? `${c.student.completed}/${c.student.total}` : '-',
    ]);
  }
  const table = textTable(['burst', 'verdict', 'P99 TTFT yours (s)', 'limit', 'reference', 'FCFS', 'finished'], rows);
  return {
    score: roundPoints((maxScore * passed) / checked.length),
    message: `${passed} of ${checked.length} ${what} passed (P99 TTFT ≤ ${REFERENCE_SLACK.factor} × the reference's + ${REFERENCE_SLACK.seconds} s, every request finished)`,
    output: [...lines, table].join('\n\n'),
  };
}

const variantsItem = simulationItem(
  (ctx) => ({
    runs: VARIANTS.map((v, i) => {
      const [seed] = derivedSeeds(ctx.hiddenSeed, `cfs-variant-${i}`, 1);
      return {
        label: `hidden burst: ${v.count} prompts at ${v.qps} req/s`,
        requests: burst({ ...v, seed: seed! }),
        cfsInterval: 10,
        swapSpace: HOMEWORK_SWAP_GIB,
      };
    }),
  }),
  (checked, _p, ctx, maxScore) => againstReference(checked, ctx, maxScore, 'bursts'),
);

const tightPoolItem = simulationItem(
  (ctx) => ({
    runs: derivedSeeds(ctx.hiddenSeed, 'cfs-tight-pool', 2).map((seed, i) =>
      homeworkRun(`hidden burst ${i + 1}, ${TIGHT_SWAP_SPACE_GIB} GiB swap per GPU`, seed, 10, TIGHT_SWAP_SPACE_GIB),
    ),
  }),
  (checked, _p, ctx, maxScore) => againstReference(checked, ctx, maxScore, 'bursts with a tight CPU pool'),
);

interface SweepPrepared {
  runs: CfsRun[];
  seeds: number[];
}

const sweepItem = simulationItem<SweepPrepared>(
  (ctx) => {
    const seeds = derivedSeeds(ctx.hiddenSeed, 'cfs-sweep', 3);
    return {
      seeds,
      runs: seeds.flatMap((seed, i) =>
        SWEEP_INTERVALS.map((interval) => homeworkRun(`hidden burst ${i + 1}, interval ${interval}`, seed, interval)),
      ),
    };
  },
  async (checked, prepared, ctx, maxScore) => {
    const problems = checked.filter((c) => c.problem !== undefined).map((c) => `${c.run.label}: ${c.problem}`);
    if (problems.length > 0) return { score: 0, message: problems[0]!, output: problems.join('\n') };
    const perInterval = (pick: (m: Measured) => number, list: readonly Measured[]) =>
      SWEEP_INTERVALS.map((_, k) => median(prepared.seeds.map((_s, i) => pick(list[i * SWEEP_INTERVALS.length + k]!))));
    const student = checked.map((c) => c.student!);
    const refs = await Promise.all(checked.map((c) => reference(c.run, ctx)));
    const ttft = perInterval((m) => m.p99Ttft, student);
    const tpot = perInterval((m) => m.meanTpot, student);
    const refTtft = perInterval((m) => m.p99Ttft, refs);
    const refTpot = perInterval((m) => m.meanTpot, refs);
    const at = (xs: number[], interval: number) =>
      xs[SWEEP_INTERVALS.indexOf(interval as (typeof SWEEP_INTERVALS)[number])]!;
    const cfsPart = [5, 10, 20, 40];
    const rising =
      cfsPart.slice(1).every((v, i) => at(ttft, v) >= 0.9 * at(ttft, cfsPart[i]!)) && at(ttft, 40) >= 1.5 * at(ttft, 5);
    const falling =
      cfsPart.slice(1).every((v, i) => at(tpot, v) <= 1.1 * at(tpot, cfsPart[i]!)) && at(tpot, 5) >= 1.2 * at(tpot, 40);
    const helps = at(ttft, 10) <= 0.5 * at(ttft, 0);
    const costs = at(tpot, 10) > 1.1 * at(tpot, 0);
    const checks: [string, boolean][] = [
      ['P99 TTFT rises with the interval from 5 to 40 (each step within 10%, 40 at least 1.5 × 5)', rising],
      ['mean TPOT falls with the interval from 5 to 40 (each step within 10%, 5 at least 1.2 × 40)', falling],
      ['CFS helps: P99 TTFT at 10 is at most half of FCFS (interval 0)', helps],
      ['CFS costs: mean TPOT at 10 is more than 1.1 × FCFS', costs],
    ];
    const passed = checks.filter(([, ok]) => ok).length;
    const table = textTable(
      ['interval', 'P99 TTFT yours (s)', 'reference', 'mean TPOT yours (ms)', 'reference'],
      SWEEP_INTERVALS.map((v, k) => [String(v), fmt(ttft[k]), fmt(refTtft[k]), ms(tpot[k]!), ms(refTpot[k]!)]),
    );
    const plots = [
      scatterChart({
        title: 'P99 TTFT against mean TPOT per cfsInterval (medians over the hidden bursts)',
        x: 'mean TPOT (ms)',
        y: 'P99 TTFT (s)',
        series: [
          { name: 'yours', points: SWEEP_INTERVALS.map((_, k) => [1000 * tpot[k]!, ttft[k]!] as [number, number]) },
          {
            name: 'reference',
            points: SWEEP_INTERVALS.map((_, k) => [1000 * refTpot[k]!, refTtft[k]!] as [number, number]),
          },
        ],
      }),
    ];
    return {
      score: roundPoints((maxScore * passed) / checks.length),
      message: `${passed} of ${checks.length} properties of the trade-off hold`,
      output: [checks.map(([what, ok]) => `${ok ? 'PASS' : 'FAIL'} ${what}`).join('\n'), table].join('\n\n'),
      plots,
    };
  },
);

// ---- multiple-choice questions ------------------------------------------------------------------

type Unit = 's' | 'ms' | 'pct' | 'count';

/**
 * The questions' evidence. The right choices are not here (grader code ships with the student
 * handout): they are read from the reference answers (reference/cfs/cfs-answers.ts) at scoring time.
 */
interface Question {
  readonly key: string;
  /** Evidence field → how the grader measures it from the student's runs (interval → measured run). */
  readonly evidence: Readonly<
    Record<string, { unit: Unit; value: (runs: ReadonlyMap<number, Measured>) => number | null }>
  >;
}

const run = (runs: ReadonlyMap<number, Measured>, interval: number) => runs.get(interval)!;

export const QUESTIONS: readonly Question[] = [
  {
    key: 'q1',
    evidence: {
      ttftPrompt10S: { unit: 's', value: (r) => run(r, 0).ttft[9] ?? null },
      ttftPrompt40S: { unit: 's', value: (r) => run(r, 0).ttft[39] ?? null },
    },
  },
  {
    key: 'q2',
    evidence: {
      gpuBlocks: { unit: 'count', value: (r) => run(r, 0).gpuBlocks },
      peakGpuKvPercent: { unit: 'pct', value: (r) => run(r, 0).peaks.peakGpuPercent },
      pendingAtPeak: { unit: 'count', value: (r) => run(r, 0).peaks.waitingAtPeak },
    },
  },
  {
    key: 'q3',
    evidence: {
      p99TtftFcfsS: { unit: 's', value: (r) => run(r, 0).p99Ttft },
      p99TtftCfs10S: { unit: 's', value: (r) => run(r, 10).p99Ttft },
    },
  },
  {
    key: 'q4',
    evidence: {
      cpuBlocks: { unit: 'count', value: (r) => run(r, 10).cpuBlocks },
      peakCpuKvPercentCfs10: { unit: 'pct', value: (r) => run(r, 10).peaks.peakCpuPercent },
      peakSwappedCfs10: { unit: 'count', value: (r) => run(r, 10).peaks.peakSwapped },
    },
  },
  {
    key: 'q5',
    evidence: {
      meanTpotFcfsMs: { unit: 'ms', value: (r) => 1000 * run(r, 0).meanTpot },
      meanTpotCfs10Ms: { unit: 'ms', value: (r) => 1000 * run(r, 10).meanTpot },
    },
  },
  {
    key: 'q6',
    evidence: {
      p99TtftCfs5S: { unit: 's', value: (r) => run(r, 5).p99Ttft },
      p99TtftCfs40S: { unit: 's', value: (r) => run(r, 40).p99Ttft },
      meanTpotCfs5Ms: { unit: 'ms', value: (r) => 1000 * run(r, 5).meanTpot },
      meanTpotCfs40Ms: { unit: 'ms', value: (r) => 1000 * run(r, 40).meanTpot },
    },
  },
];

/** Whether an evidence value matches: 2% (or the printed rounding) for times, 1 point for percentages, exact counts. */
/** A measured evidence value as the answer sheet would write it, with its unit. */
function measuredValue(unit: Unit, value: number | null): string {
  if (value === null || !Number.isFinite(value)) return 'no value';
  switch (unit) {
    case 's':
      return `${Number(value.toFixed(3))} s`;
    case 'ms':
      return `${Number(value.toFixed(1))} ms`;
    case 'pct':
      return `${Number(value.toFixed(1))}%`;
    case 'count':
      return String(Math.round(value));
  }
}

export function evidenceMatches(unit: Unit, got: unknown, want: number | null): boolean {
  if (typeof got !== 'number' || !Number.isFinite(got) || want === null || !Number.isFinite(want)) return false;
  const d = Math.abs(got - want);
  switch (unit) {
    case 's':
      return d <= Math.max(0.02 * Math.abs(want), 0.01);
    case 'ms':
      return d <= Math.max(0.02 * Math.abs(want), 0.1);
    case 'pct':
      return d <= 1;
    case 'count':
      return d < 0.5;
  }
}

const MCQ_INTERVALS = [0, 5, 10, 40] as const;

type AnswerSheet = Record<string, Record<string, unknown> | undefined>;

const mcqItem: ItemImplementation<{ runs: CfsRun[] }> = {
  prepare(ctx) {
    const runs = MCQ_INTERVALS.map((interval) =>
      homeworkRun(`public burst (seed ${ctx.publicSeed}), interval ${interval}`, ctx.publicSeed, interval),
    );
    return { input: { task: 'answers', runs }, prepared: { runs } };
  },
  async score(raw, { runs }, ctx, maxScore): Promise<ItemOutcome> {
    const out = parseOutput(raw, 'answers');
    const key = (await importReference<{ answers: AnswerSheet }>(ctx.repoRoot, 'reference/cfs', 'cfs-answers.ts'))
      .answers;
    const problems: string[] = [];
    const measured = new Map<number, Measured>();
    runs.forEach((r, i) => {
      const res = replay(r, out.runs[i]);
      if (res.problem !== undefined) problems.push(`${r.label}: ${res.problem}`);
      if (res.measured !== undefined) measured.set(r.cfsInterval, res.measured);
    });
    if (problems.length > 0 || measured.size < MCQ_INTERVALS.length) {
      return {
        score: 0,
        message: 'the evidence runs failed, so no answer can be checked',
        output: problems.join('\n'),
      };
    }
    const answers = (typeof out.answers === 'object' && out.answers !== null ? out.answers : {}) as AnswerSheet;
    const lines: string[] = out.answersError !== undefined ? [out.answersError] : [];
    let right = 0;
    for (const q of QUESTIONS) {
      const a = answers[q.key];
      const why: string[] = [];
      if (a === undefined || typeof a !== 'object') why.push('no answer');
      else {
        if (a.choice !== key[q.key]?.choice)
          why.push(
            a.choice === null || a.choice === undefined
              ? 'no choice'
              : `choice ${JSON.stringify(a.choice)} is not right`,
          );
        for (const [field, ev] of Object.entries(q.evidence)) {
          const want = ev.value(measured);
          // The evidence runs use the public seed, so the measured value may be shown.
          const measuredText = `the grader measured ${measuredValue(ev.unit, want)} on your run`;
          if (!evidenceMatches(ev.unit, a[field], want))
            why.push(
              `${field}: ${a[field] === null || a[field] === undefined ? `missing (${measuredText})` : `${String(a[field])} does not match: ${measuredText}`}`,
            );
        }
      }
      if (why.length === 0) right++;
      lines.push(`${why.length === 0 ? 'PASS' : 'FAIL'} ${q.key}${why.length > 0 ? `: ${why.join('; ')}` : ''}`);
    }
    return {
      score: roundPoints((maxScore * right) / QUESTIONS.length),
      message: `${right} of ${QUESTIONS.length} answers right, with matching evidence`,
      output: lines.join('\n'),
    };
  },
};

export const CFS_ITEMS = {
  'get-priority': unitItem(getPriorityCases),
  'priority-preemption': unitItem(preemptionCases),
  'cfs-step': unitItem(cfsStepCases),
  'schedule-interval': intervalItem,
  'burst-p99-ttft': burstItem,
  'burst-variants': variantsItem,
  'tight-swap-pool': tightPoolItem,
  'interval-sweep': sweepItem,
  mcq: mcqItem,
} satisfies Record<string, ItemImplementation>;
