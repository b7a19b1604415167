/**
 * The CFS lab's scenario items: hidden bursts drawn here, in the parent, run by the student's
 * scheduler in the child, and measured by replaying its steps in the parent's engine (simulate.ts),
 * beside vLLM's default step (FCFS) and the reference, whose runs are cached by seed (result-cache.ts).
 */
import { VllmV0Scheduler } from '../../../sim/policies/replica/vllm-v0-step-scheduler.js';
import type { ItemContext, ItemImplementation, ItemOutcome } from '../../kit/item.js';
import { referenceOracle } from '../../kit/oracle.js';
import { median } from '../../kit/rules.js';
import { textTable } from '../../kit/messages.js';
import { lineChart, scatterChart, type Plot } from '../../kit/charts.js';
import { fmt, pct } from '../../kit/messages.js';
import { cached } from '../../kit/result-cache.js';
import { linear, proportion } from '../../kit/rules.js';
import { derivedSeed, derivedSeeds } from '../../kit/seeds.js';
import { AnswersOutput, BaselineRun, SimulateOutput, type CfsRun } from './schemas.js';
import { measure, replayStudent, type Measured } from './simulate.js';
import { oracle } from './student.js';
import { burst, HOMEWORK_SWAP_GIB, homeworkRun, publicRun, type BurstSpec } from './workloads.js';

/** The reference's answer sheet: the key the multiple-choice item is scored against. */
const ANSWER_KEY = referenceOracle<{ answers: AnswerSheet }>('cfs', 'cfs-answers.ts');

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
/**
 * Preemptions (swap-outs and recomputes) against the reference's on the same burst: the burst item's
 * points scale down linearly from `full` × the reference's (median ratio over the bursts) to none at
 * `zero` ×; a variant or tight-pool burst fails above `pass` × the reference's + `extra`. Preempting
 * more than needed buys TTFT with swap traffic and TPOT, so TTFT alone would reward it.
 */
export const PREEMPTION_SLACK = { full: 1.1, zero: 2, pass: 1.5, extra: 10 } as const;
export const SWEEP_INTERVALS = [0, 5, 10, 20, 40] as const;
export const TIGHT_SWAP_SPACE_GIB = 0.5;
export const VARIANTS: readonly Omit<BurstSpec, 'seed'>[] = [
  { count: 30, qps: 6 },
  { count: 80, qps: 2 },
  { count: 100, qps: 3 },
];

const ms = (x: number | undefined) => fmt(x === undefined ? undefined : 1000 * x, 1);
const s2 = (x: number | undefined) => fmt(x, 2);

/** A trusted run, the reference's or vLLM's default step's (at interval 0), cached by seed and code. */
function trusted(who: 'reference' | 'FCFS', run: CfsRun, ctx: ItemContext): Promise<BaselineRun> {
  const r = who === 'FCFS' ? { ...run, cfsInterval: 0 } : run;
  const key = { repoRoot: ctx.repoRoot, lab: 'cfs', what: `${who} on ${JSON.stringify(r)}`, seed: ctx.hiddenSeed };
  return cached(key, BaselineRun, async () => {
    const Reference = who === 'reference' ? (await oracle.reference(ctx)).CfsScheduler : VllmV0Scheduler;
    const { completed, total, ttft, tpot, p99Ttft, meanTpot, preemptions, gpu } = measure(r, (i) => new Reference(i));
    return { completed, total, ttft, tpot, p99Ttft, meanTpot, preemptions, gpu };
  });
}

type Checked = ReturnType<typeof replayStudent> & { readonly run: CfsRun };

/** An item that runs `runs` with the student's scheduler and grades the runs replayed in the parent. */
function scenario(
  runs: (ctx: ItemContext) => CfsRun[],
  grade: (checked: Checked[], ctx: ItemContext, maxScore: number) => Promise<ItemOutcome>,
): ItemImplementation<CfsRun[], SimulateOutput> {
  return {
    output: SimulateOutput,
    prepare(ctx) {
      const prepared = runs(ctx);
      return { input: { task: 'simulate', runs: prepared }, prepared };
    },
    score: (out, prepared, ctx, maxScore) =>
      grade(
        prepared.map((run, i) => ({ run, ...replayStudent(run, out.runs[i]) })),
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

const problemsOf = (checked: Checked[]) =>
  checked.flatMap((c) => (c.problem !== undefined ? [`${c.run.label}: ${c.problem}`] : []));

const burstItem = scenario(
  (ctx) =>
    derivedSeeds(ctx.hiddenSeed, 'cfs-burst', 3).map((seed, i) => homeworkRun(`hidden burst ${i + 1}`, seed, 10)),
  async (checked, ctx, maxScore) => {
    const rows: string[][] = [];
    const ratios: number[] = [];
    let plots: Plot[] = [];
    for (const { run, measured } of checked) {
      const [base, ref] = [await trusted('FCFS', run, ctx), await trusted('reference', run, ctx)];
      if (measured !== undefined) ratios.push(measured.preemptions / Math.max(ref.preemptions, 1));
      rows.push([
        run.label,
        ...[measured, ref, base].map((m) => s2(m?.p99Ttft)),
        ...[measured, ref, base].map((m) => ms(m?.meanTpot)),
        ...[measured, ref].map((m) => fmt(m?.preemptions, 0)),
      ]);
      if (plots.length === 0 && measured !== undefined) plots = issueOrderPlots(run.label, measured, base, ref);
    }
    const table = textTable(
      ['burst', 'P99 TTFT yours (s)', 'reference', 'FCFS', 'mean TPOT yours (ms)', 'reference', 'FCFS'].concat(
        'preemptions yours',
        'reference',
      ),
      rows,
    );
    const problems = problemsOf(checked);
    if (problems.length > 0)
      return { score: 0, message: problems[0]!, output: `${problems.join('\n')}\n\n${table}`, plots };
    const p99s = checked.map((c) => c.measured!.p99Ttft);
    const [m, ratio] = [median(p99s), median(ratios)];
    const ttftPoints = linear(
      m,
      P99_TTFT_THRESHOLD_S + maxScore / POINTS_OFF_PER_SECOND,
      P99_TTFT_THRESHOLD_S,
      maxScore,
    );
    const share = linear(ratio, PREEMPTION_SLACK.zero, PREEMPTION_SLACK.full, 1);
    const swaps =
      share < 1
        ? `; but you preempt ${fmt(ratio, 2)} × as often as the reference (median over the bursts), so ${pct(share)} of those points (all at ≤ ${PREEMPTION_SLACK.full} ×, none at ${PREEMPTION_SLACK.zero} ×)`
        : '';
    return {
      score: ttftPoints * share,
      message: `median P99 TTFT ${s2(m)} s (full points at ≤ ${P99_TTFT_THRESHOLD_S} s, ${POINTS_OFF_PER_SECOND} points off per second above)${swaps}`,
      output: table,
      plots,
      leaderboard: [{ name: 'median P99 TTFT (s)', value: Number(m.toFixed(3)), order: 'asc' as const }],
      extra: { p99Ttft: p99s, preemptionRatio: ratios },
    };
  },
);

/** Pass/fail per run against the reference's P99 TTFT on the same run. */
const againstReference = (what: string) => async (checked: Checked[], ctx: ItemContext, maxScore: number) => {
  const [rows, failures]: [string[][], string[]] = [[], []];
  let passed = 0;
  for (const { run, measured, problem } of checked) {
    const [ref, base] = [await trusted('reference', run, ctx), await trusted('FCFS', run, ctx)];
    const limit = REFERENCE_SLACK.factor * ref.p99Ttft + REFERENCE_SLACK.seconds;
    const swapLimit = Math.floor(PREEMPTION_SLACK.pass * ref.preemptions + PREEMPTION_SLACK.extra);
    const why =
      problem ??
      (measured!.p99Ttft > limit
        ? `P99 TTFT ${s2(measured!.p99Ttft)} s is above ${s2(limit)} s`
        : measured!.preemptions > swapLimit
          ? `${measured!.preemptions} preemptions, more than ${swapLimit} (${PREEMPTION_SLACK.pass} × the reference's ${ref.preemptions} + ${PREEMPTION_SLACK.extra})`
          : undefined);
    if (why === undefined) passed++;
    const finished = measured !== undefined ? `${measured.completed}/${measured.total}` : '-';
    rows.push([
      run.label,
      why === undefined ? 'PASS' : 'FAIL',
      ...[measured?.p99Ttft, limit, ref.p99Ttft, base.p99Ttft].map(s2),
      ...[measured?.preemptions, swapLimit, ref.preemptions].map((x) => fmt(x, 0)),
      finished,
    ]);
    if (why !== undefined) failures.push(`${run.label}: ${why}`);
  }
  const table = textTable(
    [
      'burst',
      'verdict',
      'P99 TTFT yours (s)',
      'limit',
      'reference',
      'FCFS',
      'preemptions yours',
      'limit',
      'reference',
    ].concat('finished'),
    rows,
  );
  return {
    score: proportion(passed, checked.length, maxScore),
    message: `${passed} of ${checked.length} ${what} passed (every request finished, P99 TTFT ≤ ${REFERENCE_SLACK.factor} × the reference's + ${REFERENCE_SLACK.seconds} s, preemptions ≤ ${PREEMPTION_SLACK.pass} × the reference's + ${PREEMPTION_SLACK.extra})`,
    output: [...failures, table].join('\n\n'),
  };
};

const variantsItem = scenario(
  (ctx) =>
    VARIANTS.map((v, i) => ({
      label: `hidden burst: ${v.count} prompts at ${v.qps} req/s`,
      requests: burst({ ...v, seed: derivedSeed(ctx.hiddenSeed, `cfs-variant-${i}`) }),
      cfsInterval: 10,
      swapSpace: HOMEWORK_SWAP_GIB,
    })),
  againstReference('bursts'),
);

const tightPoolItem = scenario(
  (ctx) =>
    derivedSeeds(ctx.hiddenSeed, 'cfs-tight-pool', 2).map((seed, i) =>
      homeworkRun(`hidden burst ${i + 1}, ${TIGHT_SWAP_SPACE_GIB} GiB swap per GPU`, seed, 10, TIGHT_SWAP_SPACE_GIB),
    ),
  againstReference('bursts with a tight CPU pool'),
);

const sweepItem = scenario(
  (ctx) =>
    derivedSeeds(ctx.hiddenSeed, 'cfs-sweep', 3).flatMap((seed, i) =>
      SWEEP_INTERVALS.map((interval) => homeworkRun(`hidden burst ${i + 1}, interval ${interval}`, seed, interval)),
    ),
  async (checked, ctx, maxScore) => {
    const problems = problemsOf(checked);
    if (problems.length > 0) return { score: 0, message: problems[0]!, output: problems.join('\n') };
    const refs = await Promise.all(checked.map((c) => trusted('reference', c.run, ctx)));
    // Medians over the bursts, per interval (runs are burst-major): [P99 TTFT, mean TPOT] per interval.
    const medians = (list: readonly BaselineRun[]) =>
      SWEEP_INTERVALS.map((_, k) => {
        const at = list.filter((_m, i) => i % SWEEP_INTERVALS.length === k);
        return [median(at.map((m) => m.p99Ttft)), median(at.map((m) => m.meanTpot))] as const;
      });
    const [yours, ref] = [medians(checked.map((c) => c.measured!)), medians(refs)];
    const at = (interval: number) => yours[SWEEP_INTERVALS.indexOf(interval as 0)]!;
    const cfsPart = [5, 10, 20, 40];
    const each = (ok: (x: readonly [number, number], before: readonly [number, number]) => boolean) =>
      cfsPart.slice(1).every((v, i) => ok(at(v), at(cfsPart[i]!)));
    const checks: [string, boolean][] = [
      [
        'P99 TTFT rises with the interval from 5 to 40 (each step within 10%, 40 at least 1.5 × 5)',
        each((x, b) => x[0] >= 0.9 * b[0]) && at(40)[0] >= 1.5 * at(5)[0],
      ],
      [
        'mean TPOT falls with the interval from 5 to 40 (each step within 10%, 5 at least 1.2 × 40)',
        each((x, b) => x[1] <= 1.1 * b[1]) && at(5)[1] >= 1.2 * at(40)[1],
      ],
      ['CFS helps: P99 TTFT at 10 is at most half of FCFS (interval 0)', at(10)[0] <= 0.5 * at(0)[0]],
      ['CFS costs: mean TPOT at 10 is more than 1.1 × FCFS', at(10)[1] > 1.1 * at(0)[1]],
    ];
    const passed = checks.filter(([, ok]) => ok).length;
    const table = textTable(
      ['interval', 'P99 TTFT yours (s)', 'reference', 'mean TPOT yours (ms)', 'reference'],
      SWEEP_INTERVALS.map((v, k) => [String(v), s2(yours[k]![0]), s2(ref[k]![0]), ms(yours[k]![1]), ms(ref[k]![1])]),
    );
    const points = (xs: (readonly [number, number])[]) =>
      xs.map(([ttft, tpot]) => [1000 * tpot, ttft] as [number, number]);
    const plot = scatterChart({
      title: 'P99 TTFT against mean TPOT per cfsInterval (medians over the hidden bursts)',
      x: 'mean TPOT (ms)',
      y: 'P99 TTFT (s)',
      series: [
        { name: 'yours', points: points(yours) },
        { name: 'reference', points: points(ref) },
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
 * The questions' evidence: [question, field, unit, interval of the run, how the grader measures it]. The
 * right choices are not here (grader code ships with the student handout): they are read from the
 * reference answers (reference/cfs/cfs-answers.ts) at scoring time.
 */
export const EVIDENCE: readonly (readonly [string, string, Unit, number, (m: Measured) => number | null])[] = [
  ['q1', 'ttftPrompt10S', 's', 0, (m) => m.ttft[9] ?? null],
  ['q1', 'ttftPrompt40S', 's', 0, (m) => m.ttft[39] ?? null],
  ['q2', 'gpuBlocks', 'count', 0, (m) => m.gpuBlocks],
  ['q2', 'peakGpuKvPercent', 'pct', 0, (m) => m.peaks.peakGpuPercent],
  ['q2', 'pendingAtPeak', 'count', 0, (m) => m.peaks.waitingAtPeak],
  ['q3', 'p99TtftFcfsS', 's', 0, (m) => m.p99Ttft],
  ['q3', 'p99TtftCfs10S', 's', 10, (m) => m.p99Ttft],
  ['q4', 'cpuBlocks', 'count', 10, (m) => m.cpuBlocks],
  ['q4', 'peakCpuKvPercentCfs10', 'pct', 10, (m) => m.peaks.peakCpuPercent],
  ['q4', 'peakSwappedCfs10', 'count', 10, (m) => m.peaks.peakSwapped],
  ['q5', 'meanTpotFcfsMs', 'ms', 0, (m) => 1000 * m.meanTpot],
  ['q5', 'meanTpotCfs10Ms', 'ms', 10, (m) => 1000 * m.meanTpot],
  ['q6', 'p99TtftCfs5S', 's', 5, (m) => m.p99Ttft],
  ['q6', 'p99TtftCfs40S', 's', 40, (m) => m.p99Ttft],
  ['q6', 'meanTpotCfs5Ms', 'ms', 5, (m) => 1000 * m.meanTpot],
  ['q6', 'meanTpotCfs40Ms', 'ms', 40, (m) => 1000 * m.meanTpot],
];
const QUESTIONS = [...new Set(EVIDENCE.map((e) => e[0]))];

/** A measured evidence value as the answer sheet would write it, with its unit. */
function measuredValue(unit: Unit, value: number | null): string {
  if (value === null || !Number.isFinite(value)) return 'no value';
  const text = unit === 'count' ? String(Math.round(value)) : String(Number(value.toFixed(unit === 's' ? 3 : 1)));
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

/** One answer's problems: a wrong choice, evidence that does not match what the grader measured on the student's runs. */
function answerProblems(
  q: string,
  a: Record<string, unknown> | undefined,
  right: unknown,
  runs: Map<number, Measured>,
) {
  if (a === undefined || typeof a !== 'object' || a === null) return ['no answer'];
  const why =
    a.choice === right ? [] : [a.choice == null ? 'no choice' : `choice ${JSON.stringify(a.choice)} is not right`];
  for (const [, field, unit, interval, value] of EVIDENCE.filter((e) => e[0] === q)) {
    const want = value(runs.get(interval)!);
    // The evidence runs use the public seed, so the measured value may be shown.
    const measured = `the grader measured ${measuredValue(unit, want)} on your run`;
    const got = a[field];
    if (!evidenceMatches(unit, got, want))
      why.push(`${field}: ${got == null ? `missing (${measured})` : `${String(got)} does not match: ${measured}`}`);
  }
  return why;
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
    const key = await ANSWER_KEY.reference(ctx);
    const replayed = runs.map((run, i) => ({ run, ...replayStudent(run, out.runs[i]) }));
    const problems = problemsOf(replayed);
    if (problems.length > 0)
      return {
        score: 0,
        message: 'the evidence runs failed, so no answer can be checked',
        output: problems.join('\n'),
      };
    const measured = new Map(replayed.map((r) => [r.run.cfsInterval, r.measured!]));
    const answers = (typeof out.answers === 'object' && out.answers !== null ? out.answers : {}) as AnswerSheet;
    const verdicts = QUESTIONS.map(
      (q) => [q, answerProblems(q, answers[q], key.answers[q]?.choice, measured)] as const,
    );
    const right = verdicts.filter(([, why]) => why.length === 0).length;
    const lines = verdicts.map(([q, why]) => (why.length === 0 ? `PASS ${q}` : `FAIL ${q}: ${why.join('; ')}`));
    return {
      score: proportion(right, QUESTIONS.length, maxScore),
      message: `${right} of ${QUESTIONS.length} answers right, with matching evidence`,
      output: [...(out.answersError !== undefined ? [out.answersError] : []), ...lines].join('\n'),
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
