/**
 * The autoscaling lab's own wire schemas (its unit items use the kit's units wire): the efficiency
 * measurement and the simulations. Everything the child returns is re-validated with these.
 */
import { z } from 'zod';
import { WireRequests } from '../../kit/wire.js';

const int = z.number().int();

const rule = (ok: (v: number) => boolean, what: string) => z.number({ error: what }).refine(ok, what);
const positive = rule((v) => v > 0, '> 0');
const replicas = rule((v) => Number.isInteger(v) && v >= 1 && v <= 64, 'an integer from 1 to 64');
/** INFERLINE_CONFIG's fields (labs/autoscaling/README.md) and the rules the tuning item checks. */
export const InferlineConfig = z
  .object({
    tuneInterval: rule((v) => v >= 1 && v <= 60, 'between 1 and 60'),
    ...{ minWindowSizeScaleUp: positive, lookBackTimeScaleUp: positive },
    ...{ minWindowSizeScaleDown: positive, lookBackTimeScaleDown: positive },
    stabilizationDelay: rule((v) => v >= 0, '≥ 0'),
    initialReplicaTokenThroughput: positive,
    throughputAlpha: rule((v) => v > 0 && v <= 1, 'in (0, 1]'),
    ...{ minReplicas: replicas, maxReplicas: replicas },
  })
  .refine((c) => c.minReplicas <= c.maxReplicas, 'minReplicas must not exceed maxReplicas');
export type InferlineConfig = Readonly<z.infer<typeof InferlineConfig>>;

export const ScalingInput = z.strictObject({
  task: z.literal('scaling'),
  /** Numbers of arrivals, ascending (doubling). */
  sizes: z.array(int.positive()),
  /** One query (of each pair) per this many arrivals. */
  arrivalsPerQuery: int.positive(),
  /** A pass slower than this (CPU ms) ends the measurement. */
  maxRunMs: z.number().positive(),
  seed: int,
});
export type ScalingInput = z.infer<typeof ScalingInput>;

export const SimRun = z.strictObject({
  label: z.string(),
  requests: WireRequests,
  /** Only for the report's timeline, never scored: if it fails, its result is left out and the scored runs stand. */
  timelineOnly: z.literal(true).optional(),
});
export type SimRun = z.infer<typeof SimRun>;

/** What is scored of a run; a P90 of no completed request is NaN (null in JSON, as in the result cache). */
export const RunMetrics = z.strictObject({
  ...{
    p90: z
      .number()
      .nullable()
      .transform((x) => x ?? Number.NaN),
    costDollars: z.number(),
  },
  ...{ completed: int, total: int },
});
export type RunMetrics = z.infer<typeof RunMetrics>;

/** A run as the report shows it besides: the most replicas at once, and the replica count as steps. */
export const RunRecord = RunMetrics.extend({ mostReplicas: int, steps: z.array(z.tuple([z.number(), z.number()])) });
export type RunRecord = z.infer<typeof RunRecord>;

/** 0 is the InferLine autoscaler with INFERLINE_CONFIG; 1–3 the custom autoscaler's service levels. */
export const Level = z.union([z.literal(0), z.literal(1), z.literal(2), z.literal(3)]);
export type Level = z.infer<typeof Level>;

export const SimInput = z.strictObject({
  task: z.literal('simulate'),
  runs: z.array(SimRun),
  levels: z.array(Level),
  /** Report a throwing run as an error entry instead of failing the task (the status-only public trace). */
  keepGoing: z.boolean(),
});
export type SimInput = z.infer<typeof SimInput>;

export const AutoscalerRun = z.strictObject({
  label: z.string(),
  level: Level,
  tuneInterval: z.number(),
  /** [callIndex, delta] for every tune() call that returned a non-zero delta. */
  deltas: z.array(z.tuple([int.nonnegative(), int])),
  /** INFERLINE_CONFIG as the student's module exported it (level 0 only). */
  config: z.record(z.string(), z.unknown()).optional(),
  /**
   * The run as the child measured it (the status-only public trace, 0 points: shown to the student, never
   * scored, so not replayed in the grader). P90 null: no request finished.
   */
  observed: RunRecord.optional(),
});
export type AutoscalerRun = z.infer<typeof AutoscalerRun>;

export const SimOutput = z.strictObject({
  runs: z.array(AutoscalerRun),
  errors: z.array(z.strictObject({ label: z.string(), level: Level, error: z.string() })),
});
export type SimOutput = z.infer<typeof SimOutput>;
