/**
 * The routing lab's wire data: the runs the parent prepares, the per-call messages between the engine
 * (engine-host.ts, in the grader) and the student's router (driver.ts, in the child), and what the
 * engine hands back to be scored. The child sees what a router may see and nothing else: per call the
 * new arrivals (never a decode length), the replicas' views and the marked replicas.
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

/** Starts a student router for run `run` (the engine's seed gives it the engine's own random stream). */
export interface RouterOpen {
  readonly task: 'open';
  readonly run: number;
  readonly seed: number;
}

/** One router call. Built by the grader's engine only: the child takes it as trusted input, unparsed. */
export interface RouterCall {
  readonly task: 'call';
  readonly run: number;
  readonly op: 'schedule' | 'mark';
  readonly now: number;
  /** [id, arrivedAt, numPrefillTokens, clientId, tier (null: none)] */
  readonly arrivals: readonly (readonly [number, number, number, number, number | null])[];
  /** [replicaId, numWaiting, numRunning, numOutstanding, kv.numBlocks, kv.numFreeBlocks] */
  readonly replicas: readonly (readonly [number, number, number, number, number, number])[];
  /** The engine's marked replicas now (it drops marks when it frees a replica). */
  readonly marked: readonly number[];
  /** Replicas freed since the last call: the router's onReplicaRemoved runs for each. */
  readonly removed: readonly number[];
}

export const RouterOpened = z.strictObject({ task: z.literal('open'), readsKvState: z.boolean() });
export type RouterOpened = z.infer<typeof RouterOpened>;

/** [requestId, replicaId] pairs in the order returned (null: not a number, e.g. NaN). */
export const Assignments = z.array(z.tuple([z.number().nullable(), z.number().nullable()]));

export const RouterAnswer = z.strictObject({
  task: z.literal('call'),
  assignments: Assignments,
  /** markReplicaToFree()'s answer (op 'mark'). */
  mark: z.number().nullable(),
  /** The router's marked replicas after the call. */
  marked: z.array(z.number()),
  numQueued: z.number().int().nonnegative(),
  /** Reads of numDecodeTokens in this run so far (each one threw). */
  decodeTokenReads: z.number().int().nonnegative(),
});
export type RouterAnswer = z.infer<typeof RouterAnswer>;

/** What `drive` returns (engine-host.ts's HostResult): the simulation items' output schema. */
export const HostOutput: z.ZodType<HostResult> = z.strictObject({
  runs: z.array(
    z.strictObject({
      label: z.string(),
      problems: z.array(z.string()),
      e2e: z.number().nullable(),
      requestsPerReplica: z.record(z.string(), z.number()),
      e2es: z.array(z.number()),
      timeline: FrozenRun.optional(),
    }),
  ),
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
