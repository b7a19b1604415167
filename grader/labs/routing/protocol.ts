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

export const RoutingInput = z.discriminatedUnion('task', [
  z.strictObject({ task: z.literal('units'), cases: z.array(UnitCase) }),
  z.strictObject({ task: z.literal('simulate'), runs: z.array(SimulationRun) }),
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

export const SimulationResultWire = z.strictObject({
  label: z.string(),
  /** Flat [time, requestId, replicaId, ...] triples in decision order. */
  decisions: z.array(z.number()),
  decodeTokenReads: z.number().int().nonnegative(),
  completed: z.number().int().nonnegative(),
  meanE2e: z.number().nullable(),
});
export type SimulationResultWire = z.infer<typeof SimulationResultWire>;

export const RoutingOutput = z.discriminatedUnion('task', [
  z.strictObject({ task: z.literal('units'), cases: z.array(UnitCaseResult) }),
  z.strictObject({ task: z.literal('simulate'), runs: z.array(SimulationResultWire) }),
]);
export type RoutingOutput = z.infer<typeof RoutingOutput>;
