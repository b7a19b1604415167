/**
 * The CFS lab's scenario items: hidden bursts drawn here, in the parent, run by the student's
 * scheduler in the child, and measured by replaying its steps in the parent's engine (simulate.ts),
 * beside vLLM's default step (FCFS) and the reference, whose runs are cached by seed (result-cache.ts).
 */
import { VllmV0Scheduler } from '../../../sim/policies/replica/vllm-v0-step-scheduler.js';
import { lineChart, scatterChart, type Plot } from '../../kit/charts.js';
import type { ItemContext, ItemImplementation, ItemOutcome } from '../../kit/item.js';
import { fmt, pct, textTable } from '../../kit/messages.js';
import { referenceOracle } from '../../kit/oracle.js';
import { cached } from '../../kit/result-cache.js';
import { linear, median, proportion } from '../../kit/rules.js';
import { derivedSeed, derivedSeeds } from '../../kit/seeds.js';
import { BaselineRun, SimulateOutput, type CfsRun } from './schemas.js';
import { measure, replayStudent, type Measured } from './simulate.js';
import { oracle } from './student.js';
import { burst, HOMEWORK_SWAP_GIB, homeworkRun, publicRun } from './workloads.js';

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
const REFERENCE_SLACK = { factor: 1.25, seconds: 0.5 } as const;
/**
 * Preemptions (swap-outs and recomputes) against the reference's on the same burst: the burst item's
 * points scale down linearly from `full` × the reference's (median ratio over the bursts) to none at
 * `zero` ×; a variant or tight-pool burst fails above `pass` × the reference's + `extra`. Preempting
 * more than needed buys TTFT with swap traffic and TPOT, so TTFT alone would reward it.
 */
const PREEMPTION_SLACK = { full: 1.15, zero: 2, pass: 1.5, extra: 10 } as const;
export const SWEEP_INTERVALS = [0, 5, 10, 20, 40] as const;
const VARIANTS = [
  [30, 6],
  [80, 2],
  [100, 3],
] as const;

const ms = (x: number | undefined) => fmt(x === undefined ? undefined : 1000 * x, 1);
const s2 = (x: number | undefined) => fmt(x, 2);

/** A trusted run, the reference's or vLLM's default step's (at interval 0), cached by seed and code. */
function trusted(who: 'reference' | 'FCFS', run: CfsRun, ctx: ItemContext): Promise<BaselineRun> {
  const { label: _, ...r } = who === 'FCFS' ? { ...run, cfsInterval: 0 } : run;
  const key = { repoRoot: ctx.repoRoot, lab: 'cfs', what: `${who} on ${JSON.stringify(r)}`, seed: ctx.hiddenSeed };
  return cached(key, BaselineRun, async () => {
    const Reference = who === 'reference' ? (await oracle.reference(ctx)).CfsScheduler : VllmV0Scheduler;
    const measured = measure({ label: '', ...r }, (i) => new Reference(i));
    const { peaks: _, cpuBlocks: _c, gpuBlocks: _g, ...baseline } = measured;
    return baseline;
  });
}

/** One run: the student's replayed (or why not), the reference's and FCFS's. */
type Row = ReturnType<typeof replayStudent> & { readonly run: CfsRun; readonly ref: BaselineRun; base: BaselineRun };

type Grade = (rows: Row[], maxScore: number) => ItemOutcome;

/** An item that runs `runs` with the student's scheduler and grades the runs replayed in the parent. */
function scenario(runs: (ctx: ItemContext) => CfsRun[], grade: Grade): ItemImplementation<CfsRun[], SimulateOutput> {
  return {
    output: SimulateOutput,
    prepare(ctx) {
      const prepared = runs(ctx);
      return { input: { task: 'simulate', runs: prepared, answers: false }, prepared };
    },
    score: async (out, prepared, ctx, maxScore) => {
      const rows: Row[] = [];
      for (const [i, run] of prepared.entries()) {
        const [ref, base] = [await trusted('reference', run, ctx), await trusted('FCFS', run, ctx)];
        rows.push({ run, ...replayStudent(run, out.runs[i]), ref, base });
      }
      return grade(rows, maxScore);
    },
  };
}

const problemsOf = (rows: readonly { run: CfsRun; problem?: string }[]) =>
  rows.flatMap((c) => (c.problem !== undefined ? [`${c.run.label}: ${c.problem}`] : []));

/** TTFT and TPOT per prompt in issue order, and GPU KV usage over time: yours beside FCFS and the reference. */
function issueOrderPlots({ run, measured, base, ref }: Row): Plot[] {
  const perPrompt = (xs: (number | null)[], scale: number) =>
    xs.flatMap((v, i) => (v === null ? [] : [[i + 1, v * scale] as [number, number]]));
  const charts = [
    ['TTFT per prompt in issue order', 'TTFT (s)', (m: BaselineRun) => perPrompt(m.ttft, 1)],
    ['TPOT per prompt in issue order', 'TPOT (ms)', (m: BaselineRun) => perPrompt(m.tpot, 1000)],
    ['GPU KV cache usage over time', 'GPU KV blocks in use (%)', (m: BaselineRun) => m.gpu],
  ] as const;
  return charts.map(([title, y, points], k) =>
    lineChart({
      title: `${title}, ${run.label}`,
      x: k < 2 ? 'prompt (issue order)' : 'time (s)',
      y,
      ...(k === 2 ? { step: true } : {}),
      series: [
        { name: 'default (FCFS)', points: points(base) },
        { name: 'yours', points: points(measured!) },
        { name: 'reference', points: points(ref), dashed: true },
      ],
    }),
  );
}

const RUN_COLUMNS = ['P99 TTFT yours (s)', 'mean TPOT yours (ms)']
  .flatMap((yours) => [yours, 'reference', 'FCFS'])
  .concat('preemptions yours', 'reference', 'finished');

/** The runs side by side: P99 TTFT, mean TPOT and preemptions, yours beside the reference's and FCFS's. */
const runTable = (rows: readonly Row[], verdicts?: readonly (string | undefined)[]) =>
  textTable(
    ['burst', ...(verdicts ? ['verdict'] : []), ...RUN_COLUMNS],
    rows.map(({ run, measured: m, ref, base }, i) => [
      run.label,
      ...(verdicts ? [verdicts[i] === undefined ? 'PASS' : 'FAIL'] : []),
      ...[m?.p99Ttft, ref.p99Ttft, base.p99Ttft].map(s2),
      ...[m?.meanTpot, ref.meanTpot, base.meanTpot].map(ms),
      ...[m?.preemptions, ref.preemptions].map((x) => fmt(x, 0)),
      m !== undefined ? `${m.completed}/${m.total}` : '-',
    ]),
  );

const burstItem = scenario(
  (ctx) =>
    derivedSeeds(ctx.hiddenSeed, 'cfs-burst', 3).map((seed, i) => homeworkRun(`hidden burst ${i + 1}`, seed, 10)),
  (rows, maxScore) => {
    const table = runTable(rows);
    const plots = rows[0]!.measured !== undefined ? issueOrderPlots(rows[0]!) : [];
    const problems = problemsOf(rows);
    if (problems.length > 0)
      return { score: 0, message: problems[0]!, output: `${problems.join('\n')}\n\n${table}`, plots };
    const p99s = rows.map((c) => c.measured!.p99Ttft);
    const ratios = rows.map((c) => c.measured!.preemptions / Math.max(c.ref.preemptions, 1));
    const [m, ratio] = [median(p99s), median(ratios)];
    const zeroAt = P99_TTFT_THRESHOLD_S + maxScore / POINTS_OFF_PER_SECOND;
    const ttftPoints = linear(m, zeroAt, P99_TTFT_THRESHOLD_S, maxScore);
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

/** Pass/fail per run: every request finished, P99 TTFT and preemptions within the reference's on the same run. */
const againstReference = (what: string) => (rows: Row[], maxScore: number) => {
  const verdicts = rows.map(({ measured: m, problem, ref }) => {
    const limit = REFERENCE_SLACK.factor * ref.p99Ttft + REFERENCE_SLACK.seconds;
    const swaps = Math.floor(PREEMPTION_SLACK.pass * ref.preemptions + PREEMPTION_SLACK.extra);
    if (problem !== undefined) return problem;
    if (m!.p99Ttft > limit) return `P99 TTFT ${s2(m!.p99Ttft)} s is above ${s2(limit)} s`;
    if (m!.preemptions > swaps)
      return `${m!.preemptions} preemptions, more than ${swaps} (${PREEMPTION_SLACK.pass} × the reference's ${ref.preemptions} + ${PREEMPTION_SLACK.extra})`;
    return undefined;
  });
  const passed = verdicts.filter((v) => v === undefined).length;
  const failures = verdicts.flatMap((v, i) => (v === undefined ? [] : [`${rows[i]!.run.label}: ${v}`]));
  return {
    score: proportion(passed, rows.length, maxScore),
    message: `${passed} of ${rows.length} ${what} passed (every request finished, P99 TTFT ≤ ${REFERENCE_SLACK.factor} × the reference's + ${REFERENCE_SLACK.seconds} s, preemptions ≤ ${PREEMPTION_SLACK.pass} × the reference's + ${PREEMPTION_SLACK.extra})`,
    output: [...failures, runTable(rows, verdicts)].join('\n\n'),
  };
};

const variantsItem = scenario(
  (ctx) =>
    VARIANTS.map(([count, qps], i) => ({
      label: `hidden burst: ${count} prompts at ${qps} req/s`,
      requests: burst({ count, qps, seed: derivedSeed(ctx.hiddenSeed, `cfs-variant-${i}`) }),
      cfsInterval: 10,
      swapSpace: HOMEWORK_SWAP_GIB,
    })),
  againstReference('bursts'),
);

/** Two homework bursts with 0.5 GiB of swap per GPU, so the CPU pool fills. */
const tightPoolItem = scenario(
  (ctx) =>
    derivedSeeds(ctx.hiddenSeed, 'cfs-tight-pool', 2).map((seed, i) =>
      homeworkRun(`hidden burst ${i + 1}, 0.5 GiB swap per GPU`, seed, 10, 0.5),
    ),
  againstReference('bursts with a tight CPU pool'),
);

const sweepItem = scenario(
  (ctx) =>
    derivedSeeds(ctx.hiddenSeed, 'cfs-sweep', 3).flatMap((seed, i) =>
      SWEEP_INTERVALS.map((interval) => homeworkRun(`hidden burst ${i + 1}, interval ${interval}`, seed, interval)),
    ),
  (rows, maxScore) => {
    const problems = problemsOf(rows);
    if (problems.length > 0) return { score: 0, message: problems[0]!, output: problems.join('\n') };
    // Medians over the bursts, per interval (runs are burst-major): [P99 TTFT, mean TPOT] per interval.
    const medians = (list: readonly BaselineRun[]) =>
      SWEEP_INTERVALS.map((_, k) => {
        const at = list.filter((_m, i) => i % SWEEP_INTERVALS.length === k);
        return [median(at.map((m) => m.p99Ttft)), median(at.map((m) => m.meanTpot))] as const;
      });
    const [yours, ref] = [medians(rows.map((c) => c.measured!)), medians(rows.map((c) => c.ref))];
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
      xs.map(([ttft, tpot]): [number, number] => [1000 * tpot, ttft]);
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
const EVIDENCE: readonly (readonly [string, string, Unit, number, (m: Measured) => number | null])[] = [
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
const MCQ_INTERVALS = [0, 5, 10, 40] as const;
type AnswerSheet = Record<string, Record<string, unknown> | undefined>;
/** The reference's answer sheet: the key the multiple-choice item is scored against. */
const ANSWER_KEY = referenceOracle<{ answers: AnswerSheet }>('cfs', 'cfs-answers.ts');

/** A measured evidence value as the answer sheet would write it, with its unit. */
function measuredValue(unit: Unit, value: number | null): string {
  if (value === null || !Number.isFinite(value)) return 'no value';
  const text = unit === 'count' ? String(Math.round(value)) : String(Number(value.toFixed(unit === 's' ? 3 : 1)));
  return `${text}${{ s: ' s', ms: ' ms', pct: '%', count: '' }[unit]}`;
}

/** Whether an evidence value matches: 2% (or the printed rounding) for times, 1 point for percentages, exact counts. */
function evidenceMatches(unit: Unit, got: unknown, want: number | null): boolean {
  if (typeof got !== 'number' || !Number.isFinite(got) || want === null || !Number.isFinite(want)) return false;
  const d = Math.abs(got - want);
  if (unit === 'pct' || unit === 'count') return d <= (unit === 'pct' ? 1 : 0.49);
  return d <= Math.max(0.02 * Math.abs(want), unit === 's' ? 0.01 : 0.1);
}

/** One answer's problems: a wrong choice, evidence that does not match what the grader measured on the student's runs. */
function answerProblems(q: string, a: AnswerSheet[string], right: unknown, runs: Map<number, Measured>) {
  if (typeof a !== 'object' || a === null) return ['no answer'];
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

const mcqItem: ItemImplementation<{ runs: CfsRun[] }, SimulateOutput> = {
  output: SimulateOutput,
  prepare() {
    const runs = MCQ_INTERVALS.map(publicRun);
    return { input: { task: 'simulate', runs, answers: true }, prepared: { runs } };
  },
  async score(out, prepared, ctx, maxScore): Promise<ItemOutcome> {
    const key = await ANSWER_KEY.reference(ctx);
    const replayed = prepared.runs.map((run, i) => ({ run, ...replayStudent(run, out.runs[i]) }));
    const problems = problemsOf(replayed);
    const failed = 'the evidence runs failed, so no answer can be checked';
    if (problems.length > 0) return { score: 0, message: failed, output: problems.join('\n') };
    const runs = new Map(replayed.map((r) => [r.run.cfsInterval, r.measured!]));
    const answers = (typeof out.answers === 'object' && out.answers !== null ? out.answers : {}) as AnswerSheet;
    const verdicts = QUESTIONS.map((q) => [q, answerProblems(q, answers[q], key.answers[q]?.choice, runs)] as const);
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
