/**
 * The autoscaling lab's cluster, shared by the child (running the student's autoscalers) and
 * the parent (replaying the autoscaler's decisions and running the reference), so both simulate
 * exactly the same thing: Llama-3-70B, TP4 on A100s (calibrated roofline: no profiles exist for it),
 * vllm batching with at most 16 requests and 4,096 tokens per batch, round-robin routing, one replica
 * at the start, scale-ups after 10 s, scale-downs at once, 1 to 64 replicas, $8 per replica-hour.
 */
import { z } from 'zod';
import { buildSimulation } from '../../../sim/config/build.js';
import type { SimulationConfig } from '../../../sim/config/schema.js';
import { Simulator, type SimulationObserver, type SimulationResult } from '../../../sim/engine/simulator.js';
import type { Autoscaler } from '../../../sim/policies/autoscaler/autoscaler.js';
import { percentileSorted } from '../../../sim/metrics/stats.js';
import { recordDecisions } from '../../kit/autoscaler-replay.js';
import { e2eValues } from '../../kit/run-metrics.js';
import { describeThrown } from '../../kit/instance-hook.js';
import { quietConfig } from '../../kit/simulation.js';
import { fromWire, type WireRequests } from '../../kit/wire.js';
import type { AutoscalerRun, Level, SimInput, SimOutput, SimRun } from './schemas.js';
import type { AutoscalingModule } from './student.js';

export const ENVIRONMENT = {
  ...{ initialReplicas: 1, scaleUpDelay: 10, scaleDownDelay: 0, minReplicas: 1, maxReplicas: 64 },
  costPerReplicaHour: 8,
} as const;

export function clusterConfig(): SimulationConfig {
  return quietConfig({
    ...{ model: 'llama-3-70b', device: 'a100', tp: 4, replicas: ENVIRONMENT.initialReplicas },
    ...{ replicaScheduler: 'vllm', batchSizeCap: 16, maxTokensInBatch: 4096, executionModel: 'roofline' },
    ...{ globalScheduler: 'round_robin', seed: 0 },
  });
}

/** One run of the cluster; without an autoscaler the cluster keeps its one replica. */
export function simulateCluster(
  requests: WireRequests,
  options: { readonly autoscaler?: Autoscaler; readonly observers?: readonly SimulationObserver[] },
): SimulationResult {
  const { initialReplicas: _, costPerReplicaHour, ...limits } = ENVIRONMENT;
  const setup = buildSimulation(clusterConfig(), {
    requests: fromWire(requests),
    ...(options.observers !== undefined ? { observers: options.observers } : {}),
    autoscaling: options.autoscaler === undefined ? undefined : { policy: options.autoscaler, ...limits },
  });
  if (setup.costPerReplicaHour !== costPerReplicaHour)
    throw new Error(`cost per replica-hour is ${setup.costPerReplicaHour}, expected ${costPerReplicaHour}`);
  return new Simulator(setup).run();
}

/** What is scored of a run; a P90 of no completed request is NaN (null in JSON, as in the result cache). */
const p90 = z.number().nullable();
export const RunMetrics = z.strictObject({
  ...{ p90: p90.transform((x) => x ?? Number.NaN), costDollars: z.number() },
  ...{ completed: z.number().int(), total: z.number().int() },
});
export type RunMetrics = z.infer<typeof RunMetrics>;

export function runMetrics(result: SimulationResult): RunMetrics {
  return {
    p90: percentileSorted(Float64Array.from(e2eValues(result)).sort(), 90),
    costDollars: result.costDollars,
    completed: result.numCompleted,
    total: result.requests.length,
  };
}

/** INFERLINE_CONFIG as plain data, whatever the student put in it. */
function plainConfig(config: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(config))
    out[k] = typeof v === 'number' ? (Number.isFinite(v) ? v : String(v)) : String(v);
  return out;
}

function simulate(m: AutoscalingModule, run: SimRun, level: Level): AutoscalerRun {
  const { INFERLINE_CONFIG: config } = m.inferline;
  const rec = recordDecisions(
    level === 0 ? new m.inferline.InferlineAutoscaler(config) : new m.custom.CustomAutoscaler(level),
  );
  simulateCluster(run.requests, { autoscaler: rec.autoscaler });
  const base = { label: run.label, level, tuneInterval: rec.autoscaler.tuneInterval, deltas: rec.deltas };
  return level === 0 ? { ...base, config: plainConfig(config) } : base;
}

/** The child's simulate task: every run at every level, with the decisions recorded. */
export function runSimulations(m: AutoscalingModule, input: SimInput, studentDir: string): SimOutput {
  const out: SimOutput = { runs: [], errors: [] };
  for (const run of input.runs)
    for (const level of input.levels) {
      try {
        out.runs.push(simulate(m, run, level));
      } catch (err) {
        // The timeline run must not fail the scored ones: the report simply has no timeline.
        if (input.keepGoing) out.errors.push({ label: run.label, level, error: describeThrown(err, studentDir) });
        else if (run.timelineOnly !== true) throw err;
      }
    }
  return out;
}
