/**
 * The routing lab's wire data: the runs the parent prepares and what the engine (engine-host.ts, in
 * the grader) hands back to be scored. The per-call messages between that engine and the student's
 * router in the child are the kit's (grader/kit/router-session.ts).
 */
import { z } from 'zod';
import { FrozenRun } from '../../kit/timelines.js';
import { WireRequests } from '../../kit/wire.js';

/** Resolution (s) of the series the report compares to pick its timeline window: fine enough to draw 50 s. */
export const TIMELINE_SERIES_RESOLUTION = 0.1;

/** Replicas to add (+n) or remove (−n) at given times: exercises marked replicas and non-contiguous ids. */
export const ScalingStep = z.strictObject({ time: z.number().nonnegative(), delta: z.number().int() });
export type ScalingStep = z.infer<typeof ScalingStep>;

export const SimulationRun = z.strictObject({
  label: z.string(),
  replicas: z.number().int().positive(),
  requests: WireRequests,
  scaling: z.array(ScalingStep),
  /**
   * The engine config of a graded workload (sim/analysis/routing-workloads.ts: replicaMix,
   * executionModel, clients, …) and the seed that drew it, which seeds the engine too. Absent: the
   * benchmark cluster (simulate.ts, runConfig) with engine seed 0.
   */
  engine: z.strictObject({ config: z.record(z.string(), z.unknown()), seed: z.number().int() }).optional(),
});
export type SimulationRun = z.infer<typeof SimulationRun>;

/** One run as engine-host.ts scored it. */
export const RunOutcome = z.strictObject({
  label: z.string(),
  problems: z.array(z.string()),
  e2e: z.number().nullable(),
  requestsPerReplica: z.record(z.string(), z.number()),
  e2es: z.array(z.number()),
  /** The run's timeline, frozen to cross the thread (only for the runs asked for: the report's side-by-side view). */
  timeline: FrozenRun.optional(),
});
export type RunOutcome = z.infer<typeof RunOutcome>;

/** What `drive` returns (engine-host.ts's hostRuns): the simulation items' output schema. */
export const HostOutput = z.strictObject({
  runs: z.array(RunOutcome),
  /** The child answered with data of the wrong shape: the item's verdict is invalid-output. */
  invalid: z.string().optional(),
  /** The child ended before answering (its outcome gives the verdict). */
  ended: z.boolean().optional(),
});
export type HostResult = z.infer<typeof HostOutput>;

/** An engine baseline's run, as the result cache keeps it. */
export const BaselineRun = z.strictObject({
  mean: z.number(),
  e2es: z.array(z.number()),
  perReplica: z.record(z.string(), z.number()),
});
export type BaselineRun = z.infer<typeof BaselineRun>;
