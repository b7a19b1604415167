/**
 * The autoscaling lab's child-side harness: runs inside the sandbox with the student's files bundled
 * in. It executes what the parent asks (unit cases, the efficiency measurement, simulations) and returns
 * raw observations: what the student's methods returned, and every non-zero tune() decision. Scores are
 * computed by the parent, never here.
 */
import { serve } from '../../sandbox/child-runtime.js';
import { realCpuUsage } from '../../sandbox/pinned-clock.js';
import { Batch } from '../../../sim/entities/batch.js';
import { Request } from '../../../sim/entities/request.js';
import type { Autoscaler, AutoscalerRequest, ScalingState } from '../../../sim/policies/autoscaler/autoscaler.js';
import type { Assignment, ClusterView, ReplicaView, Router, RouterInit } from '../../../sim/policies/router/router.js';
import { Rng } from '../../../sim/workload/rng.js';
import { CustomAutoscaler } from '@student/autoscaling/custom-autoscaler.js';
import { InferlineAutoscaler, INFERLINE_CONFIG } from '@student/autoscaling/inferline-autoscaler.js';
import { NetworkEnvelope } from '@student/autoscaling/network-envelope.js';
import { LorRouter, RoundRobinRouter } from '@student/autoscaling/scaling-routers.js';
import {
  AutoscalingInput,
  type AutoscalerRunResult,
  type AutoscalingOutput,
  type EmaCase,
  type EmaCaseResult,
  type EnvelopeCase,
  type EnvelopeCaseResult,
  type RouterCase,
  type RouterCaseResult,
  type RouterStepResult,
  type ScalingAttempt,
  type ScalingInput,
  type SimRun,
  type TuneCase,
  type TuneCaseResult,
} from './protocol.js';
import { describeThrown } from '../../kit/instance-hook.js';
import { costSlope, pairRatios } from './scaling.js';
import { runMetrics, simulateCluster } from './simulate.js';

const errorText = (err: unknown) => describeThrown(err, 'starter/autoscaling');
/** A student-returned value as data: finite numbers pass, anything else is null. */
const num = (x: unknown): number | null => (typeof x === 'number' && Number.isFinite(x) ? x : null);

// ---- routers ------------------------------------------------------------------------------------

function runRouterCase(c: RouterCase): RouterCaseResult {
  const cluster: { replicas: ReplicaView[] } = { replicas: [] };
  const steps: RouterStepResult[] = [];
  let nextRequestId = 0;
  let router: Router;
  try {
    const init: RouterInit = { cluster: cluster as ClusterView, rng: new Rng(c.seed) };
    router = c.router === 'round-robin' ? new RoundRobinRouter(init) : new LorRouter(init);
  } catch (err) {
    return { name: c.name, steps, error: `the constructor threw ${errorText(err)}` };
  }
  let time = 0;
  for (const step of c.steps) {
    time += 1;
    try {
      const present = new Set(step.replicas.map((r) => r.replicaId));
      // Replicas gone since the last step were freed: tell the router, as the engine does.
      for (const r of cluster.replicas) if (!present.has(r.replicaId)) router.onReplicaRemoved(r.replicaId);
      cluster.replicas = step.replicas.map((r) => ({
        replicaId: r.replicaId,
        numWaiting: r.numWaiting,
        numRunning: r.numRunning,
        numOutstanding: r.numWaiting + r.numRunning,
        kv: { numBlocks: 7424, numFreeBlocks: 7424 },
      }));
      for (const id of step.mark) router.replicasToFree.add(id);
      for (let i = 0; i < step.arrivals; i++) {
        router.addRequest(
          new Request({ id: nextRequestId++, arrivedAt: time, numPrefillTokens: 256, numDecodeTokens: 1 }),
        );
      }
      const result: { assignments: [number | null, number | null][]; victim?: number | null; marked: number[] } = {
        assignments: [],
        marked: [],
      };
      if (step.action === 'schedule') {
        const out: Assignment[] = router.schedule(time);
        if (!Array.isArray(out)) throw new TypeError(`schedule() returned ${typeof out}, not an array of assignments`);
        for (const a of out) result.assignments.push([num(a?.request?.id), num(a?.replicaId)]);
      } else {
        const victim: unknown = router.markReplicaToFree();
        if (victim !== null && num(victim) === null)
          throw new TypeError(`markReplicaToFree() returned ${String(victim)}, not a replica id or null`);
        result.victim = victim === null ? null : num(victim);
      }
      result.marked = [...router.replicasToFree].map(Number).sort((a, b) => a - b);
      steps.push(result);
    } catch (err) {
      return { name: c.name, steps, error: errorText(err) };
    }
  }
  return { name: c.name, steps };
}

// ---- envelope -----------------------------------------------------------------------------------

function runEnvelopeCase(c: EnvelopeCase): EnvelopeCaseResult {
  const values: (number | null)[] = [];
  try {
    const envelope = new NetworkEnvelope();
    for (const [kind, time, a, b] of c.ops) {
      if (kind === 0)
        envelope.onRequestArrival(
          new Request({ id: values.length, arrivedAt: time, numPrefillTokens: a, numDecodeTokens: b }),
        );
      else values.push(num(envelope.getMaxRequestRate(time, a, b)));
    }
    return { name: c.name, values };
  } catch (err) {
    return { name: c.name, values, error: errorText(err) };
  }
}

// ---- EMA and tune: the autoscaler with a stand-in envelope ---------------------------------------

class SilentEnvelope {
  onRequestArrival(): void {}
  getMaxRequestRate(): number {
    return 0;
  }
}

function runEmaCase(c: EmaCase): EmaCaseResult {
  const values: (number | null)[] = [];
  try {
    const autoscaler = new InferlineAutoscaler(
      { ...INFERLINE_CONFIG, throughputAlpha: c.alpha, initialReplicaTokenThroughput: c.initial },
      new SilentEnvelope(),
    );
    values.push(num(autoscaler.replicaTokenThroughput));
    let id = 0;
    for (const b of c.batches) {
      const requests = b.tokens.map(
        (t) => new Request({ id: id++, arrivedAt: b.scheduledAt, numPrefillTokens: t, numDecodeTokens: 1 }),
      );
      const batch = new Batch(0, requests, b.tokens);
      batch.scheduledAt = b.scheduledAt;
      batch.completedAt = b.completedAt;
      batch.duration = b.completedAt - b.scheduledAt;
      autoscaler.onBatchEnd(batch);
      values.push(num(autoscaler.replicaTokenThroughput));
    }
    return { name: c.name, values };
  } catch (err) {
    return { name: c.name, values, error: errorText(err) };
  }
}

function runTuneCase(c: TuneCase): TuneCaseResult {
  const deltas: (number | null)[] = [];
  const problems: string[] = [];
  let current = c.calls[0];
  const cfg = c.config;
  // Answers for the two (W, L) pairs of the config at the current call's time; anything else is noted.
  const envelope = {
    onRequestArrival(): void {},
    getMaxRequestRate(time: number, windowSize: number, lookBackTime: number): number {
      if (current === undefined) return 0;
      if (time !== current.time) problems.push(`call at t=${current.time}: asked the envelope about time ${time}`);
      if (windowSize === cfg.minWindowSizeScaleUp && lookBackTime === cfg.lookBackTimeScaleUp) return current.upRate;
      if (windowSize === cfg.minWindowSizeScaleDown && lookBackTime === cfg.lookBackTimeScaleDown)
        return current.downRate;
      problems.push(
        `call at t=${current.time}: asked the envelope about windowSize ${windowSize}, lookBackTime ${lookBackTime}, neither the scale-up nor the scale-down pair of the config`,
      );
      return 0;
    },
  };
  try {
    const autoscaler = new InferlineAutoscaler({ ...INFERLINE_CONFIG, ...cfg }, envelope);
    for (const call of c.calls) {
      current = call;
      const state: ScalingState = Object.freeze({
        numReplicas: call.numReplicas,
        pendingScaleUps: call.pendingScaleUps,
        pendingScaleDowns: call.pendingScaleDowns,
      });
      deltas.push(num(autoscaler.tune(call.time, state)));
    }
    return { name: c.name, deltas, envelopeProblems: problems.slice(0, 5) };
  } catch (err) {
    return { name: c.name, deltas, envelopeProblems: problems.slice(0, 5), error: errorText(err) };
  }
}

// ---- efficiency: interleaved CPU timing against a linear baseline ------------------------------------

interface ScalingWorkload {
  readonly times: Float64Array;
  readonly prefill: Int32Array;
  readonly queryEvery: number;
}

/** The two (W, L) pairs an autoscaler asks about: short windows for scaling up, long for scaling down. */
const PAIRS = [
  [5, 30],
  [20, 80],
] as const;
/** The workload's arrivals span this many seconds, whatever their number: more arrivals, denser traffic. */
const SPAN = 100;

function scalingWorkload(n: number, queryEvery: number, rng: Rng): ScalingWorkload {
  const times = new Float64Array(n);
  const prefill = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    times[i] = ((i + 0.5 * rng.next()) * SPAN) / n;
    prefill[i] = rng.int(64, 512);
  }
  return { times, prefill, queryEvery };
}

/** One pass of the workload through the student's envelope; returns a checksum so nothing is optimised away. */
function studentPass(w: ScalingWorkload, requests: readonly AutoscalerRequest[]): number {
  const envelope = new NetworkEnvelope();
  let sum = 0;
  for (let i = 0; i < requests.length; i++) {
    envelope.onRequestArrival(requests[i]!);
    if ((i + 1) % w.queryEvery === 0)
      for (const [win, look] of PAIRS) sum += Number(envelope.getMaxRequestRate(w.times[i]!, win, look)) || 0;
  }
  return sum;
}

/**
 * The same calls through a structure known to cost O(1) amortised per call: a running sum over the
 * latest window of each pair (not an envelope). Timed beside the student's, it absorbs the machine's
 * speed and load: only the ratio of the two is used.
 */
function baselinePass(w: ScalingWorkload, requests: readonly AutoscalerRequest[]): number {
  const times: number[] = [];
  const tokens: number[] = [];
  const tails = PAIRS.map(() => 0);
  const sums = PAIRS.map(() => 0);
  let sum = 0;
  for (let i = 0; i < requests.length; i++) {
    const r = requests[i]!;
    times.push(r.arrivedAt);
    tokens.push(r.numPrefillTokens + r.numDecodeTokens);
    for (let p = 0; p < PAIRS.length; p++) sums[p]! += tokens[i]!;
    if ((i + 1) % w.queryEvery === 0) {
      const now = w.times[i]!;
      for (let p = 0; p < PAIRS.length; p++) {
        const [win] = PAIRS[p]!;
        while (times[tails[p]!]! <= now - win) sums[p]! -= tokens[tails[p]!++]!;
        sum += sums[p]! / win;
      }
    }
  }
  return sum;
}

let sink = 0;

/**
 * CPU time of this process, ms (user + system). Not wall-clock: time the child spends preempted by other
 * processes on a loaded machine does not count, so load stretches neither side of a pair; what remains
 * (cache and frequency effects) hits both sides of an interleaved pair alike and cancels in the ratio.
 */
function cpuMs(): number {
  const u = realCpuUsage();
  return (u.user + u.system) / 1000;
}

/** Median ms of one pass, each sample repeating passes until it lasts minSampleMs; undefined if one pass exceeds maxRunMs. */
function timePasses(pass: () => number, input: ScalingInput): { single: number; reps: number } | undefined {
  const t0 = cpuMs();
  sink += pass();
  const single = cpuMs() - t0;
  if (single > input.maxRunMs) return undefined;
  return { single, reps: Math.max(1, Math.ceil(input.minSampleMs / Math.max(single, 1e-3))) };
}

function sample(pass: () => number, reps: number): number {
  const t0 = cpuMs();
  for (let r = 0; r < reps; r++) sink += pass();
  return Math.max(1e-6, (cpuMs() - t0) / reps);
}

function measureScaling(input: ScalingInput): ScalingAttempt[] {
  const rng = new Rng(input.seed);
  const workloads = input.sizes.map((n) => {
    const w = scalingWorkload(n, input.arrivalsPerQuery, rng);
    const requests = Array.from(
      w.times,
      (t, i) => new Request({ id: i, arrivedAt: t, numPrefillTokens: w.prefill[i]!, numDecodeTokens: 1 }),
    );
    return { w, requests };
  });
  // Warm-up: let the JIT optimise both on the smallest size first (about 50 ms each, at least 3 passes).
  for (const pass of [studentPass, baselinePass]) {
    const t0 = cpuMs();
    for (let i = 0; i < 3 || (cpuMs() - t0 < 50 && i < 1000); i++)
      sink += pass(workloads[0]!.w, workloads[0]!.requests);
  }
  const attempts: ScalingAttempt[] = [];
  for (let attempt = 0; attempt < 2; attempt++) {
    const student: number[][] = [];
    const baseline: number[][] = [];
    let tooSlowMs: number | undefined;
    for (const { w, requests } of workloads) {
      const s = () => studentPass(w, requests);
      const b = () => baselinePass(w, requests);
      const sCal = timePasses(s, input);
      if (sCal === undefined) {
        tooSlowMs = input.maxRunMs;
        break;
      }
      const bCal = timePasses(b, input)!;
      const sSamples: number[] = [];
      const bSamples: number[] = [];
      for (let k = 0; k < input.samples; k++) {
        // Interleaved, alternating which goes first, so both see the same machine load.
        if (k % 2 === 0) {
          sSamples.push(sample(s, sCal.reps));
          bSamples.push(sample(b, bCal.reps));
        } else {
          bSamples.push(sample(b, bCal.reps));
          sSamples.push(sample(s, sCal.reps));
        }
      }
      student.push(sSamples);
      baseline.push(bSamples);
    }
    attempts.push({ student, baseline, ...(tooSlowMs !== undefined ? { tooSlowMs } : {}) });
    // One retry, only for a slope just above the pass mark: a busy machine can fake a mild one, not
    // hide a steep one, and a clearly steep one needs no second look.
    const slope = costSlope(input.sizes, pairRatios(student, baseline));
    if (tooSlowMs !== undefined || !(slope > input.retryBand[0] && slope < input.retryBand[1])) break;
  }
  if (sink === 0.5) console.log(''); // keeps the checksums observable
  return attempts;
}

// ---- simulations --------------------------------------------------------------------------------

/** Wraps the student's autoscaler to record every decision; the parent replays them in its own engine. */
function recorded(inner: Autoscaler): { autoscaler: Autoscaler; deltas: [number, number][]; calls: () => number } {
  const deltas: [number, number][] = [];
  let calls = 0;
  const interval = inner.tuneInterval;
  if (typeof interval !== 'number' || !(interval >= 1 && interval <= 60)) {
    throw new RangeError(`tuneInterval must be a number of seconds between 1 and 60, got ${String(interval)}`);
  }
  const autoscaler: Autoscaler = {
    tuneInterval: interval,
    onRequestArrival: (request, now) => inner.onRequestArrival?.(request, now),
    onBatchEnd: (batch, now) => inner.onBatchEnd?.(batch, now),
    tune(now: number, state: ScalingState): number {
      const delta = inner.tune(now, state);
      if (delta !== 0) deltas.push([calls, delta]);
      calls++;
      return delta;
    },
  };
  return { autoscaler, deltas, calls: () => calls };
}

function simulate(
  run: SimRun,
  level: number,
  make: () => Autoscaler,
  config?: Record<string, unknown>,
): AutoscalerRunResult {
  const rec = recorded(make());
  const result = simulateCluster(run.requests, { autoscaler: rec.autoscaler });
  const metrics = runMetrics(result);
  return {
    label: run.label,
    level,
    tuneInterval: rec.autoscaler.tuneInterval,
    deltas: rec.deltas,
    numTuneCalls: rec.calls(),
    p90: Number.isFinite(metrics.p90) ? metrics.p90 : null,
    costDollars: metrics.costDollars,
    ...(config !== undefined ? { config } : {}),
  };
}

function plainConfig(): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(INFERLINE_CONFIG as object))
    out[k] = typeof v === 'number' ? (Number.isFinite(v) ? v : String(v)) : String(v);
  return out;
}

serve((raw): AutoscalingOutput => {
  const input = AutoscalingInput.parse(raw);
  switch (input.task) {
    case 'routers':
      return { task: 'routers', cases: input.cases.map(runRouterCase) };
    case 'envelope':
      return { task: 'envelope', cases: input.cases.map(runEnvelopeCase) };
    case 'ema':
      return { task: 'ema', cases: input.cases.map(runEmaCase) };
    case 'tune':
      return { task: 'tune', cases: input.cases.map(runTuneCase) };
    case 'scaling':
      return { task: 'scaling', attempts: measureScaling(input.input) };
    case 'inferline':
      return {
        task: 'inferline',
        runs: input.runs.flatMap((run) => {
          try {
            return [simulate(run, 0, () => new InferlineAutoscaler(INFERLINE_CONFIG), plainConfig())];
          } catch (err) {
            // The timeline run must not fail the scored ones: the report simply has no timeline.
            if (run.timelineOnly === true) return [];
            throw err;
          }
        }),
      };
    case 'custom':
      return {
        task: 'custom',
        runs: input.runs.flatMap((run) =>
          input.levels.map((level) => simulate(run, level, () => new CustomAutoscaler(level))),
        ),
      };
    case 'public': {
      const runs: AutoscalerRunResult[] = [];
      const errors: { level: number; error: string }[] = [];
      for (const level of [0, 1, 2, 3] as const) {
        try {
          runs.push(
            level === 0
              ? simulate(input.run, 0, () => new InferlineAutoscaler(INFERLINE_CONFIG), plainConfig())
              : simulate(input.run, level, () => new CustomAutoscaler(level)),
          );
        } catch (err) {
          errors.push({ level, error: errorText(err) });
        }
      }
      return { task: 'public', runs, errors };
    }
  }
});
