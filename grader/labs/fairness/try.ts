/**
 * Runs your fair scheduler on the lab's scenario workloads (public seed) and prints what the grader
 * measures, next to FCFS (the engine's plain vllm or sarathi scheduler):
 *
 *   npx tsx grader/labs/fairness/try.ts [overload|on-off|weighted|short-long|shift|all] [--part 1|2] [--seed N] [--dir DIR]
 *
 * It runs your code directly (no sandbox) from starter/fairness/ (or DIR). The hidden workloads are drawn the
 * same way with other seeds; the grader also compares with its reference solution, which you do not have.
 */
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { REPO_ROOT } from '../../../sim/config/paths.js';
import type { ReplicaScheduler, ReplicaSchedulerInit } from '../../../sim/policies/replica/replica-scheduler.js';
import { REPLICA_SCHEDULERS } from '../../../sim/policies/replica/registry.js';
import { CLASS_NAMES } from './situation.js';
import { checkValue, fairnessU, formatValue, type RunMetrics } from './scenarios.js';
import { ServiceRecorder, serviceByClient } from '../../../sim/metrics/fairness.js';
import { simulateScenario, type SchedulerFactory } from './simulate.js';
import { scenarioRun, WORKLOADS, type WorkloadKey } from './workloads.js';
import { textTable } from '../../core/scoring.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    part: { type: 'string', default: '1' },
    seed: { type: 'string', default: '42' },
    dir: { type: 'string', default: join(REPO_ROOT, 'starter', 'fairness') },
  },
});
const part = values.part === '2' ? 'vtc-sarathi' : 'vtc';
const seed = Number(values.seed);
const which = positionals[0] ?? 'all';
const defs = which === 'all' ? WORKLOADS : WORKLOADS.filter((w) => w.key === (which as WorkloadKey));
if (defs.length === 0 || !Number.isInteger(seed)) {
  console.error(
    `usage: npx tsx grader/labs/fairness/try.ts [${WORKLOADS.map((w) => w.key).join('|')}|all] [--part 1|2] [--seed N] [--dir DIR]`,
  );
  process.exit(2);
}

function measure(make: SchedulerFactory, run: ReturnType<typeof scenarioRun>): { metrics: RunMetrics; wall: number } {
  const recorder = new ServiceRecorder();
  const started = performance.now();
  const result = simulateScenario(run, make, [recorder]);
  const metrics: RunMetrics = {
    duration: run.duration,
    log: recorder.log,
    clientId: result.requests.map((r) => r.clientId),
    arrivedAt: result.requests.map((r) => r.arrivedAt),
    ttft: result.requests.map((r) =>
      r.prefillCompletedAt === undefined ? undefined : r.prefillCompletedAt - r.arrivedAt,
    ),
  };
  return { metrics, wall: (performance.now() - started) / 1000 };
}

const { file, name } = CLASS_NAMES[part];
const module = (await import(pathToFileURL(resolve(values.dir, file)).href)) as Record<string, unknown>;
const Yours = module[name] as new (init: ReplicaSchedulerInit) => ReplicaScheduler;
const yoursFactory: SchedulerFactory = (init) => new Yours(init);
const fcfsFactory = REPLICA_SCHEDULERS[part === 'vtc' ? 'vllm' : 'sarathi'].create;
console.log(`part ${values.part}: ${name} from ${resolve(values.dir, file)}, seed ${seed}`);
for (const def of defs) {
  const run = scenarioRun(def, part, seed);
  console.log(`\n== ${def.label}: ${def.description}`);
  let yours: { metrics: RunMetrics; wall: number };
  try {
    yours = measure(yoursFactory, run);
  } catch (err) {
    console.log(`your scheduler threw: ${(err as Error).stack ?? String(err)}`);
    continue;
  }
  const fcfs = measure(fcfsFactory, run);
  const rows = def.checks.map((check) => [
    check.title,
    formatValue(check, checkValue(check, yours.metrics, def)),
    formatValue(check, checkValue(check, fcfs.metrics, def)),
  ]);
  console.log(textTable(['check', 'yours', 'FCFS'], rows));
  const service = serviceByClient(yours.metrics.log);
  console.log(
    `service per client (yours): ${[...service]
      .sort((a, b) => a[0] - b[0])
      .map(([c, s]) => `${c}: ${(s / def.duration).toFixed(0)}/s`)
      .join(', ')}`,
  );
  console.log(`paper bound 2U = ${2 * fairnessU(def)}; your run took ${yours.wall.toFixed(2)} s of wall time`);
}
