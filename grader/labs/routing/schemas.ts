/**
 * The routing lab's wire data: the simulated runs the parent prepares, the per-call messages between
 * the engine (engine-host.ts, in the grader) and the student's router (driver.ts, in the child), and
 * what the engine hands back to be scored. Everything crossing a boundary is plain data and parsed.
 */
import { z } from 'zod';
import { FrozenRun } from '../../kit/timelines.js';
import { WireRequests } from '../../kit/wire.js';
import type { HostResult } from './engine-host.js';

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
 * The engine asks the child one question per router call. The child sees what a router may see and
 * nothing else: per call the new arrivals (id, arrival time, prefill length, client, tier; never the
 * decode length), the replicas' views and the marked replicas. Hidden workloads, decode lengths and
 * the scoring stay in the parent.
 */
export const RouterOpen = z.strictObject({
  task: z.literal('open'),
  run: z.number().int().nonnegative(),
  seed: z.number().int(),
});
export type RouterOpen = z.infer<typeof RouterOpen>;

/** [id, arrivedAt, numPrefillTokens, clientId, tier (null: none)] */
const WireArrival = z.tuple([
  z.number().int(),
  z.number(),
  z.number().int().positive(),
  z.number().int(),
  z.number().int().nullable(),
]);
/** [replicaId, numWaiting, numRunning, numOutstanding, kv.numBlocks, kv.numFreeBlocks] */
const WireReplica = z.tuple([
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

export const RouterOpened = z.strictObject({ task: z.literal('open'), readsKvState: z.boolean() });
export type RouterOpened = z.infer<typeof RouterOpened>;

/** [requestId, replicaId] pairs in the order returned (null: not a number, e.g. NaN). */
export const Assignments = z.array(z.tuple([z.number().nullable(), z.number().nullable()]));

export const RouterAnswer = z.strictObject({
  task: z.literal('call'),
  assignments: Assignments,
  /** mark: markReplicaToFree()'s answer. */
  mark: z.number().nullable(),
  /** The router's marked replicas after the call. */
  marked: z.array(z.number()),
  numQueued: z.number().int().nonnegative(),
  /** Reads of numDecodeTokens in this run so far (each one threw). */
  decodeTokenReads: z.number().int().nonnegative(),
});
export type RouterAnswer = z.infer<typeof RouterAnswer>;

/** One simulated run of the student's router, measured by the grader's engine. */
const RunOutcome = z.strictObject({
  label: z.string(),
  problems: z.array(z.string()),
  e2e: z.number().nullable(),
  requestsPerReplica: z.record(z.string(), z.number()),
  e2es: z.array(z.number()),
  timeline: FrozenRun.optional(),
});

/** What `drive` returns (engine-host.ts's HostResult): the scenario items' output schema. */
export const HostOutput: z.ZodType<HostResult> = z.strictObject({
  runs: z.array(RunOutcome),
  invalid: z.string().optional(),
  ended: z.boolean().optional(),
});

/** An engine baseline's run, as the result cache keeps it. */
export const BaselineRun = z.strictObject({
  mean: z.number(),
  e2es: z.array(z.number()),
  perReplica: z.record(z.string(), z.number()),
});
export type BaselineRun = z.infer<typeof BaselineRun>;
