/**
 * What a unit item sends the child and gets back: the probe set's name and seed, and one result per
 * probe. The same for every lab, so the child-side driver and the parent's scoring are written once.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { ProbeResult } from './probes.js';

export const UnitsInput = z.strictObject({
  task: z.literal('units'),
  item: z.string(),
  seed: z.number().int(),
  publicOnly: z.boolean(),
  /** Only probe number `only` (a rerun after a timeout). */
  only: z.number().int().nonnegative().optional(),
});
export type UnitsInput = z.infer<typeof UnitsInput>;

export const UnitsOutput = z.strictObject({ task: z.literal('units'), results: z.array(ProbeResult) });
export type UnitsOutput = z.infer<typeof UnitsOutput>;

/**
 * The seed a unit item's hidden variants are drawn from: a one-way hash of the hidden seed and the
 * item, so the child (which receives it) cannot work back to the hidden seed and from there to
 * another item's hidden workloads.
 */
export function probeSeed(hiddenSeed: number, item: string): number {
  const digest = createHash('sha256').update(`servelab-probes\0${hiddenSeed}\0${item}`).digest();
  return (digest.readUInt32BE(0) % (2 ** 31 - 1)) + 1;
}
