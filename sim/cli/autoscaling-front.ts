/**
 * `npx tsx sim/cli/autoscaling-front.ts --module PATH [--trace FILE ...] [--plots DIR]`: runs an autoscaler
 * module's three service levels (constructor argument 1, 2, 3) on the autoscaling lab's cluster
 * (traces/autoscaling-cluster.json) and prints, per trace, each level's total cost and P90 e2e latency and
 * the front's hypervolume against the lab's reference point ($50 per 126,000 requests, 0.5 s). With
 * `--plots DIR`, writes `front-<trace>.svg/.csv` (the front) into DIR. Default traces: the shipped one and
 * the public shapes (traces/autoscaling-{ramp,spikes,steps}.csv).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { parseArgs as parseNodeArgs } from 'node:util';
import { autoscalingOptions } from '../config/build.js';
import { loadAutoscalerModule } from '../config/plugins.js';
import { InputError } from '../errors.js';
import { hypervolume, referencePoint } from '../metrics/hypervolume.js';
import { runSimulation } from '../run.js';
import { frontChart } from '../report/autoscaling-charts.js';
import { renderSvg } from '../report/charts.js';
import { runAsCommand } from './entry.js';
import { parseArgs } from './flags.js';
import { parseConfig } from '../config/schema.js';

export const CLUSTER_CONFIG = 'traces/autoscaling-cluster.json';
export const DEFAULT_TRACES = [
  'traces/autoscaling.csv',
  'traces/autoscaling-ramp.csv',
  'traces/autoscaling-spikes.csv',
  'traces/autoscaling-steps.csv',
];

export interface LevelResult {
  readonly level: number;
  readonly cost: number;
  readonly p90: number;
}

export async function runFront(
  modulePath: string,
  trace: string,
): Promise<{ levels: LevelResult[]; requests: number; hypervolume: number }> {
  const config = parseConfig({
    ...parseArgs(['--config', CLUSTER_CONFIG]).config,
    trace,
    writeOutputs: false,
    progress: 'off',
  });
  const levels: LevelResult[] = [];
  let requests = 0;
  for (const level of [1, 2, 3]) {
    const make = await loadAutoscalerModule(modulePath, [level]);
    const run = runSimulation(config, { autoscaling: autoscalingOptions(config, make()) });
    requests = run.result.requests.length;
    levels.push({ level, cost: run.summary.costDollars, p90: run.summary.e2e.p90 });
  }
  const hv = hypervolume(
    levels.map((l) => ({ cost: l.cost, latency: l.p90 })),
    referencePoint(requests),
  );
  return { levels, requests, hypervolume: hv };
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseNodeArgs({
    args: argv,
    options: { module: { type: 'string' }, trace: { type: 'string', multiple: true }, plots: { type: 'string' } },
  });
  if (values.module === undefined)
    throw new InputError(
      '--module PATH is required: a file exporting an autoscaler class (sim/policies/autoscaler/autoscaler.ts)',
    );
  const traces = values.trace ?? DEFAULT_TRACES;
  console.log('trace                         level   cost $    P90 s   hypervolume');
  for (const trace of traces) {
    const front = await runFront(values.module, trace);
    for (const l of front.levels) {
      console.log(
        `${trace.padEnd(30)}${String(l.level).padStart(5)}${l.cost.toFixed(2).padStart(9)}${l.p90.toFixed(3).padStart(9)}${l.level === 3 ? front.hypervolume.toFixed(3).padStart(14) : ''}`,
      );
    }
    if (values.plots !== undefined) {
      const dir = resolve(values.plots);
      mkdirSync(dir, { recursive: true });
      const name = `front-${basename(trace, '.csv')}`;
      const plot = frontChart(
        `Cost and P90 of service levels 1–3 on ${trace} (hypervolume ${front.hypervolume.toFixed(3)})`,
        [{ name: 'levels 1–3', points: front.levels.map((l) => [l.cost, l.p90]) }],
      );
      writeFileSync(join(dir, `${name}.svg`), await renderSvg(plot.spec));
      writeFileSync(
        join(dir, `${name}.csv`),
        `level,cost_dollars,p90_e2e_s\n${front.levels.map((l) => `${l.level},${l.cost},${l.p90}`).join('\n')}\n`,
      );
    }
  }
  return 0;
}

await runAsCommand(import.meta.url, main);
