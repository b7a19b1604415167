/**
 * The messages between the grader (parent) and the routing harness (child). Everything crossing the
 * boundary is plain data; the parent validates the child's replies with these schemas.
 */
import { z } from 'zod';

/** Requests as parallel arrays (compact over IPC). */
export const WireRequests = z.strictObject({
  arrivedAt: z.array(z.number()),
  numPrefillTokens: z.array(z.number().int().positive()),
  numDecodeTokens: z.array(z.number().int().positive()),
});
export type WireRequests = z.infer<typeof WireRequests>;

/** A replica as a unit case presents it to the router. */
export const UnitReplica = z.strictObject({
  replicaId: z.number().int(),
  numWaiting: z.number().int(),
  numRunning: z.number().int(),
  numFreeBlocks: z.number().int(),
  numBlocks: z.number().int(),
});

export const UnitCase = z.strictObject({
  name: z.string(),
  replicas: z.array(UnitReplica),
  marked: z.array(z.number().int()),
  /** Prefill lengths of the requests, all arriving at time 0 (decode length 1000, never to be read). */
  prefills: z.array(z.number().int().positive()),
  seed: z.number().int(),
});
export type UnitCase = z.infer<typeof UnitCase>;

/** Replicas to add (+n) or remove (−n) at given times: exercises marked replicas and non-contiguous ids. */
export const ScalingStep = z.strictObject({ time: z.number().nonnegative(), delta: z.number().int() });
export type ScalingStep = z.infer<typeof ScalingStep>;

export const SimulationRun = z.strictObject({
  label: z.string(),
  replicas: z.number().int().positive(),
  requests: WireRequests,
  scaling: z.array(ScalingStep),
});
export type SimulationRun = z.infer<typeof SimulationRun>;

/**
 * Simulation items run the engine in the parent (engine-host.ts) and ask the child one question per
 * router call. The child sees what a router may see and nothing else: per call the new arrivals
 * (id, arrival time, prefill length, client, tier; never the decode length), the replicas' views and
 * the marked replicas. Hidden workloads, decode lengths and the scoring stay in the parent.
 */
export const RouterOpen = z.strictObject({
  task: z.literal('open'),
  run: z.number().int().nonnegative(),
  seed: z.number().int(),
});
export type RouterOpen = z.infer<typeof RouterOpen>;

/** [id, arrivedAt, numPrefillTokens, clientId, tier (null: none)] */
export const WireArrival = z.tuple([
  z.number().int(),
  z.number(),
  z.number().int().positive(),
  z.number().int(),
  z.number().int().nullable(),
]);
/** [replicaId, numWaiting, numRunning, numOutstanding, kv.numBlocks, kv.numFreeBlocks] */
export const WireReplica = z.tuple([
  z.number().int(),
  z.number().int(),
  z.number().int(),
  z.number().int(),
  z.number().int(),
  z.number().int(),
]);

export const RouterCall = z.strictObject({
  task: z.literal('call'),
  run: z.number().int().nonnegative(),
  op: z.enum(['schedule', 'mark']),
  now: z.number(),
  arrivals: z.array(WireArrival),
  replicas: z.array(WireReplica),
  /** The engine's marked replicas now (it drops marks when it frees a replica). */
  marked: z.array(z.number().int()),
  /** Replicas freed since the last call: the router's onReplicaRemoved runs for each. */
  removed: z.array(z.number().int()),
});
export type RouterCall = z.infer<typeof RouterCall>;

export const RoutingInput = z.discriminatedUnion('task', [
  z.strictObject({ task: z.literal('units'), cases: z.array(UnitCase) }),
  RouterOpen,
  RouterCall,
]);
export type RoutingInput = z.infer<typeof RoutingInput>;

export const UnitCaseResult = z.strictObject({
  name: z.string(),
  /** [requestIndex, replicaId] pairs in the order schedule() returned them (null: not a number, e.g. NaN). */
  assignments: z.array(z.tuple([z.number().nullable(), z.number().nullable()])),
  decodeTokenReads: z.number().int().nonnegative(),
  error: z.string().optional(),
});
export type UnitCaseResult = z.infer<typeof UnitCaseResult>;

export const RouterOpened = z.strictObject({ task: z.literal('open'), readsKvState: z.boolean() });
export type RouterOpened = z.infer<typeof RouterOpened>;

export const RouterAnswer = z.strictObject({
  task: z.literal('call'),
  /** schedule: [requestId, replicaId] pairs in the order returned (null: not a number). */
  assignments: z.array(z.tuple([z.number().nullable(), z.number().nullable()])),
  /** mark: markReplicaToFree()'s answer. */
  mark: z.number().nullable(),
  /** The router's marked replicas after the call. */
  marked: z.array(z.number()),
  numQueued: z.number().int().nonnegative(),
  /** Reads of numDecodeTokens in this run so far (each one threw). */
  decodeTokenReads: z.number().int().nonnegative(),
});
export type RouterAnswer = z.infer<typeof RouterAnswer>;

export const RoutingOutput = z.discriminatedUnion('task', [
  z.strictObject({ task: z.literal('units'), cases: z.array(UnitCaseResult) }),
  RouterOpened,
  RouterAnswer,
]);
export type RoutingOutput = z.infer<typeof RoutingOutput>;
