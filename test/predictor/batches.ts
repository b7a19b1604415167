/** Batch builders and paths shared by the predictor tests. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { BatchShape } from '../../sim/predictor/execution-time-model.js';
import { Rng } from '../../sim/workload/rng.js';
import { VIDUR_DATA } from '../helpers-shared.js';

/** ../shared/vidur-data/data/profiling; tests reading raw profiles skip when it is absent. */
export const PROFILES_DIR = join(VIDUR_DATA, 'data', 'profiling');
export const HAS_PROFILES = existsSync(join(PROFILES_DIR, 'compute'));

type Req = { numProcessedTokens: number; isPrefillComplete: boolean };

export function batch(parts: readonly (readonly [kv: number, decode: boolean, tokens: number])[]): BatchShape {
  return {
    requests: parts.map(([kv, decode]): Req => ({ numProcessedTokens: kv, isPrefillComplete: decode })),
    numTokens: parts.map(([, , t]) => t),
  };
}

export const prefill = (tokens: number, kv = 0): BatchShape => batch([[kv, false, tokens]]);
export const decode = (requests: number, kv: number): BatchShape =>
  batch(Array.from({ length: requests }, () => [kv, true, 1] as const));

/**
 * Batches like the vllm and sarathi schedulers form within the profiled range: up to 128 decodes
 * with KV < 4096, plus up to three prefill chunks (fresh or continued) within a 4096-token budget.
 */
export function randomBatches(count: number, seed: number): BatchShape[] {
  const rng = new Rng(seed);
  return Array.from({ length: count }, () => {
    const parts: [number, boolean, number][] = [];
    const decodes = rng.next() < 0.2 ? 0 : rng.int(1, 128);
    for (let i = 0; i < decodes; i++) parts.push([rng.int(1, 4000), true, 1]);
    let budget = 4096 - decodes;
    const prefills = parts.length === 0 ? rng.int(1, 3) : rng.int(0, 3);
    for (let i = 0; i < prefills && budget > 1; i++) {
      const chunk = rng.int(1, Math.min(budget, 2048));
      budget -= chunk;
      parts.push([rng.next() < 0.5 ? 0 : rng.int(0, 4096 - chunk), false, chunk]);
    }
    return batch(parts);
  });
}
