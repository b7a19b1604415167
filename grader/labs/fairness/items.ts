/**
 * The fairness lab's rubric items. Unit items run hand-built situations (cases.ts) and compare with
 * expectations worked out here; scenario items run the hidden workloads (workloads.ts), replay the
 * student's batches in the parent's engine and judge fairness against the reference solution and
 * FCFS on the same workloads (scenarios.ts).
 */
import { parseTaskOutput } from '../../core/child-output.js';
import type { ItemContext, ItemImplementation, ItemOutcome } from '../../core/lab.js';
import { roundPoints, textTable, everyCaseThrew } from '../../core/scoring.js';
import type { Plot } from '../../report/charts.js';
import { checkUnitCase, unitCases, type UnitExpectation, type UnitItemId } from './cases.js';
import { FairnessOutput, type ScenarioRun, type SchedulerKind } from './protocol.js';
import {
  checkValue,
  fcfsMetrics,
  formatValue,
  judge,
  referenceMetrics,
  scenarioPlots,
  scenarioTimelines,
  studentMetrics,
  type RunMetrics,
} from './scenarios.js';
import { partRuns, timelineRun, workload, type WorkloadKey } from './workloads.js';
import { splitByCasesArray } from '../../core/split-cases.js';

const parseOutput = <T extends FairnessOutput['task']>(raw: unknown, task: T) =>
  parseTaskOutput(FairnessOutput, raw, task);

// ---- unit items -----------------------------------------------------------------------------

function unitItem(id: UnitItemId): ItemImplementation<UnitExpectation[]> {
  return {
    splitCases: splitByCasesArray((input, i, error) => ({ name: input.cases[i]!.name, observations: [], error })),
    prepare(ctx: ItemContext) {
      const cases = unitCases(id, ctx.hiddenSeed);
      return { input: { task: 'units', cases: cases.map((c) => c.case) }, prepared: cases };
    },
    score(raw, cases, _ctx, maxScore): ItemOutcome {
      const out = parseOutput(raw, 'units');
      const lines: string[] = [];
      let passed = 0;
      let publicPassed = 0;
      const publicCount = cases.filter((c) => !c.hidden).length;
      cases.forEach((e, i) => {
        const problems = checkUnitCase(e, out.cases[i]);
        if (problems.length === 0) {
          passed++;
          if (!e.hidden) publicPassed++;
        }
        lines.push(
          `${problems.length === 0 ? 'PASS' : 'FAIL'} ${e.hidden ? 'hidden variant' : 'public case'}: ${e.case.name}: ${e.expect}`,
        );
        for (const p of problems) lines.push(`     ${p}`);
      });
      return {
        score: roundPoints((maxScore * passed) / cases.length),
        threw: everyCaseThrew(out.cases, cases.length),
        message: `${passed} of ${cases.length} cases passed (public ${publicPassed} of ${publicCount}, hidden variants ${passed - publicPassed} of ${cases.length - publicCount})`,
        output: lines.join('\n'),
      };
    },
  };
}

// ---- scenario items -------------------------------------------------------------------------

interface ScenarioPrepared {
  /** The hidden runs, scored. */
  readonly runs: ScenarioRun[];
  /** The public run, only for the report's timeline. */
  readonly timeline: ScenarioRun;
}

type Pick = readonly [WorkloadKey, string];

interface PlotPlan {
  /** The rates plot's workload; with `timeline`, the report also draws the timelines of TIMELINE_WORKLOAD drawn from the public seed. */
  readonly rates: { readonly workload: WorkloadKey; readonly clients: readonly number[]; readonly timeline?: boolean };
  readonly difference: { readonly workload: WorkloadKey; readonly clients: readonly number[]; readonly from: number };
}

function scenarioItem(
  scheduler: SchedulerKind,
  picks: readonly Pick[],
  plot: PlotPlan,
): ItemImplementation<ScenarioPrepared> {
  return {
    prepare(ctx) {
      // Every scenario item of a part sends the same runs: the grader runs the child once for all of them.
      // The last is the public timeline run, which no check reads.
      const runs = partRuns(scheduler, ctx.hiddenSeed);
      const timeline = timelineRun(scheduler, ctx.publicSeed);
      return { input: { task: 'simulate', runs: [...runs, timeline] }, prepared: { runs, timeline } };
    },
    async score(raw, prepared, ctx, maxScore): Promise<ItemOutcome> {
      const out = parseOutput(raw, 'simulate');
      const rows: string[][] = [];
      const problems: string[] = [];
      let passed = 0;
      const seen = new Map<WorkloadKey, { yours: RunMetrics | undefined; reference: RunMetrics; fcfs: RunMetrics }>();
      for (const [key, checkId] of picks) {
        const def = workload(key);
        const run = prepared.runs.find((r) => r.key === key)!;
        const check = def.checks.find((c) => c.id === checkId)!;
        const [yours, reference, fcfs] = await Promise.all([
          studentMetrics(
            run,
            out.runs.find((r) => r.key === key),
          ),
          referenceMetrics(run, ctx.repoRoot),
          fcfsMetrics(run),
        ]);
        const student = 'problem' in yours ? undefined : yours;
        seen.set(key, { yours: student, reference, fcfs });
        const ref = checkValue(check, reference, def);
        const base = checkValue(check, fcfs, def);
        if (student === undefined) {
          const problem = (yours as { problem: string }).problem;
          if (!problems.includes(`${def.label}: ${problem}`)) problems.push(`${def.label}: ${problem}`);
          rows.push([def.label, check.title, '-', formatValue(check, ref), formatValue(check, base), '-', 'FAIL']);
          continue;
        }
        const verdict = judge(check, def, checkValue(check, student, def), ref, base);
        if (verdict.passed) passed++;
        rows.push([
          def.label,
          check.title,
          formatValue(check, verdict.value),
          formatValue(check, ref),
          formatValue(check, base),
          `${check.kind === 'throughput' ? '≥' : '≤'} ${formatValue(check, verdict.limit)}`,
          verdict.passed ? 'pass' : 'FAIL',
        ]);
      }
      const plots: Plot[] = [];
      const rates = seen.get(plot.rates.workload);
      const diff = seen.get(plot.difference.workload);
      if (rates?.yours !== undefined && diff?.yours !== undefined) {
        plots.push(
          ...scenarioPlots({
            rates: {
              workload: workload(plot.rates.workload),
              clients: plot.rates.clients,
              yours: rates.yours,
              reference: rates.reference,
            },
            difference: {
              workload: workload(plot.difference.workload),
              clients: plot.difference.clients,
              from: plot.difference.from,
              yours: diff.yours,
              reference: diff.reference,
              fcfs: diff.fcfs,
            },
          }),
        );
      }
      const workloads = [...new Set(picks.map(([k]) => k))].map(
        (k) => `  ${workload(k).label}: ${workload(k).description}`,
      );
      const timelines =
        plot.rates.timeline === true
          ? await scenarioTimelines(
              prepared.timeline,
              out.runs.find((r) => r.key === prepared.timeline.key),
              ctx.repoRoot,
              `${prepared.timeline.label} (${scheduler})`,
            )
          : undefined;
      return {
        ...(timelines !== undefined ? { timelines } : {}),
        score: roundPoints((maxScore * passed) / picks.length),
        message: `${passed} of ${picks.length} fairness checks passed${problems.length > 0 ? `; ${problems[0]}` : ''}`,
        output: [
          textTable(['workload', 'check', 'yours', 'reference', 'FCFS', 'limit', 'pass/fail'], rows),
          '',
          'Service is w_p = 1 per prompt token and w_q = 2 per output token, attributed when each batch ends.',
          'Limits come from the reference solution on the same hidden workload (labs/fairness/README.md, "How it is graded").',
          'Workloads (arrivals drawn from the hidden seed):',
          ...workloads,
          ...problems.map((p) => `\n${p}`),
        ].join('\n'),
        plots,
      };
    },
  };
}

export const FAIRNESS_ITEMS = {
  'cost-prefill': unitItem('cost-prefill'),
  'cost-decode': unitItem('cost-decode'),
  'vtc-arrival': unitItem('vtc-arrival'),
  'vtc-on-off': scenarioItem(
    'vtc',
    [
      ['on-off', 'returning'],
      ['shift', 'after-shift'],
    ],
    {
      rates: { workload: 'on-off', clients: [0, 1], timeline: true },
      difference: { workload: 'shift', clients: [0, 1], from: 100 },
    },
  ),
  'vtc-batch-completion': unitItem('vtc-batch-completion'),
  'vtc-select': unitItem('vtc-select'),
  'vtc-next-batch': unitItem('vtc-next-batch'),
  'vtc-overload': scenarioItem(
    'vtc',
    [
      ['overload', 'difference'],
      ['overload', 'throughput'],
      ['shift', 'light-latency'],
    ],
    {
      rates: { workload: 'overload', clients: [0, 1] },
      difference: { workload: 'overload', clients: [0, 1], from: 30 },
    },
  ),
  'vtc-weighted-short-long': scenarioItem(
    'vtc',
    [
      ['weighted', 'shares'],
      ['short-long', 'difference'],
      ['short-long', 'throughput'],
    ],
    {
      rates: { workload: 'weighted', clients: [0, 1, 2, 3] },
      difference: { workload: 'short-long', clients: [0, 1], from: 30 },
    },
  ),
  'sarathi-batch-completion': unitItem('sarathi-batch-completion'),
  'sarathi-select': unitItem('sarathi-select'),
  'sarathi-next-batch': unitItem('sarathi-next-batch'),
  'sarathi-overload-on-off': scenarioItem(
    'vtc-sarathi',
    [
      ['overload', 'difference'],
      ['overload', 'throughput'],
      ['on-off', 'returning'],
      ['shift', 'light-latency'],
      ['shift', 'after-shift'],
    ],
    {
      rates: { workload: 'on-off', clients: [0, 1], timeline: true },
      difference: { workload: 'overload', clients: [0, 1], from: 30 },
    },
  ),
  'sarathi-weighted-short-long': scenarioItem(
    'vtc-sarathi',
    [
      ['weighted', 'shares'],
      ['short-long', 'difference'],
      ['short-long', 'throughput'],
    ],
    {
      rates: { workload: 'weighted', clients: [0, 1, 2, 3] },
      difference: { workload: 'short-long', clients: [0, 1], from: 30 },
    },
  ),
} satisfies Record<string, ItemImplementation>;
