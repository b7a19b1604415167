/**
 * `npm run sim -- … --capacity-search LOW,HIGH`: runs the capacity search (sim/analysis/capacity-search.ts),
 * one line per probe on stderr as it goes, then the probes in rate order and the capacity.
 */
import { DEFAULT_CAPACITY_REQUESTS, runCapacitySearch, type CapacityRun } from '../analysis/capacity-search.js';
import type { BuildOptions } from '../config/build.js';
import type { SimulationConfig } from '../config/schema.js';
import { describeViolations } from '../metrics/deadlines.js';

export function capacityCommand(config: SimulationConfig, options: BuildOptions): void {
  const search = runCapacitySearch(config, options, (qps, report) =>
    console.error(`probe ${qps.toFixed(3)} req/s: worst tier ${(100 * report.maxRate).toFixed(2)}%`),
  );
  console.log(describeCapacity(config, search));
}

export function describeCapacity(config: SimulationConfig, run: CapacityRun): string {
  const scheduler = config.replicaSchedulerModule || config.replicaScheduler; // '' on the command line unsets a config file's module
  const lines = run.reports
    .slice()
    .sort((a, b) => a.qps - b.qps)
    .map(
      ({ qps, report }) =>
        `  ${qps.toFixed(3).padStart(8)} req/s  worst ${(100 * report.maxRate).toFixed(2).padStart(6)}%  ${describeViolations(report)}`,
    );
  const verdict =
    run.status === 'bracketed'
      ? `capacity ${run.capacity.toFixed(3)} req/s (worst tier at 1%, interpolated)`
      : run.status === 'above-range'
        ? `capacity ≥ ${run.capacity.toFixed(3)} req/s: every probe passed; raise the range`
        : 'capacity below the range: every probe failed; lower the range';
  return [
    `capacity search: ${scheduler}, ${config.numRequests ?? DEFAULT_CAPACITY_REQUESTS} requests per probe, tier deadlines ${config.tierDeadlines.join('/')} s`,
    ...lines,
    verdict,
  ].join('\n');
}
