/**
 * The CFS lab's scenario items: hidden bursts drawn here, in the parent, run by the student's
 * scheduler in the child, and measured by replaying its steps in the parent's engine (simulate.ts),
 * beside vLLM's default step (FCFS) and the reference, whose runs are cached by seed (result-cache.ts).
 */
import { VllmV0Scheduler } from '../../../sim/policies/replica/vllm-v0-step-scheduler.js';
import type { ItemContext, ItemImplementation, ItemOutcome } from '../../core/lab.js';
import { importReference } from '../../core/reference.js';
import { median, textTable } from '../../core/scoring.js';
import { lineChart, scatterChart, type Plot } from '../../report/charts.js';
import { fmt } from '../../kit/messages.js';
import { cached } from '../../kit/result-cache.js';
import { linear, proportion } from '../../kit/rules.js';
import { derivedSeed, derivedSeeds } from '../../kit/seeds.js';
import { publicRun } from './probes.js';
import { AnswersOutput, BaselineRun, SimulateOutput, type CfsRun } from './schemas.js';
import { measure, replayStudent, type MakeScheduler, type Measured } from './simulate.js';
import { oracle } from './student.js';
import { burst, HOMEWORK_BURST, HOMEWORK_SWAP_GIB, type BurstSpec } from './workloads.js';

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

const ms = (x: number | undefined) => fmt(x === undefined ? undefined : 1000 * x, 1);
const homeworkRun = (label: string, seed: number, cfsInterval: number, swapSpace = HOMEWORK_SWAP_GIB): CfsRun => ({
  label,
  requests: burst({ ...HOMEWORK_BURST, seed }),
  cfsInterval,
  swapSpace,
});

/** A trusted run, the reference's or vLLM's default step's (at interval 0), cached by seed and code. */
function trusted(who: 'reference' | 'FCFS', run: CfsRun, ctx: ItemContext): Promise<BaselineRun> {
  const r = who === 'FCFS' ? { ...run, cfsInterval: 0 } : run;
  const key = { repoRoot: ctx.repoRoot, lab: 'cfs', what: `${who} on ${JSON.stringify(r)}`, seed: ctx.hiddenSeed };
  return cached(key, BaselineRun, async () => {
    const { CfsScheduler } = await oracle.reference(ctx);
    const make: MakeScheduler = (init) => (who === 'FCFS' ? new VllmV0Scheduler(init) : new CfsScheduler(init));
    const { completed, total, ttft, tpot, p99Ttft, meanTpot, gpu } = measure(r, make);
    return { completed, total, ttft, tpot, p99Ttft, meanTpot, gpu };
  });
}

interface Checked {
  readonly run: CfsRun;
  readonly measured?: Measured;
  readonly problem?: string;
}

/** An item that runs `runs` with the student's scheduler and grades the replayed runs. */
function scenario<P extends { runs: CfsRun[] }>(
  build: (ctx: ItemContext) => P,
  grade: (checked: Checked[], prepared: P, ctx: ItemContext, maxScore: number) => Promise<ItemOutcome>,
): ItemImplementation<P, SimulateOutput> {
  return {
    output: SimulateOutput,
    prepare(ctx) {
      const prepared = build(ctx);
      return { input: { task: 'simulate', runs: prepared.runs }, prepared };
    },
    score: (out, prepared, ctx, maxScore) =>
      grade(
        prepared.runs.map((run, i) => ({ run, ...replayStudent(run, out.runs[i]) })),
        prepared,
        ctx,
        maxScore,
      ),
  };
}

function issueOrderPlots(label: string, student: BaselineRun, base: BaselineRun, ref: BaselineRun): Plot[] {
  const perPrompt = (xs: (number | null)[], scale = 1) =>
    xs.flatMap((v, i) => (v === null ? [] : [[i + 1, v * scale] as [number, number]]));
  const charts: [string, string, string, (m: BaselineRun) => [number, number][]][] = [
    ['TTFT per prompt in issue order', 'prompt (issue order)', 'TTFT (s)', (m) => perPrompt(m.ttft)],
    ['TPOT per prompt in issue order', 'prompt (issue order)', 'TPOT (ms)', (m) => perPrompt(m.tpot, 1000)],
    ['GPU KV cache usage over time', 'time (s)', 'GPU KV blocks in use (%)', (m) => m.gpu],
  ];
  return charts.map(([title, x, y, points]) =>
    lineChart({
      title: `${title}, ${label}`,
      x,
      y,
      ...(title.startsWith('GPU') ? { step: true } : {}),
      series: [
        { name: 'default (FCFS)', points: points(base) },
        { name: 'yours', points: points(student) },
        { name: 'reference', points: points(ref), dashed: true },
      ],
    }),
  );
}

const burstItem = scenario(
  (ctx) => ({
    runs: derivedSeeds(ctx.hiddenSeed, 'cfs-burst', 3).map((seed, i) => homeworkRun(`hidden burst ${i + 1}`, seed, 10)),
  }),
  async (checked, _p, ctx, maxScore) => {
    const rows: string[][] = [];
    const p99s: number[] = [];
    const problems: string[] = [];
    let plots: Plot[] = [];
    for (const c of checked) {
      const base = await trusted('FCFS', c.run, ctx);
      const ref = await trusted('reference', c.run, ctx);
      if (c.problem !== undefined) problems.push(`${c.run.label}: ${c.problem}`);
      p99s.push(c.problem === undefined ? c.measured!.p99Ttft : Number.POSITIVE_INFINITY);
      const [yours, refTtft, baseTtft] = [c.measured?.p99Ttft, ref.p99Ttft, base.p99Ttft].map((x) => fmt(x, 2));
      rows.push([
        c.run.label,
        yours!,
        refTtft!,
        baseTtft!,
        ms(c.measured?.meanTpot),
        ms(ref.meanTpot),
        ms(base.meanTpot),
      ]);
      if (plots.length === 0 && c.measured !== undefined) plots = issueOrderPlots(c.run.label, c.measured, base, ref);
    }
    const header = ['burst', 'P99 TTFT yours (s)', 'reference', 'FCFS', 'mean TPOT yours (ms)', 'reference', 'FCFS'];
    const table = textTable(header, rows);
    if (problems.length > 0)
      return { score: 0, message: problems[0]!, output: `${problems.join('\n')}\n\n${table}`, plots };
    const m = median(p99s);
    return {
      score: linear(m, P99_TTFT_THRESHOLD_S + maxScore / POINTS_OFF_PER_SECOND, P99_TTFT_THRESHOLD_S, maxScore),
      message: `median P99 TTFT ${fmt(m, 2)} s (full points at ≤ ${P99_TTFT_THRESHOLD_S} s, ${POINTS_OFF_PER_SECOND} points off per second above)`,
      output: table,
      plots,
      leaderboard: [{ name: 'median P99 TTFT (s)', value: Number(m.toFixed(3)), order: 'asc' as const }],
      extra: { p99Ttft: p99s },
    };
  },
);

/** Pass/fail per run against the reference's P99 TTFT on the same run. */
async function againstReference(checked: Checked[], ctx: ItemContext, maxScore: number, what: string) {
  const rows: string[][] = [];
  const lines: string[] = [];
  let passed = 0;
  for (const c of checked) {
    const ref = await trusted('reference', c.run, ctx);
    const base = await trusted('FCFS', c.run, ctx);
    const limit = REFERENCE_SLACK.factor * ref.p99Ttft + REFERENCE_SLACK.seconds;
    const ok = c.problem === undefined && c.measured!.p99Ttft <= limit;
    if (ok) passed++;
    if (c.problem !== undefined) lines.push(`${c.run.label}: ${c.problem}`);
    const finished = c.measured !== undefined ? `${c.measured.completed}/${c.measured.total}` : '-';
    const times = [c.measured?.p99Ttft, limit, ref.p99Ttft, base.p99Ttft].map((x) => fmt(x, 2));
    rows.push([c.run.label, ok ? 'PASS' : 'FAIL', ...times, finished]);
  }
  const table = textTable(['burst', 'verdict', 'P99 TTFT yours (s)', 'limit', 'reference', 'FCFS', 'finished'], rows);
  return {
    score: proportion(passed, checked.length, maxScore),
    message: `${passed} of ${checked.length} ${what} passed (P99 TTFT ≤ ${REFERENCE_SLACK.factor} × the reference's + ${REFERENCE_SLACK.seconds} s, every request finished)`,
    output: [...lines, table].join('\n\n'),
  };
}

const variantsItem = scenario(
  (ctx) => ({
    runs: VARIANTS.map((v, i) => ({
      label: `hidden burst: ${v.count} prompts at ${v.qps} req/s`,
      requests: burst({ ...v, seed: derivedSeed(ctx.hiddenSeed, `cfs-variant-${i}`) }),
      cfsInterval: 10,
      swapSpace: HOMEWORK_SWAP_GIB,
    })),
  }),
  (checked, _p, ctx, maxScore) => againstReference(checked, ctx, maxScore, 'bursts'),
);

const tightPoolItem = scenario(
  (ctx) => ({
    runs: derivedSeeds(ctx.hiddenSeed, 'cfs-tight-pool', 2).map((seed, i) =>
      homeworkRun(`hidden burst ${i + 1}, ${TIGHT_SWAP_SPACE_GIB} GiB swap per GPU`, seed, 10, TIGHT_SWAP_SPACE_GIB),
    ),
  }),
  (checked, _p, ctx, maxScore) => againstReference(checked, ctx, maxScore, 'bursts with a tight CPU pool'),
);

const sweepItem = scenario(
  (ctx) => ({
    runs: derivedSeeds(ctx.hiddenSeed, 'cfs-sweep', 3).flatMap((seed, i) =>
      SWEEP_INTERVALS.map((interval) => homeworkRun(`hidden burst ${i + 1}, interval ${interval}`, seed, interval)),
    ),
  }),
  async (checked, _p, ctx, maxScore) => {
    const problems = checked.filter((c) => c.problem !== undefined).map((c) => `${c.run.label}: ${c.problem}`);
    if (problems.length > 0) return { score: 0, message: problems[0]!, output: problems.join('\n') };
    const refs = await Promise.all(checked.map((c) => trusted('reference', c.run, ctx)));
    // Medians over the bursts, per interval (runs are burst-major).
    const perInterval = (list: readonly BaselineRun[], pick: (m: BaselineRun) => number) =>
      SWEEP_INTERVALS.map((_, k) => median(list.filter((_m, i) => i % SWEEP_INTERVALS.length === k).map(pick)));
    const student = checked.map((c) => c.measured!);
    const [ttft, tpot, refTtft, refTpot] = [student, refs].flatMap((list) => [
      perInterval(list, (m) => m.p99Ttft),
      perInterval(list, (m) => m.meanTpot),
    ]) as [number[], number[], number[], number[]];
    const at = (xs: number[], interval: number) => xs[SWEEP_INTERVALS.indexOf(interval as 0)]!;
    const cfsPart = [5, 10, 20, 40];
    const each = (xs: number[], ok: (x: number, before: number) => boolean) =>
      cfsPart.slice(1).every((v, i) => ok(at(xs, v), at(xs, cfsPart[i]!)));
    const checks: [string, boolean][] = [
      [
        'P99 TTFT rises with the interval from 5 to 40 (each step within 10%, 40 at least 1.5 × 5)',
        each(ttft, (x, b) => x >= 0.9 * b) && at(ttft, 40) >= 1.5 * at(ttft, 5),
      ],
      [
        'mean TPOT falls with the interval from 5 to 40 (each step within 10%, 5 at least 1.2 × 40)',
        each(tpot, (x, b) => x <= 1.1 * b) && at(tpot, 5) >= 1.2 * at(tpot, 40),
      ],
      ['CFS helps: P99 TTFT at 10 is at most half of FCFS (interval 0)', at(ttft, 10) <= 0.5 * at(ttft, 0)],
      ['CFS costs: mean TPOT at 10 is more than 1.1 × FCFS', at(tpot, 10) > 1.1 * at(tpot, 0)],
    ];
    const passed = checks.filter(([, ok]) => ok).length;
    const table = textTable(
      ['interval', 'P99 TTFT yours (s)', 'reference', 'mean TPOT yours (ms)', 'reference'],
      SWEEP_INTERVALS.map((v, k) => [String(v), fmt(ttft[k], 2), fmt(refTtft[k], 2), ms(tpot[k]), ms(refTpot[k])]),
    );
    const points = (t: number[], p: number[]) =>
      SWEEP_INTERVALS.map((_, k) => [1000 * p[k]!, t[k]!] as [number, number]);
    const plot = scatterChart({
      title: 'P99 TTFT against mean TPOT per cfsInterval (medians over the hidden bursts)',
      x: 'mean TPOT (ms)',
      y: 'P99 TTFT (s)',
      series: [
        { name: 'yours', points: points(ttft, tpot) },
        { name: 'reference', points: points(refTtft, refTpot) },
      ],
    });
    return {
      score: proportion(passed, checks.length, maxScore),
      message: `${passed} of ${checks.length} properties of the trade-off hold`,
      output: `${checks.map(([what, ok]) => `${ok ? 'PASS' : 'FAIL'} ${what}`).join('\n')}\n\n${table}`,
      plots: [plot],
    };
  },
);

// ---- multiple-choice questions ------------------------------------------------------------------

type Unit = 's' | 'ms' | 'pct' | 'count';

/**
 * The questions' evidence: field → [unit, interval of the run, how the grader measures it]. The right
 * choices are not here (grader code ships with the student handout): they are read from the reference
 * answers (reference/cfs/cfs-answers.ts) at scoring time.
 */
export const QUESTIONS: Readonly<
  Record<string, Readonly<Record<string, [Unit, number, (m: Measured) => number | null]>>>
> = {
  q1: { ttftPrompt10S: ['s', 0, (m) => m.ttft[9] ?? null], ttftPrompt40S: ['s', 0, (m) => m.ttft[39] ?? null] },
  q2: {
    gpuBlocks: ['count', 0, (m) => m.gpuBlocks],
    peakGpuKvPercent: ['pct', 0, (m) => m.peaks.peakGpuPercent],
    pendingAtPeak: ['count', 0, (m) => m.peaks.waitingAtPeak],
  },
  q3: { p99TtftFcfsS: ['s', 0, (m) => m.p99Ttft], p99TtftCfs10S: ['s', 10, (m) => m.p99Ttft] },
  q4: {
    cpuBlocks: ['count', 10, (m) => m.cpuBlocks],
    peakCpuKvPercentCfs10: ['pct', 10, (m) => m.peaks.peakCpuPercent],
    peakSwappedCfs10: ['count', 10, (m) => m.peaks.peakSwapped],
  },
  q5: { meanTpotFcfsMs: ['ms', 0, (m) => 1000 * m.meanTpot], meanTpotCfs10Ms: ['ms', 10, (m) => 1000 * m.meanTpot] },
  q6: {
    p99TtftCfs5S: ['s', 5, (m) => m.p99Ttft],
    p99TtftCfs40S: ['s', 40, (m) => m.p99Ttft],
    meanTpotCfs5Ms: ['ms', 5, (m) => 1000 * m.meanTpot],
    meanTpotCfs40Ms: ['ms', 40, (m) => 1000 * m.meanTpot],
  },
};

/** A measured evidence value as the answer sheet would write it, with its unit. */
function measuredValue(unit: Unit, value: number | null): string {
  if (value === null || !Number.isFinite(value)) return 'no value';
  const digits = unit === 's' ? 3 : 1;
  const text = unit === 'count' ? String(Math.round(value)) : String(Number(value.toFixed(digits)));
  return `${text}${{ s: ' s', ms: ' ms', pct: '%', count: '' }[unit]}`;
}

/** Whether an evidence value matches: 2% (or the printed rounding) for times, 1 point for percentages, exact counts. */
export function evidenceMatches(unit: Unit, got: unknown, want: number | null): boolean {
  if (typeof got !== 'number' || !Number.isFinite(got) || want === null || !Number.isFinite(want)) return false;
  const d = Math.abs(got - want);
  if (unit === 'pct') return d <= 1;
  if (unit === 'count') return d < 0.5;
  return d <= Math.max(0.02 * Math.abs(want), unit === 's' ? 0.01 : 0.1);
}

const MCQ_INTERVALS = [0, 5, 10, 40] as const;
type AnswerSheet = Record<string, Record<string, unknown> | undefined>;

const mcqItem: ItemImplementation<{ runs: CfsRun[] }, AnswersOutput> = {
  output: AnswersOutput,
  prepare() {
    const runs = MCQ_INTERVALS.map(publicRun);
    return { input: { task: 'answers', runs }, prepared: { runs } };
  },
  async score(out, { runs }, ctx, maxScore): Promise<ItemOutcome> {
    const key = (await importReference<{ answers: AnswerSheet }>(ctx.repoRoot, 'reference/cfs', 'cfs-answers.ts'))
      .answers;
    const problems: string[] = [];
    const measured = new Map<number, Measured>();
    runs.forEach((r, i) => {
      const res = replayStudent(r, out.runs[i]);
      if (res.problem !== undefined) problems.push(`${r.label}: ${res.problem}`);
      if (res.measured !== undefined) measured.set(r.cfsInterval, res.measured);
    });
    if (problems.length > 0 || measured.size < MCQ_INTERVALS.length)
      return {
        score: 0,
        message: 'the evidence runs failed, so no answer can be checked',
        output: problems.join('\n'),
      };
    const answers = (typeof out.answers === 'object' && out.answers !== null ? out.answers : {}) as AnswerSheet;
    const lines: string[] = out.answersError !== undefined ? [out.answersError] : [];
    let right = 0;
    for (const [q, evidence] of Object.entries(QUESTIONS)) {
      const a = answers[q];
      const why: string[] = [];
      if (a === undefined || typeof a !== 'object') why.push('no answer');
      else {
        if (a.choice !== key[q]?.choice)
          why.push(
            a.choice === null || a.choice === undefined
              ? 'no choice'
              : `choice ${JSON.stringify(a.choice)} is not right`,
          );
        for (const [field, [unit, interval, value]] of Object.entries(evidence)) {
          const want = value(measured.get(interval)!);
          // The evidence runs use the public seed, so the measured value may be shown.
          const measuredText = `the grader measured ${measuredValue(unit, want)} on your run`;
          if (!evidenceMatches(unit, a[field], want))
            why.push(
              `${field}: ${a[field] === null || a[field] === undefined ? `missing (${measuredText})` : `${String(a[field])} does not match: ${measuredText}`}`,
            );
        }
      }
      if (why.length === 0) right++;
      lines.push(`${why.length === 0 ? 'PASS' : 'FAIL'} ${q}${why.length > 0 ? `: ${why.join('; ')}` : ''}`);
    }
    return {
      score: proportion(right, Object.keys(QUESTIONS).length, maxScore),
      message: `${right} of ${Object.keys(QUESTIONS).length} answers right, with matching evidence`,
      output: lines.join('\n'),
    };
  },
};

export const SCENARIOS = {
  'burst-p99-ttft': burstItem,
  'burst-variants': variantsItem,
  'tight-swap-pool': tightPoolItem,
  'interval-sweep': sweepItem,
  mcq: mcqItem,
};
