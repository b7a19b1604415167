/** Writing a run's files: request_metrics.csv, config.json, summary.json. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { SimulationConfig } from '../config/schema.js';
import { requestMetricsCsv } from '../metrics/request-metrics.js';
import type { RunOutput } from '../run.js';

/** `<model>_<replica scheduler>_<router>`; a policy loaded from a file is named by the file (e.g. `ai-router`). */
export function runName(config: SimulationConfig): string {
  if (config.name !== undefined) return config.name;
  const fromFile = (module: string | undefined) =>
    module === undefined || module === '' ? undefined : basename(module).replace(/\.[cm]?[jt]s$/, '');
  return `${config.model}_${fromFile(config.replicaSchedulerModule) ?? config.replicaScheduler}_${fromFile(config.routerModule) ?? config.globalScheduler}`;
}

/** `outputDir` if given, else `<resultsRoot>/<name>/<UTC timestamp>/`. */
export function runDirectory(config: SimulationConfig, startedAt: Date): string {
  if (config.outputDir !== undefined) return resolve(config.outputDir);
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
  return resolve(config.resultsRoot, runName(config), stamp);
}

export function writeRun(dir: string, run: RunOutput, extra: Record<string, unknown> = {}): string[] {
  mkdirSync(dir, { recursive: true });
  const files = {
    'request_metrics.csv': requestMetricsCsv(run.result.requests),
    'config.json': `${JSON.stringify({ ...run.config, ...extra }, null, 2)}\n`,
    'summary.json': `${JSON.stringify(run.summary, null, 2)}\n`,
  };
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return Object.keys(files).map((f) => join(dir, f));
}
