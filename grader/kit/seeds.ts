/**
 * Seeds for hidden variants and hidden workloads. Every item draws from its own labelled stream of the
 * hidden seed, so adding an item never shifts another item's workloads, and a regrade with the same
 * seed draws the same numbers.
 */
import { Rng } from '../../sim/workload/rng.js';

/** `count` seeds from the stream `label` of `seed` (a positive 31-bit integer each, as configs take). */
export function derivedSeeds(seed: number, label: string, count: number): number[] {
  const rng = new Rng(seed).fork(label);
  return Array.from({ length: count }, () => rng.int(1, 2 ** 31 - 1));
}

/** One seed from the stream `label` of `seed`. */
export function derivedSeed(seed: number, label: string): number {
  return derivedSeeds(seed, label, 1)[0]!;
}
