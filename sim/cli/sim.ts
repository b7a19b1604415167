/**
 * `npm run sim -- [--config file.json] [--flag value ...]`: parses the flags, loads the policies given
 * as files (`--router-module`, `--replica-scheduler-module`, `--autoscaler-module`) and hands the run to
 * its command: the CFS interval sweep (./cfs-sweep-command.ts), the capacity search
 * (./capacity-command.ts), or one simulation (./run-command.ts).
 */
import { buildExecutionModel } from '../config/build.js';
import {
  errorRaisedInModule,
  loadAutoscalerModule,
  loadReplicaSchedulerClass,
  loadRouterModule,
  parseAutoscalerArgs,
} from '../config/plugins.js';
import { parseConfig } from '../config/schema.js';
import { InputError } from '../errors.js';
import { capacityCommand } from './capacity-command.js';
import { cfsSweepCommand } from './cfs-sweep-command.js';
import { helpText, parseArgs } from './flags.js';
import { runCommand } from './run-command.js';
import { timelineRecorder } from './timeline.js';
import { runAsCommand } from './entry.js';

export async function main(argv: readonly string[], command = 'npm run sim --'): Promise<number> {
  let modules: string[] = [];
  try {
    const args = parseArgs(argv);
    if (args.help) {
      console.log(helpText(command));
      return 0;
    }
    const config = parseConfig(args.config, 'flags/config');
    modules = [config.routerModule, config.replicaSchedulerModule, config.autoscalerModule].filter(
      (m): m is string => m !== undefined && m !== '',
    );
    const startedAt = new Date();
    const executionModel = buildExecutionModel(config);
    const makeRouter = config.routerModule ? await loadRouterModule(config.routerModule) : undefined;
    const replicaSchedulerClass = config.replicaSchedulerModule
      ? await loadReplicaSchedulerClass(config.replicaSchedulerModule)
      : undefined;
    const makeAutoscaler = config.autoscalerModule
      ? await loadAutoscalerModule(config.autoscalerModule, parseAutoscalerArgs(config.autoscalerArgs))
      : undefined;
    if (
      makeAutoscaler !== undefined &&
      (config.cfsIntervalSweep !== undefined || config.capacitySearch !== undefined)
    ) {
      throw new InputError(
        '--autoscaler-module runs one simulation; it cannot be combined with --cfs-interval-sweep or --capacity-search',
      );
    }
    const recorder = timelineRecorder(config);
    const build = { executionModel, makeRouter, replicaSchedulerClass };
    if (config.cfsIntervalSweep !== undefined) await cfsSweepCommand(config, build, startedAt);
    else if (config.capacitySearch !== undefined) capacityCommand(config, build);
    else await runCommand(config, { ...build, makeAutoscaler, recorder }, startedAt);
    return 0;
  } catch (err) {
    if (err instanceof InputError) {
      console.error(`error: ${err.message}`);
      return 2;
    }
    // A policy loaded from a file failed in its own code (e.g. a method still to be written): the
    // message is for its author, and the engine's stack would only hide it.
    const module = errorRaisedInModule(err, modules);
    if (err instanceof Error && module !== undefined) {
      console.error(`error: ${err.message} (raised in ${module})`);
      return 2;
    }
    throw err;
  }
}

await runAsCommand(import.meta.url, main);
