/**
 * `npm run sim -- … --capacity-search LOW,HIGH`: the capacity of a deadline-aware setup, the highest
 * Poisson rate at which the worst SLA tier misses ≤ 1 % of its deadlines (sim/analysis/capacity.ts).
 * The workload is drawn once at rate 1 (--num-requests requests, default 2048 as in Sarathi-Serve's
 * search) and replayed faster or slower for each probe; requests need tiers (--tier-mix or a trace
 * `tier` column).
 */
import { buildSimulation, loadRequests, type BuildOptions } from '../config/build.js';
import type { SimulationConfig } from '../config/schema.js';
import { Simulator } from '../engine/simulator.js';
import { InputError } from '../errors.js';
import { atRate, findCapacity, type CapacityResult } from '../analysis/capacity.js';
import { deadlineViolations, describeViolations, type DeadlineReport } from '../metrics/deadlines.js';

export const DEFAULT_CAPACITY_REQUESTS = 2048;

export interface CapacityRun extends CapacityResult {
  readonly reports: readonly { readonly qps: number; readonly report: DeadlineReport }[];
}

export function parseRange(text: string): { low: number; high: number } {
  const [low, high] = text.split(',').map(Number) as [number, number];
  if (!(low > 0) || !(high > low)) throw new InputError(`--capacity-search expects "low,high" with 0 < low < high, got "${text}"`);
  return { low, high };
}

export function runCapacitySearch(config: SimulationConfig, options: BuildOptions = {}, onProbe?: (qps: number, report: DeadlineReport) => void): CapacityRun {
  if (config.trace !== undefined) throw new InputError('--capacity-search draws a synthetic workload; drop --trace (use --lengths-trace for the lengths)');
  const base: SimulationConfig = { ...config, qps: 1, numRequests: config.numRequests ?? DEFAULT_CAPACITY_REQUESTS, duration: undefined };
  const requests = loadRequests(base);
  if (!requests.some((r) => r.tier !== undefined)) throw new InputError('--capacity-search needs SLA tiers: add --tier-mix (e.g. "1,1,1")');
  const reports: { qps: number; report: DeadlineReport }[] = [];
  const { low, high } = parseRange(config.capacitySearch ?? '1,8');
  const result = findCapacity(
    (qps) => {
      const setup = buildSimulation(base, { ...options, requests: atRate(requests, 1, qps) });
      const run = new Simulator(setup).run();
      const report = deadlineViolations(run.requests, config.tierDeadlines);
      reports.push({ qps, report });
      onProbe?.(qps, report);
      return report.maxRate;
    },
    { low, high, steps: config.capacitySteps },
  );
  return { ...result, reports };
}

export function describeCapacity(config: SimulationConfig, run: CapacityRun): string {
  const scheduler = config.replicaSchedulerModule || config.replicaScheduler; // '' on the command line unsets a config file's module
  const lines = run.reports
    .slice()
    .sort((a, b) => a.qps - b.qps)
    .map(({ qps, report }) => `  ${qps.toFixed(3).padStart(8)} req/s  worst ${(100 * report.maxRate).toFixed(2).padStart(6)}%  ${describeViolations(report)}`);
  const verdict =
    run.status === 'bracketed'
      ? `capacity ${run.capacity.toFixed(3)} req/s (worst tier at 1%, interpolated)`
      : run.status === 'above-range'
        ? `capacity ≥ ${run.capacity.toFixed(3)} req/s: every probe passed; raise the range`
        : 'capacity below the range: every probe failed; lower the range';
  return [`capacity search: ${scheduler}, ${config.numRequests ?? DEFAULT_CAPACITY_REQUESTS} requests per probe, tier deadlines ${config.tierDeadlines.join('/')} s`, ...lines, verdict].join('\n');
}
