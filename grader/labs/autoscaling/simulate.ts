/**
 * The autoscaling lab's cluster and the efficiency check's workload, shared by the child (running the
 * student's code) and the parent (replaying the autoscaler's decisions and running the reference), so
 * both simulate exactly the same thing: Llama-3-70B, TP4 on A100s (calibrated roofline: no profiles exist
 * for it), vllm batching with at most 16 requests and 4,096 tokens per batch, round-robin routing, one
 * replica at the start, scale-ups after 10 s, scale-downs at once, 1 to 64 replicas, $8 per replica-hour
 * (the catalogue's A100 price, test/report/autoscaling-cluster.test.ts).
 */
import { autoscalingOptions } from '../../../sim/config/build.js';
import type { SimulationConfig } from '../../../sim/config/schema.js';
import { Request } from '../../../sim/entities/request.js';
import type { SimulationObserver, SimulationResult } from '../../../sim/engine/simulator.js';
import type { Autoscaler } from '../../../sim/policies/autoscaler/autoscaler.js';
import { percentile } from '../../../sim/metrics/stats.js';
import { replicaSteps } from '../../../sim/metrics/replica-steps.js';
import { Rng } from '../../../sim/workload/rng.js';
import { recordDecisions } from '../../kit/autoscaler-replay.js';
import { measureWork, type WorkGrowth } from '../../kit/cost-growth.js';
import { e2eValues } from '../../kit/run-metrics.js';
import { describeThrown } from '../../kit/instance-hook.js';
import { quietConfig, runSimulation } from '../../kit/simulation.js';
import { fromWire, type WireRequests } from '../../kit/wire.js';
import type { AutoscalerRun, Level, RunRecord, ScalingInput, SimInput, SimOutput, SimRun } from './schemas.js';
import type { AutoscalingModule } from './student.js';

export function clusterConfig(): SimulationConfig {
  return quietConfig({
    ...{ model: 'llama-3-70b', device: 'a100', tp: 4, replicas: 1, globalScheduler: 'round_robin', seed: 0 },
    ...{ replicaScheduler: 'vllm', batchSizeCap: 16, maxTokensInBatch: 4096, executionModel: 'roofline' },
    ...{ scaleUpDelay: 10, scaleDownDelay: 0, minReplicas: 1, maxReplicas: 64 },
  });
}

/** One run of the cluster; without an autoscaler the cluster keeps its one replica. */
export function simulateCluster(
  requests: WireRequests,
  { autoscaler, observers }: { readonly autoscaler?: Autoscaler; readonly observers?: readonly SimulationObserver[] },
): SimulationResult {
  const config = clusterConfig();
  return runSimulation(config, {
    requests: fromWire(requests),
    observers,
    autoscaling: autoscaler && autoscalingOptions(config, autoscaler),
  });
}

/** What is scored of a run (a P90 of no completed request is NaN), and the replica count for the report. */
export function runMetrics(result: SimulationResult): RunRecord {
  return {
    p90: percentile(e2eValues(result), 90),
    costDollars: result.costDollars,
    completed: result.numCompleted,
    total: result.requests.length,
    mostReplicas: Math.max(...result.replicaTimeline.map((p) => p.replicas)),
    steps: replicaSteps(result),
  };
}

/** A module's autoscaler at a level: 0 is InferLine with INFERLINE_CONFIG, 1–3 the custom one's service levels. */
export const autoscalerAt = (m: Pick<AutoscalingModule, 'inferline' | 'custom'>, level: Level): Autoscaler =>
  level === 0
    ? new m.inferline.InferlineAutoscaler(m.inferline.INFERLINE_CONFIG)
    : new m.custom.CustomAutoscaler(level);

export const levelLabel = (level: Level) => (level === 0 ? 'InferLine' : `custom level ${level}`);

function simulate(m: AutoscalingModule, run: SimRun, level: Level, observe: boolean): AutoscalerRun {
  const rec = recordDecisions(autoscalerAt(m, level));
  const result = simulateCluster(run.requests, { autoscaler: rec.autoscaler });
  const base = {
    ...{ label: run.label, level, tuneInterval: rec.autoscaler.tuneInterval, deltas: rec.deltas },
    ...(observe ? { observed: runMetrics(result) } : {}),
  };
  if (level !== 0) return base;
  // INFERLINE_CONFIG as plain data, whatever the student put in it.
  const plain = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : String(v));
  const config = Object.entries(m.inferline.INFERLINE_CONFIG).map(([k, v]) => [k, plain(v)]);
  return { ...base, config: Object.fromEntries(config) };
}

/** The child's simulate task: every run at every level, with the decisions recorded. */
export function runSimulations(m: AutoscalingModule, input: SimInput, studentDir: string): SimOutput {
  const out: SimOutput = { runs: [], errors: [] };
  for (const run of input.runs)
    for (const level of input.levels) {
      try {
        out.runs.push(simulate(m, run, level, input.keepGoing));
      } catch (err) {
        // The timeline run must not fail the scored ones: the report simply has no timeline.
        if (input.keepGoing) out.errors.push({ label: run.label, level, error: describeThrown(err, studentDir) });
        else if (run.timelineOnly !== true) throw err;
      }
    }
  return out;
}

/** The two (W, L) pairs an autoscaler asks about: short windows for scaling up, long for scaling down. */
const PAIRS = [
  [5, 30],
  [20, 80],
] as const;
/** The efficiency check's arrivals span this many seconds, whatever their number: more arrivals, denser traffic. */
const SPAN = 100;

/** The efficiency check's calls at size n: every arrival, and one query of each pair per `every` arrivals. */
export const callsAt = (n: number, every: number) => n + PAIRS.length * Math.floor(n / every);

/**
 * The child's scaling task (the kit's cost-growth measure counts the work): arrivals at doubling densities
 * in the same 100 s, and a query of each (W, L) pair every few arrivals, through the student's envelope.
 */
export function measureScaling(input: ScalingInput, m: AutoscalingModule): WorkGrowth {
  const rng = new Rng(input.seed);
  const workloads = input.sizes.map((n) =>
    Array.from({ length: n }, (_, i) => {
      const arrivedAt = ((i + 0.5 * rng.next()) * SPAN) / n;
      return new Request({ id: i, arrivedAt, numPrefillTokens: rng.int(64, 512), numDecodeTokens: 1 });
    }),
  );
  return measureWork(input.sizes.length, input.maxRunMs, (k) => {
    const envelope = new m.envelope.NetworkEnvelope();
    for (const [i, r] of workloads[k]!.entries()) {
      envelope.onRequestArrival(r);
      if ((i + 1) % input.arrivalsPerQuery === 0)
        for (const [w, l] of PAIRS) envelope.getMaxRequestRate(r.arrivedAt, w, l);
    }
  });
}
