/**
 * The messages between the grader (parent) and the deadline harness (child); the parent validates
 * every reply with these schemas.
 *
 * - `units`: the probes of one unit item (probes.ts) on the student's module.
 * - `capacity`: the capacity search with the student's scheduler on each workload; the child reports
 *   every probe's violation rate and the batch log of the two probes the capacity is interpolated
 *   from, which the parent replays in its own engine.
 * - `overload`: single runs at a fixed rate; the child reports their batch logs.
 */
import { z } from 'zod';
import { UNIT_ITEMS } from './probes.js';

const numbers = z.array(z.number());
export const Workload = z.strictObject({
  lengths: z.enum(['conv', 'code']),
  arrivedAt: numbers,
  numPrefillTokens: numbers,
  numDecodeTokens: numbers,
  tier: numbers,
});

export const DeadlineInput = z.discriminatedUnion('task', [
  z.strictObject({
    task: z.literal('units'),
    item: z.enum(UNIT_ITEMS),
    seed: z.number().int(),
    publicOnly: z.boolean(),
    only: z.number().int().nonnegative().optional(),
  }),
  z.strictObject({ task: z.literal('capacity'), workloads: z.array(Workload) }),
  z.strictObject({
    task: z.literal('overload'),
    runs: z.array(
      z.strictObject({ workload: Workload, qps: z.number().positive(), batchSizeCap: z.number().int().positive() }),
    ),
  }),
]);
export type DeadlineInput = z.infer<typeof DeadlineInput>;

const ProbeResult = z.strictObject({ name: z.string(), value: z.unknown().optional(), error: z.string().optional() });
const CapacityProbe = z.strictObject({ qps: z.number(), maxRate: z.number(), perTier: z.array(z.number()).max(16) });
/** A run's getNextBatch calls, flat (grader/kit/batch-log.ts). */
const RunLog = z.strictObject({ qps: z.number(), log: z.array(z.number()) });

export const DeadlineOutput = z.discriminatedUnion('task', [
  z.strictObject({ task: z.literal('units'), results: z.array(ProbeResult) }),
  z.strictObject({
    task: z.literal('capacity'),
    searches: z.array(
      z.strictObject({
        probes: z.array(CapacityProbe),
        logs: z.array(RunLog),
        error: z.string().optional(),
      }),
    ),
  }),
  z.strictObject({
    task: z.literal('overload'),
    runs: z.array(z.strictObject({ log: z.array(z.number()), error: z.string().optional() })),
  }),
]);
export type DeadlineOutput = z.infer<typeof DeadlineOutput>;
