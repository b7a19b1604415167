/** What scenario items measure of a finished simulation, the same way in every lab. */
import type { SimulationResult } from '../../sim/engine/simulator.js';

/** Every finished request's e2e latency (s), in request order. */
export function e2eValues(result: SimulationResult): number[] {
  return result.requests.filter((r) => r.completedAt !== undefined).map((r) => r.completedAt! - r.arrivedAt);
}

/** The mean e2e latency (s) of the finished requests, null when none finished. */
export function meanE2e(result: SimulationResult): number | null {
  const e2es = e2eValues(result);
  return e2es.length === 0 ? null : e2es.reduce((a, b) => a + b, 0) / e2es.length;
}

/** Requests routed to each replica, by id in ascending order. */
export const perReplicaCounts = (result: SimulationResult): Record<string, number> =>
  Object.fromEntries([...result.requestsPerReplica].sort((a, b) => a[0] - b[0]).map(([id, n]) => [String(id), n]));
