/**
 * The capacity search of a deadline-aware setup (`--capacity-search LOW,HIGH`, sim/cli/capacity-command.ts):
 * the highest Poisson rate at which the worst SLA tier misses ≤ 1 % of its deadlines (./capacity.ts).
 * The workload is drawn once at rate 1 (--num-requests requests, default 2048 as in Sarathi-Serve's
 * search) and replayed faster or slower for each probe; requests need tiers (--tier-mix or a trace
 * `tier` column).
 */
import { buildSimulation, loadRequests, type BuildOptions } from '../config/build.js';
import type { SimulationConfig } from '../config/schema.js';
import { Simulator } from '../engine/simulator.js';
import { InputError } from '../errors.js';
import { atRate, findCapacity, type CapacityResult } from './capacity.js';
import { deadlineViolations, type DeadlineReport } from '../metrics/deadlines.js';

export const DEFAULT_CAPACITY_REQUESTS = 2048;

export interface CapacityRun extends CapacityResult {
  readonly reports: readonly { readonly qps: number; readonly report: DeadlineReport }[];
}

export function parseRange(text: string): { low: number; high: number } {
  const [low, high] = text.split(',').map(Number) as [number, number];
  if (!(low > 0) || !(high > low))
    throw new InputError(`--capacity-search expects "low,high" with 0 < low < high, got "${text}"`);
  return { low, high };
}

export function runCapacitySearch(
  config: SimulationConfig,
  options: BuildOptions = {},
  onProbe?: (qps: number, report: DeadlineReport) => void,
): CapacityRun {
  if (config.trace !== undefined)
    throw new InputError(
      '--capacity-search draws a synthetic workload; drop --trace (use --lengths-trace for the lengths)',
    );
  const base: SimulationConfig = {
    ...config,
    qps: 1,
    numRequests: config.numRequests ?? DEFAULT_CAPACITY_REQUESTS,
    duration: undefined,
  };
  const requests = loadRequests(base);
  if (!requests.some((r) => r.tier !== undefined))
    throw new InputError('--capacity-search needs SLA tiers: add --tier-mix (e.g. "1,1,1")');
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
