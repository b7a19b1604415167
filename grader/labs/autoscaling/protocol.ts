/**
 * The messages between the grader (parent) and the autoscaling harness (child). Everything crossing the
 * boundary is plain data; the parent validates the child's replies with these schemas. Expected values
 * never cross: the child only runs what it is given and reports what the student's code did.
 */
import { z } from 'zod';

const int = z.number().int();
const nonNegativeInt = int.nonnegative();
/** A number the student's code returned; null when it was not a finite number (NaN, a string, …). */
const reported = z.number().nullable();

/** Requests as parallel arrays (compact over IPC). */
export const WireRequests = z.strictObject({
  arrivedAt: z.array(z.number()),
  numPrefillTokens: z.array(z.number().int().positive()),
  numDecodeTokens: z.array(z.number().int().positive()),
});
export type WireRequests = z.infer<typeof WireRequests>;

// ---- routers ------------------------------------------------------------------------------------

export const RouterReplica = z.strictObject({
  replicaId: nonNegativeInt,
  numWaiting: nonNegativeInt,
  numRunning: nonNegativeInt,
});
export type RouterReplica = z.infer<typeof RouterReplica>;

/**
 * One step of a router case: the cluster as it is now (replicas missing since the last step were freed:
 * the harness tells the router, as the engine does), replicas the engine marks, requests that arrive,
 * then one call.
 */
export const RouterStep = z.strictObject({
  replicas: z.array(RouterReplica),
  mark: z.array(nonNegativeInt),
  arrivals: nonNegativeInt,
  action: z.enum(['schedule', 'markVictim']),
});
export type RouterStep = z.infer<typeof RouterStep>;

export const RouterCase = z.strictObject({
  name: z.string(),
  router: z.enum(['round-robin', 'lor']),
  steps: z.array(RouterStep),
  seed: int,
});
export type RouterCase = z.infer<typeof RouterCase>;

export const RouterStepResult = z.strictObject({
  /** [requestId, replicaId] in the order schedule() returned them. */
  assignments: z.array(z.tuple([reported, reported])),
  /** markVictim: what markReplicaToFree() returned (undefined for schedule steps). */
  victim: reported.optional(),
  /** The router's replicasToFree after the call, ascending. */
  marked: z.array(z.number()),
});
export type RouterStepResult = z.infer<typeof RouterStepResult>;

export const RouterCaseResult = z.strictObject({
  name: z.string(),
  steps: z.array(RouterStepResult),
  /** The call that threw (its step is the one after the last result). */
  error: z.string().optional(),
});
export type RouterCaseResult = z.infer<typeof RouterCaseResult>;

// ---- envelope -----------------------------------------------------------------------------------

/** [0, time, prefill, decode] is an arrival, [1, time, windowSize, lookBackTime] a query. */
export const EnvelopeOp = z.tuple([z.union([z.literal(0), z.literal(1)]), z.number(), z.number(), z.number()]);
export type EnvelopeOp = z.infer<typeof EnvelopeOp>;

export const EnvelopeCase = z.strictObject({ name: z.string(), ops: z.array(EnvelopeOp) });
export type EnvelopeCase = z.infer<typeof EnvelopeCase>;

export const EnvelopeCaseResult = z.strictObject({
  name: z.string(),
  /** One value per query, in order (the results stop at an error). */
  values: z.array(reported),
  error: z.string().optional(),
});
export type EnvelopeCaseResult = z.infer<typeof EnvelopeCaseResult>;

// ---- throughput EMA -----------------------------------------------------------------------------

export const EmaBatch = z.strictObject({
  tokens: z.array(int.positive()),
  scheduledAt: z.number(),
  completedAt: z.number(),
});
export const EmaCase = z.strictObject({
  name: z.string(),
  alpha: z.number(),
  initial: z.number(),
  batches: z.array(EmaBatch),
});
export type EmaCase = z.infer<typeof EmaCase>;

export const EmaCaseResult = z.strictObject({
  name: z.string(),
  /** replicaTokenThroughput before any batch, then after each batch. */
  values: z.array(reported),
  error: z.string().optional(),
});
export type EmaCaseResult = z.infer<typeof EmaCaseResult>;

// ---- tune ---------------------------------------------------------------------------------------

export const TuneConfig = z.strictObject({
  minWindowSizeScaleUp: z.number(),
  lookBackTimeScaleUp: z.number(),
  minWindowSizeScaleDown: z.number(),
  lookBackTimeScaleDown: z.number(),
  stabilizationDelay: z.number(),
  initialReplicaTokenThroughput: z.number(),
  minReplicas: int,
  maxReplicas: int,
});
export type TuneConfig = z.infer<typeof TuneConfig>;

export const TuneCall = z.strictObject({
  time: z.number(),
  numReplicas: nonNegativeInt,
  pendingScaleUps: nonNegativeInt,
  pendingScaleDowns: nonNegativeInt,
  /** What the stand-in envelope answers for the scale-up and the scale-down (W, L) pair at this call. */
  upRate: z.number(),
  downRate: z.number(),
});
export type TuneCall = z.infer<typeof TuneCall>;

export const TuneCase = z.strictObject({ name: z.string(), config: TuneConfig, calls: z.array(TuneCall) });
export type TuneCase = z.infer<typeof TuneCase>;

export const TuneCaseResult = z.strictObject({
  name: z.string(),
  deltas: z.array(reported),
  /** Envelope queries the stand-in could not answer (wrong time or (W, L) pair), as messages. */
  envelopeProblems: z.array(z.string()),
  error: z.string().optional(),
});
export type TuneCaseResult = z.infer<typeof TuneCaseResult>;

// ---- efficiency ---------------------------------------------------------------------------------

export const ScalingInput = z.strictObject({
  /** Arrivals per run, ascending (doubling). */
  sizes: z.array(int.positive()),
  /** One query (of each pair) per this many arrivals. */
  arrivalsPerQuery: int.positive(),
  samples: int.positive(),
  /** Each sample repeats the run until it lasts at least this long, ms. */
  minSampleMs: z.number().positive(),
  /** A single run slower than this stops the measurement (ms). */
  maxRunMs: z.number().positive(),
  /** A second attempt is measured when the first one's slope (scaling.ts) lies in this band: above the pass mark but not clearly linear per query. */
  retryBand: z.tuple([z.number(), z.number()]),
  seed: int,
});
export type ScalingInput = z.infer<typeof ScalingInput>;

export const ScalingAttempt = z.strictObject({
  /** Per size, per sample: CPU ms per pass of the student's envelope and of the linear baseline, measured in interleaved pairs. */
  student: z.array(z.array(z.number().positive())),
  baseline: z.array(z.array(z.number().positive())),
  /** Set when a run exceeded maxRunMs at sizes[student.length]. */
  tooSlowMs: z.number().optional(),
});
export type ScalingAttempt = z.infer<typeof ScalingAttempt>;

// ---- simulations --------------------------------------------------------------------------------

export const SimRun = z.strictObject({
  label: z.string(),
  requests: WireRequests,
  /** Only for the report's timeline, never scored: if it fails, its result is left out and the scored runs stand. */
  timelineOnly: z.literal(true).optional(),
});
export type SimRun = z.infer<typeof SimRun>;

export const AutoscalerRunResult = z.strictObject({
  label: z.string(),
  /** 0 for the InferLine autoscaler; 1–3 for the custom autoscaler's service levels. */
  level: int,
  tuneInterval: z.number(),
  /** [callIndex, delta] for every tune() call that returned a non-zero delta. */
  deltas: z.array(z.tuple([nonNegativeInt, int])),
  numTuneCalls: nonNegativeInt,
  /** The child's own view (the parent scores its replay, not these). */
  p90: z.number().nullable(),
  costDollars: z.number(),
  /** INFERLINE_CONFIG as the student's module exported it (inferline runs only). */
  config: z.record(z.string(), z.unknown()).optional(),
});
export type AutoscalerRunResult = z.infer<typeof AutoscalerRunResult>;

export const AutoscalingInput = z.discriminatedUnion('task', [
  z.strictObject({ task: z.literal('routers'), cases: z.array(RouterCase) }),
  z.strictObject({ task: z.literal('envelope'), cases: z.array(EnvelopeCase) }),
  z.strictObject({ task: z.literal('ema'), cases: z.array(EmaCase) }),
  z.strictObject({ task: z.literal('tune'), cases: z.array(TuneCase) }),
  z.strictObject({ task: z.literal('scaling'), input: ScalingInput }),
  z.strictObject({ task: z.literal('inferline'), runs: z.array(SimRun) }),
  z.strictObject({
    task: z.literal('custom'),
    runs: z.array(SimRun),
    levels: z.array(z.union([z.literal(1), z.literal(2), z.literal(3)])),
  }),
  z.strictObject({ task: z.literal('public'), run: SimRun }),
]);
export type AutoscalingInput = z.infer<typeof AutoscalingInput>;

export const AutoscalingOutput = z.discriminatedUnion('task', [
  z.strictObject({ task: z.literal('routers'), cases: z.array(RouterCaseResult) }),
  z.strictObject({ task: z.literal('envelope'), cases: z.array(EnvelopeCaseResult) }),
  z.strictObject({ task: z.literal('ema'), cases: z.array(EmaCaseResult) }),
  z.strictObject({ task: z.literal('tune'), cases: z.array(TuneCaseResult) }),
  z.strictObject({ task: z.literal('scaling'), attempts: z.array(ScalingAttempt) }),
  z.strictObject({ task: z.literal('inferline'), runs: z.array(AutoscalerRunResult) }),
  z.strictObject({ task: z.literal('custom'), runs: z.array(AutoscalerRunResult) }),
  /** The shipped trace through InferLine (level 0) and the custom levels; a failing autoscaler is an error entry. */
  z.strictObject({
    task: z.literal('public'),
    runs: z.array(AutoscalerRunResult),
    errors: z.array(z.strictObject({ level: int, error: z.string() })),
  }),
]);
export type AutoscalingOutput = z.infer<typeof AutoscalingOutput>;
