/**
 * `npm run sim -- [--config file.json] [--flag value ...]`: run one simulation, print its summary and
 * write request_metrics.csv, config.json and summary.json; `--plots DIR` adds SVG plots with their CSVs
 * (sim/report/run-plots.ts) and `--autoscaler-module PATH` scales the cluster with a student's autoscaler.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseConfig } from '../config/schema.js';
import { InputError } from '../errors.js';
import { autoscalingOptions, buildExecutionModel, costPerReplicaHour } from '../config/build.js';
import { loadAutoscalerModule, loadReplicaSchedulerModule, loadRouterModule, parseAutoscalerArgs } from '../config/plugins.js';
import { ServiceRecorder } from '../metrics/fairness.js';
import { comparePlots } from '../report/compare-plots.js';
import { runPlots, writePlots } from '../report/run-plots.js';
import { UsageRecorder } from '../report/usage-recorder.js';
import { runSimulation } from '../run.js';
import { describeCapacity, runCapacitySearch } from './capacity-search.js';
import { describeSweep, parseIntervals, runCfsSweep, writeSweep } from './cfs-sweep.js';
import { helpText, parseArgs } from './flags.js';
import { runDirectory, writeRun } from './output.js';
import { makeProgress } from './progress.js';
import { summaryTable } from './summary-table.js';
import { timelineRecorder, writeTimeline } from './timeline.js';

export async function main(argv: readonly string[], command = 'npm run sim --'): Promise<number> {
  try {
    const args = parseArgs(argv);
    if (args.help) {
      console.log(helpText(command));
      return 0;
    }
    const config = parseConfig(args.config, 'flags/config');
    const startedAt = new Date();
    const progress = makeProgress(config.progress);
    const executionModel = buildExecutionModel(config);
    const makeRouter = config.routerModule ? await loadRouterModule(config.routerModule) : undefined;
    const makeReplicaScheduler = config.replicaSchedulerModule ? await loadReplicaSchedulerModule(config.replicaSchedulerModule) : undefined;
    const makeAutoscaler = config.autoscalerModule ? await loadAutoscalerModule(config.autoscalerModule, parseAutoscalerArgs(config.autoscalerArgs)) : undefined;
    if (makeAutoscaler !== undefined && (config.cfsIntervalSweep !== undefined || config.capacitySearch !== undefined)) {
      throw new InputError('--autoscaler-module runs one simulation; it cannot be combined with --cfs-interval-sweep or --capacity-search');
    }
    const recorder = timelineRecorder(config);
    if (config.cfsIntervalSweep !== undefined) {
      const runs = runCfsSweep(config, parseIntervals(config.cfsIntervalSweep), { executionModel, makeRouter, makeReplicaScheduler });
      console.log(describeSweep(config, runs.map((r) => r.row)));
      if (config.writeOutputs) {
        const dir = runDirectory(config, startedAt);
        writeSweep(dir, config, runs);
        console.log(`wrote      ${dir}/{config.json,sweep.json,interval-<N>/{request_metrics.csv,kv_usage.csv}}`);
      }
      if (config.plots !== undefined) {
        const labelled = runs.map((r) => ({ label: `interval ${r.row.interval}${r.row.interval === 0 ? ' (FCFS)' : ''}`, result: r.result, usage: r.usage }));
        const written = await writePlots(resolve(config.plots), comparePlots(labelled));
        console.log(`plots      ${resolve(config.plots)}/{${written.join(',')}}`);
      }
      return 0;
    }
    if (config.capacitySearch !== undefined) {
      const search = runCapacitySearch(config, { executionModel, makeRouter, makeReplicaScheduler }, (qps, report) =>
        console.error(`probe ${qps.toFixed(3)} req/s: worst tier ${(100 * report.maxRate).toFixed(2)}%`),
      );
      console.log(describeCapacity(config, search));
      return 0;
    }
    const usage = config.plots !== undefined ? new UsageRecorder() : undefined;
    const service = config.plots !== undefined ? new ServiceRecorder() : undefined;
    const observers = [usage, service, recorder].filter((o) => o !== undefined);
    const run = runSimulation(config, {
      executionModel,
      makeRouter,
      makeReplicaScheduler,
      autoscaling: makeAutoscaler !== undefined ? autoscalingOptions(config, makeAutoscaler()) : undefined,
      observers,
      onSimulator: (simulator) => usage?.attach(simulator.cluster),
      onProgress: (now, done, total) => progress.update(now, done, total),
    });
    progress.stop();
    console.log(summaryTable(run.summary));
    if (recorder !== undefined) {
      const { path, bytes } = writeTimeline(config.timeline!, recorder, run.result.endTime);
      console.log(`timeline   ${path} (${(bytes / 1024 / 1024).toFixed(1)} MiB, ${recorder.numEvents} events; open in ui.perfetto.dev)`);
    }
    if (config.plots !== undefined && usage !== undefined && service !== undefined) {
      const inputs = { result: run.result, costPerReplicaHour: costPerReplicaHour(config), usage: usage.samples, service: service.log };
      const written = await writePlots(resolve(config.plots), runPlots(inputs));
      console.log(`plots      ${resolve(config.plots)}/{${written.join(',')}}`);
    }
    if (config.writeOutputs) {
      const dir = runDirectory(config, startedAt);
      writeRun(dir, run, { executionModelName: executionModel.name });
      console.log(`wrote      ${dir}/{request_metrics.csv,config.json,summary.json}`);
    }
    return 0;
  } catch (err) {
    if (err instanceof InputError) {
      console.error(`error: ${err.message}`);
      return 2;
    }
    if (err instanceof Error && err.message.startsWith('not implemented')) {
      console.error(`error: ${err.message}: a starter stub is still in place (see the lab's README)`);
      return 2;
    }
    throw err;
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) process.exitCode = await main(process.argv.slice(2));
