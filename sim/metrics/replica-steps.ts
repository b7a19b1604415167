/**
 * The cluster's size over a run as steps, for plots and reports: apart from the charts, so that a sandboxed
 * child (grader/labs/autoscaling/simulate.ts) can use it without bundling vega.
 */
import type { SimulationResult } from '../engine/simulator.js';

/** Replica count as step points, closed at the end of the run. */
export function replicaSteps(result: Pick<SimulationResult, 'replicaTimeline' | 'endTime'>): [number, number][] {
  const points: [number, number][] = result.replicaTimeline.map((p) => [p.time, p.replicas]);
  const last = points[points.length - 1];
  if (last !== undefined && result.endTime > last[0]) points.push([result.endTime, last[1]]);
  return points;
}
