/**
 * The fairness lab's own wire data (unit probes use the kit's unit wire): the scenario runs the
 * parent sends, and the batch logs the child returns for the parent to replay (grader/kit/batch-replay.ts).
 */
import { z } from 'zod';
import { WireRequests } from '../../kit/wire.js';

/** Which part's scheduler a situation or run uses. */
export const SchedulerKind = z.enum(['vtc', 'vtc-sarathi']);
export type SchedulerKind = z.infer<typeof SchedulerKind>;

export const ScenarioRun = z.strictObject({
  /** Stable key of the workload, e.g. "overload". */
  key: z.string(),
  label: z.string(),
  scheduler: SchedulerKind,
  /** Simulated seconds; the run stops there (backlogs need not drain). */
  duration: z.number().positive(),
  clientWeights: z.array(z.number().positive()),
  requests: WireRequests,
  /** Only for the report's timeline, never scored: if it fails, its result is left out and the scored runs stand. */
  timelineOnly: z.literal(true).optional(),
});
export type ScenarioRun = z.infer<typeof ScenarioRun>;

export const SimulateInput = z.strictObject({ task: z.literal('simulate'), runs: z.array(ScenarioRun) });

export const ScenarioResultWire = z.strictObject({
  key: z.string(),
  /** Every `getNextBatch` call in order, flattened as grader/kit/batch-log.ts writes it. */
  log: z.array(z.number()),
});
export type ScenarioResultWire = z.infer<typeof ScenarioResultWire>;

export const SimulateOutput = z.strictObject({ task: z.literal('simulate'), runs: z.array(ScenarioResultWire) });
export type SimulateOutput = z.infer<typeof SimulateOutput>;
