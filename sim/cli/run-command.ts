/**
 * `npm run sim -- …` without a sweep or a search: one simulation, its summary table, and with
 * `--write-outputs` (the default) request_metrics.csv, config.json and summary.json; `--plots DIR` adds
 * SVG plots with their CSVs (sim/report/run-plots.ts), `--timeline FILE` a Perfetto trace.
 */
import { resolve } from 'node:path';
import { autoscalingOptions, costPerReplicaHour, type BuildOptions } from '../config/build.js';
import type { SimulationConfig } from '../config/schema.js';
import { ServiceRecorder } from '../metrics/fairness.js';
import type { Autoscaler } from '../policies/autoscaler/autoscaler.js';
import type { ExecutionTimeModel } from '../predictor/execution-time-model.js';
import { runPlots, writePlots } from '../report/run-plots.js';
import { UsageRecorder } from '../report/usage-recorder.js';
import { runSimulation } from '../run.js';
import { runDirectory, writeRun } from './output.js';
import { makeProgress } from './progress.js';
import { summaryTable } from './summary-table.js';
import type { TimelineRecorder } from '../metrics/timeline/index.js';
import { writeTimeline } from './timeline.js';

export interface RunCommandOptions extends BuildOptions {
  readonly executionModel: ExecutionTimeModel;
  /** A fresh autoscaler (`--autoscaler-module`), or none for a fixed cluster. */
  readonly makeAutoscaler?: (() => Autoscaler) | undefined;
  /** `--timeline`: records the run for Perfetto. */
  readonly recorder?: TimelineRecorder | undefined;
}

export async function runCommand(config: SimulationConfig, options: RunCommandOptions, startedAt: Date): Promise<void> {
  const { executionModel, makeAutoscaler, recorder, ...build } = options;
  const progress = makeProgress(config.progress);
  const usage = config.plots !== undefined ? new UsageRecorder() : undefined;
  const service = config.plots !== undefined ? new ServiceRecorder() : undefined;
  const observers = [usage, service, recorder].filter((o) => o !== undefined);
  const run = runSimulation(config, {
    ...build,
    executionModel,
    autoscaling: makeAutoscaler !== undefined ? autoscalingOptions(config, makeAutoscaler()) : undefined,
    observers,
    onSimulator: (simulator) => usage?.attach(simulator.cluster),
    onProgress: (now, done, total) => progress.update(now, done, total),
  });
  progress.stop();
  console.log(summaryTable(run.summary));
  if (recorder !== undefined) {
    const { path, bytes } = writeTimeline(config.timeline!, recorder, run.result.endTime);
    console.log(
      `timeline   ${path} (${(bytes / 1024 / 1024).toFixed(1)} MiB, ${recorder.numEvents} events; open in ui.perfetto.dev)`,
    );
  }
  if (config.plots !== undefined && usage !== undefined && service !== undefined) {
    const inputs = {
      result: run.result,
      costPerReplicaHour: costPerReplicaHour(config),
      usage: usage.samples,
      service: service.log,
    };
    const written = await writePlots(resolve(config.plots), runPlots(inputs));
    console.log(`plots      ${resolve(config.plots)}/{${written.join(',')}}`);
  }
  if (config.writeOutputs) {
    const dir = runDirectory(config, startedAt);
    writeRun(dir, run, { executionModelName: executionModel.name });
    console.log(`wrote      ${dir}/{request_metrics.csv,config.json,summary.json}`);
  }
}
