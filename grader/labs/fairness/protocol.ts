/**
 * The messages between the grader (parent) and the fairness harness (child). Everything crossing the
 * boundary is plain data; the parent validates the child's replies with these schemas.
 *
 * Two tasks:
 * - `units`: small hand-built situations (a scheduler with given counters, queues and KV cache) and
 *   the calls to make on them; the child reports what the student's code returned and the state it
 *   left (counters, queues, the batch). Expected values stay in the parent (cases.ts).
 * - `simulate`: whole multi-client runs with the student's scheduler; the child reports every batch
 *   the scheduler formed, and the parent replays them in its own engine (replay.ts) to measure.
 */
import { z } from 'zod';

const count = z.number().int().nonnegative();

/** Which student class a situation or run uses. */
export const SchedulerKind = z.enum(['vtc', 'vtc-sarathi']);
export type SchedulerKind = z.infer<typeof SchedulerKind>;

export const SituationRequest = z.strictObject({
  id: count,
  client: count,
  arrivedAt: z.number().nonnegative(),
  prefill: z.number().int().positive(),
  decode: z.number().int().positive(),
  /** `waiting`: in `waiting` (listed order); `running`: holding KV blocks in `running`. */
  at: z.enum(['waiting', 'running']),
  /** Tokens processed before the situation: prompt tokens first (a running request below `prefill` is a partial prefill), then one per output token. */
  processed: count.default(0),
  /** Preempted by recompute after processing `processed` tokens (waiting requests only). */
  restarted: z.boolean().default(false),
});
export type SituationRequest = z.input<typeof SituationRequest>;

export const Situation = z.strictObject({
  scheduler: SchedulerKind,
  numBlocks: z.number().int().positive(),
  watermarkFraction: z.number().min(0).max(1).default(0),
  batchSizeCap: z.number().int().positive().default(128),
  maxTokensInBatch: z.number().int().positive().default(4096),
  chunkSize: z.number().int().positive().default(512),
  clientWeights: z.array(z.number().positive()).default([]),
  /** Initial virtual counters, [client, value]. */
  counters: z.array(z.tuple([count, z.number()])).default([]),
  lastClientScheduled: count.nullable().default(null),
  requests: z.array(SituationRequest),
});
export type Situation = z.input<typeof Situation>;

export const UnitAction = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('cost-prefill'), tokens: count }),
  z.strictObject({ kind: z.literal('cost-decode') }),
  z.strictObject({ kind: z.literal('cost-request'), prefill: count, decode: count }),
  /** A new request arrives: `addRequest` (which calls `updateCounterOnArrival` first). */
  z.strictObject({
    kind: z.literal('arrive'),
    request: SituationRequest.omit({ at: true, processed: true, restarted: true }),
  }),
  /** The batch ends: its requests advance by their tokens, then `onBatchEnd` (which calls `updateCounterOnBatchCompletion` first). */
  z.strictObject({ kind: z.literal('batch-end'), batch: z.array(z.tuple([count, z.number().int().positive()])) }),
  /** `selectNextRequest()`; for VTC-Sarathi with the given running prefills (request ids, in this order). */
  z.strictObject({ kind: z.literal('select'), runningPrefills: z.array(count).default([]) }),
  /** `schedule(now)`, which calls `getNextBatch`. */
  z.strictObject({ kind: z.literal('schedule'), now: z.number().nonnegative().default(10) }),
]);
export type UnitAction = z.input<typeof UnitAction>;

export const UnitCase = z.strictObject({
  name: z.string(),
  situation: Situation.nullable(),
  actions: z.array(UnitAction).min(1),
});
export type UnitCase = z.input<typeof UnitCase>;

/** What one call returned. */
export const ActionResult = z.union([
  z.strictObject({ kind: z.literal('number'), value: z.number().nullable() }),
  z.strictObject({ kind: z.literal('none') }),
  z.strictObject({
    kind: z.literal('selection'),
    id: z.number().nullable(),
    index: z.number().nullable(),
    isRunningPrefill: z.boolean().nullable(),
  }),
  /** The batch as [request id, tokens] pairs in batch order (null: no batch). */
  z.strictObject({
    kind: z.literal('batch'),
    batch: z.array(z.tuple([z.number().nullable(), z.number().nullable()])).nullable(),
  }),
]);
export type ActionResult = z.infer<typeof ActionResult>;

/** The scheduler's state after a call. */
export const StateSnapshot = z.strictObject({
  /** virtualCounters as [client, value] pairs, ascending client (null values: not a number). */
  counters: z.array(z.tuple([z.number(), z.number().nullable()])),
  lastClientScheduled: z.number().nullable(),
  /** Request ids in `waiting` and `running`, in order. */
  waiting: z.array(z.number()),
  running: z.array(z.number()),
  /** KV blocks held per request id that holds any, ascending id. */
  blocks: z.array(z.tuple([z.number(), z.number()])),
  /** Recompute preemptions per request id (only those with any). */
  restarts: z.array(z.tuple([z.number(), z.number()])),
});
export type StateSnapshot = z.infer<typeof StateSnapshot>;

export const ActionObservation = z.strictObject({
  result: ActionResult,
  state: StateSnapshot.nullable(),
});
export type ActionObservation = z.infer<typeof ActionObservation>;

export const UnitCaseResult = z.strictObject({
  name: z.string(),
  /** One per action performed (actions after an error are not performed). */
  observations: z.array(ActionObservation),
  /** The first error thrown, as "Name: message" (plus where, if known). */
  error: z.string().optional(),
});
export type UnitCaseResult = z.infer<typeof UnitCaseResult>;

/** A run's requests as parallel arrays (compact over IPC); ids are the positions. */
export const WireRequests = z.strictObject({
  arrivedAt: z.array(z.number().nonnegative()),
  clientId: z.array(count),
  numPrefillTokens: z.array(z.number().int().positive()),
  numDecodeTokens: z.array(z.number().int().positive()),
});
export type WireRequests = z.infer<typeof WireRequests>;

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

export const FairnessInput = z.discriminatedUnion('task', [
  z.strictObject({ task: z.literal('units'), cases: z.array(UnitCase) }),
  z.strictObject({ task: z.literal('simulate'), runs: z.array(ScenarioRun) }),
]);
export type FairnessInput = z.input<typeof FairnessInput>;

export const ScenarioResultWire = z.strictObject({
  key: z.string(),
  /**
   * Every `getNextBatch` call in order, flattened: time, number of requests preempted during the
   * call, their ids, number of batch entries, then per entry `id` (one token) or `-(id + 1), tokens`.
   */
  log: z.array(z.number()),
  calls: count,
});
export type ScenarioResultWire = z.infer<typeof ScenarioResultWire>;

export const FairnessOutput = z.discriminatedUnion('task', [
  z.strictObject({ task: z.literal('units'), cases: z.array(UnitCaseResult) }),
  z.strictObject({ task: z.literal('simulate'), runs: z.array(ScenarioResultWire) }),
]);
export type FairnessOutput = z.infer<typeof FairnessOutput>;
