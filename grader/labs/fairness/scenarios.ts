/**
 * The fairness lab's scenario items: the student's runs on the hidden workloads, replayed from their
 * batch logs in the parent's engine (grader/kit/batch-replay.ts), judged check by check against the
 * reference and FCFS on the same workloads (their runs cached by seed, grader/kit/result-cache.ts).
 */
import { z } from 'zod';
import { SERVICE_WEIGHTS, ServiceRecorder, serviceByClient, serviceDifference } from '../../../sim/metrics/fairness.js';
import { ticks, windowedServiceRate } from '../../../sim/metrics/fairness.js';
import type { ItemContext, ItemImplementation, ItemOutcome } from '../../kit/item.js';
import { fmt, pct, textTable } from '../../kit/messages.js';
import { binPeaks, lineChart, type Plot } from '../../kit/charts.js';
import { ReplayError, ReplayReplicaScheduler } from '../../kit/batch-replay.js';
import { cached } from '../../kit/result-cache.js';
import { finiteOrNull } from '../../kit/probes.js';
import { proportion } from '../../kit/rules.js';
import { replayed } from '../../kit/scenario.js';
import { cachedRecording, recordedPair } from '../../kit/timelines.js';
import type { TimelineRecorder } from '../../../sim/metrics/timeline/index.js';
import { SimulateOutput, type ScenarioResultWire, type ScenarioRun, type SchedulerKind } from './schemas.js';
import { oracle, schedulerClass } from './student.js';
import type { Check, SchedulerFactory, WorkloadDef, WorkloadKey } from './workloads.js';
import { engineFcfs, engineOf, fairnessU, partRuns, simulateScenario, timelineRun, workload } from './workloads.js';

const Points = z.array(z.tuple([z.number(), z.number()]));
/** What the checks and plots need from one run (small, so trusted runs are cached as it). */
export const RunSummary = z.strictObject({
  /** Per check id; null when not finite. */
  values: z.record(z.string(), z.number().nullable()),
  rates: z.array(z.strictObject({ client: z.number(), points: Points })),
  difference: z.strictObject({ max: z.number(), points: Points }),
});
export type RunSummary = z.infer<typeof RunSummary>;

const plotFrom = (def: WorkloadDef) => def.plotFrom ?? 30;

/** A run of `make` on `run`, measured. */
export function summarize(run: ScenarioRun, make: SchedulerFactory): RunSummary {
  const recorder = new ServiceRecorder();
  const result = simulateScenario(run, make, [recorder]);
  const def = workload(run.key as WorkloadKey);
  const [log, end] = [recorder.log, run.duration];
  const value = (check: Check): number => {
    switch (check.kind) {
      case 'difference':
        return Math.max(
          ...check.periods.map(([from, to]) => serviceDifference(log, { clients: check.clients, from, to }).max),
        );
      case 'shares': {
        const service = serviceByClient(log, check.from, end);
        const perWeight = check.clients.map((c) => (service.get(c) ?? 0) / (def.weights?.[c] ?? 1));
        const mean = perWeight.reduce((a, b) => a + b, 0) / perWeight.length;
        return mean > 0 ? Math.max(...perWeight.map((x) => Math.abs(x / mean - 1))) : Number.POSITIVE_INFINITY;
      }
      case 'latency': {
        const ttft = result.requests
          .filter((r) => r.clientId === check.client && r.arrivedAt >= check.from && r.arrivedAt < check.to)
          .map((r) => (r.prefillCompletedAt ?? end) - r.arrivedAt);
        return ttft.length === 0 ? 0 : ttft.reduce((a, b) => a + b, 0) / ttft.length;
      }
      case 'throughput':
        return log.service.reduce((a, b) => a + b, 0) / end;
    }
  };
  const clients = [...new Set(run.requests.clientId ?? [])].sort((a, b) => a - b);
  const at = ticks(0, end, 40);
  const difference = serviceDifference(log, { clients, from: plotFrom(def), to: end, weights: def.weights ?? [] });
  return {
    values: Object.fromEntries(def.checks.map((c) => [c.id, finiteOrNull(value(c))])),
    rates: clients.map((client) => ({ client, points: windowedServiceRate(log, client, at, 30, end) })),
    difference: { max: difference.max, points: binPeaks(difference.points, 200, end) },
  };
}

async function referenceFactory(ctx: { readonly repoRoot: string }, kind: SchedulerKind): Promise<SchedulerFactory> {
  const Reference = schedulerClass(await oracle.reference(ctx), kind);
  return (init) => new Reference(init);
}

/** The reference's and FCFS's summaries of a hidden run, cached by seed and code. */
function trusted(who: 'reference' | 'FCFS', run: ScenarioRun, ctx: ItemContext): Promise<RunSummary> {
  const what = `${who} ${run.scheduler} on ${run.key}`;
  return cached({ repoRoot: ctx.repoRoot, lab: 'fairness', what, seed: ctx.hiddenSeed }, RunSummary, async () =>
    summarize(run, who === 'FCFS' ? engineFcfs(run.scheduler) : await referenceFactory(ctx, run.scheduler)),
  );
}

/** The student's run replayed from its decision log (grader/kit/scenario.ts); a problem if the log breaks the engine's rules. */
export function replaySummary(run: ScenarioRun, wire?: ScenarioResultWire): RunSummary | { problem: string } {
  if (wire === undefined) return { problem: 'no result for this workload' };
  try {
    return replayed(wire.log, engineOf(run.scheduler), (make) => summarize(run, make));
  } catch (err) {
    const message = err instanceof ReplayError ? err.message : `${(err as Error).name}: ${(err as Error).message}`;
    return { problem: `your scheduler's batches break the engine's rules: ${message}` };
  }
}

/**
 * Bounds from the reference on the same workload: a service difference may exceed the reference's
 * by U, capped at the paper's 2U, but always at least U/2 above the reference's (the paper's bound is
 * for clients backlogged from the window's start; after a shift in demand the reference itself may
 * come near or past it: `npm run sweep -- fairness` found 41,930 > 2U = 40,000 on hidden seed 19);
 * weighted shares may be off by 10% or twice the reference's error; the light client's TTFT may be
 * twice the reference's or 1 s more; throughput at least 95% of FCFS.
 */
export function judge(check: Check, def: WorkloadDef, value: number, reference: number, fcfsValue: number) {
  const u = fairnessU(def);
  const limit = {
    difference: Math.max(Math.min(2 * u, Math.max(2 * reference, reference + u)), reference + u / 2),
    shares: Math.max(0.1, 2 * reference),
    latency: Math.max(2 * reference, reference + 1),
    throughput: 0.95 * fcfsValue,
  }[check.kind];
  return { passed: check.kind === 'throughput' ? value >= limit : value <= limit, limit };
}

export function formatValue(check: Check, x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '-';
  return { shares: pct(x), latency: `${fmt(x, 2)} s`, throughput: `${fmt(x, 0)}/s`, difference: fmt(x, 0) }[check.kind];
}

/** A check's value from a summary (non-finite: +∞, which fails every upper bound). */
export const checkValue = (s: RunSummary, check: Check): number => s.values[check.id] ?? Number.POSITIVE_INFINITY;

/** A workload's runs: yours (undefined when your log could not be replayed), the reference's and FCFS's. */
type Measured = { def: WorkloadDef; yours?: RunSummary; reference: RunSummary; fcfs: RunSummary };

/** The service rate per client on one workload (`r`), and the accumulated service difference on another (`d`). */
function plots(r: Measured, d: Measured): Plot[] {
  if (r.yours === undefined || d.yours === undefined) return [];
  const [u, from] = [fairnessU(d.def), plotFrom(d.def)];
  const shown = (name: string, s: RunSummary, dashed = false) => ({ name, points: s.difference.points, dashed });
  const reference = (client: number) => r.reference.rates.find((x) => x.client === client)?.points ?? [];
  const { prefill, decode } = SERVICE_WEIGHTS;
  return [
    lineChart({
      title: `Service rate per client, ${r.def.label} (30 s windows; w_p = ${prefill}, w_q = ${decode})`,
      x: 'time (s)',
      y: 'service per second',
      series: r.yours.rates.flatMap(({ client, points }) => [
        { name: `yours, client ${client}`, points },
        { name: `reference, client ${client}`, points: reference(client), dashed: true },
      ]),
    }),
    lineChart({
      title: `Accumulated service difference, ${d.def.label}, from t = ${from} s`,
      x: 'time (s)',
      y: d.def.weights !== undefined ? 'max − min of service / weight' : 'max − min of service',
      series: [
        shown('yours', d.yours),
        shown('reference', d.reference, true),
        // FCFS only when it fits the scale; in overload it grows without bound and would flatten the rest.
        ...(d.fcfs.difference.max <= 6 * u ? [shown('FCFS', d.fcfs)] : []),
        { name: 'paper bound 2U', points: [[from, 2 * u] as const, [d.def.duration, 2 * u] as const] },
      ],
      step: true,
    }),
  ];
}

/** The student's replayed run and the reference's (through the result cache) on the public timeline run. */
async function timelines(run: ScenarioRun, wire: ScenarioResultWire | undefined, ctx: ItemContext) {
  if (wire === undefined) return undefined;
  const record = (make: SchedulerFactory) => (r: TimelineRecorder) => simulateScenario(run, make, [r]).endTime;
  const replay: SchedulerFactory = (init) => new ReplayReplicaScheduler(init, wire.log, engineOf(run.scheduler));
  const what = `timeline of the reference ${run.scheduler} on ${run.key}`;
  const reference = async (r: TimelineRecorder) => record(await referenceFactory(ctx, run.scheduler))(r);
  const key = { repoRoot: ctx.repoRoot, lab: 'fairness', what, seed: ctx.publicSeed };
  return recordedPair(`${run.label} (${run.scheduler})`, record(replay), () => cachedRecording(key, reference));
}

/** The hidden runs, scored, and the public run, only for the report's timeline. */
type Prepared = { readonly runs: ScenarioRun[]; readonly timeline: ScenarioRun };

/**
 * A scenario item of one part: `checks` are the "workload/check" pairs it scores (equal shares of
 * its points); `plot` names the workloads of its two plots, and whether it draws the timelines.
 */
export function scenarioItem(
  kind: SchedulerKind,
  checks: readonly `${WorkloadKey}/${string}`[],
  plot: { readonly rates: WorkloadKey; readonly difference: WorkloadKey; readonly timeline?: true },
): ItemImplementation<Prepared, SimulateOutput> {
  return {
    output: SimulateOutput,
    prepare(ctx) {
      // Every scenario item of a part sends the same runs: the grader runs the child once for all of them.
      // The last is the public timeline run, which no check reads.
      const prepared = { runs: partRuns(kind, ctx.hiddenSeed), timeline: timelineRun(kind, ctx.publicSeed) };
      return { input: { task: 'simulate', runs: [...prepared.runs, prepared.timeline] }, prepared };
    },
    async score(out, prepared, ctx, maxScore): Promise<ItemOutcome> {
      const picks = checks.map((c) => c.split('/') as [WorkloadKey, string]);
      const [measured, problems, lost] = [new Map<WorkloadKey, Measured>(), [] as string[], [] as string[]];
      for (const key of new Set(picks.map(([k]) => k))) {
        const [run, wire] = [prepared.runs.find((r) => r.key === key)!, out.runs.find((r) => r.key === key)];
        const yours = replaySummary(run, wire);
        if ('problem' in yours) problems.push(`${workload(key).label}: ${yours.problem}`);
        const [reference, fcfs] = [await trusted('reference', run, ctx), await trusted('FCFS', run, ctx)];
        measured.set(key, { def: workload(key), reference, fcfs, ...('problem' in yours ? {} : { yours }) });
      }
      const rows = picks.map(([key, checkId]) => {
        const m = measured.get(key)!;
        const check = m.def.checks.find((c) => c.id === checkId)!;
        const [ref, base] = [checkValue(m.reference, check), checkValue(m.fcfs, check)];
        const value = m.yours === undefined ? undefined : checkValue(m.yours, check);
        const verdict = value === undefined ? undefined : judge(check, m.def, value, ref, base);
        const limit = verdict && `${check.kind === 'throughput' ? '≥' : '≤'} ${formatValue(check, verdict.limit)}`;
        const got = value === undefined ? 'no replayable run' : `${formatValue(check, value)}, limit ${limit}`;
        if (verdict?.passed !== true) lost.push(`${m.def.label}, ${check.title}: ${got}`);
        const shown = [value, ref, base].map((x) => formatValue(check, x));
        return [m.def.label, check.title, ...shown, limit ?? '-', verdict?.passed === true ? 'pass' : 'FAIL'];
      });
      const publicRun = out.runs.find((r) => r.key === prepared.timeline.key);
      const pair = plot.timeline === true ? await timelines(prepared.timeline, publicRun, ctx) : undefined;
      const passed = picks.length - lost.length;
      return {
        ...(pair !== undefined ? { timelines: pair } : {}),
        score: proportion(passed, picks.length, maxScore),
        message: `${passed} of ${picks.length} fairness checks passed${lost.length > 0 ? `; failed: ${lost.join('; ')}` : ''}`,
        output: [
          textTable(['workload', 'check', 'yours', 'reference', 'FCFS', 'limit', 'pass/fail'], rows),
          '',
          'Service is w_p = 1 per prompt token and w_q = 2 per output token, attributed when each batch ends.',
          'Limits come from the reference solution on the same hidden workload (labs/fairness/README.md, "How it is graded").',
          'Workloads (arrivals drawn from the hidden seed):',
          ...[...measured.values()].map((m) => `  ${m.def.label}: ${m.def.description}`),
          ...problems.map((p) => `\n${p}`),
        ].join('\n'),
        plots: plots(measured.get(plot.rates)!, measured.get(plot.difference)!),
      };
    },
  };
}
