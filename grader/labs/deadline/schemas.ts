/**
 * The deadline lab's own messages between the grader (parent) and driver.ts (child), beside the kit's unit-item
 * wire (grader/kit/unit-wire.ts); the parent validates every reply with these.
 * - `capacity`: the capacity search with the student's scheduler on each workload: every probe's violation rates,
 *   and the batch logs of the two probes the capacity is interpolated from, which the parent replays.
 * - `overload`: single runs at a fixed rate; the child reports their batch logs (grader/kit/batch-log.ts).
 */
import { z } from 'zod';
import { WireRequests } from '../../kit/wire.js';

/** A workload's requests at rate 1 with their tiers (the child may see decode lengths: the engine's replica does). */
export const Workload = WireRequests.extend({
  lengths: z.enum(['conv', 'code']),
  tier: z.array(z.number().int().min(0)),
});
export type Workload = z.infer<typeof Workload>;
export type WorkloadLengths = Workload['lengths'];

export const CapacityInput = z.strictObject({ task: z.literal('capacity'), workloads: z.array(Workload) });
export type CapacityInput = z.infer<typeof CapacityInput>;
const Run = z.strictObject({
  workload: Workload,
  qps: z.number().positive(),
  batchSizeCap: z.number().int().positive(),
});
export const OverloadInput = z.strictObject({ task: z.literal('overload'), runs: z.array(Run) });
export type OverloadInput = z.infer<typeof OverloadInput>;

/** A capacity probe with each tier's violation rate (index = tier). */
export const TierProbe = z.strictObject({ qps: z.number(), maxRate: z.number(), perTier: z.array(z.number()).max(16) });
export type TierProbe = z.infer<typeof TierProbe>;

/** A capacity search's result (sim/analysis/capacity.ts). */
export const CapacityTrace = z.strictObject({ capacity: z.number(), status: z.string(), probes: z.array(TierProbe) });
export type CapacityTrace = z.infer<typeof CapacityTrace>;

const [Log, error] = [z.array(z.number()), z.string().optional()];
const Search = z.strictObject({
  probes: z.array(TierProbe),
  logs: z.array(z.strictObject({ qps: z.number(), log: Log })),
  error,
});
export const CapacityOutput = z.strictObject({ searches: z.array(Search) });
export type CapacityOutput = z.infer<typeof CapacityOutput>;
export const OverloadOutput = z.strictObject({ runs: z.array(z.strictObject({ log: Log, error })) });
export type OverloadOutput = z.infer<typeof OverloadOutput>;
