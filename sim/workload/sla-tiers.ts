/**
 * SLA tiers for deadline-aware scheduling (Niyama): tier 0 is interactive (TTFT deadline), tiers 1…
 * are batch (last-token deadlines). A trace may carry a `tier` column; requests without one get a
 * tier drawn from `weights` with a seeded stream of its own, so adding tiers never reshuffles the
 * arrivals or lengths of a workload.
 */
import { z } from 'zod';
import type { Request } from '../entities/request.js';
import { numberListField } from './multi-client.js';
import type { Rng } from './rng.js';

/** Relative weight of each tier, index = tier (e.g. "1,1,1": uniform over three tiers). */
export const TierMixField = numberListField(z.number().nonnegative()).refine(
  (w) => w.some((x) => x > 0),
  'at least one tier weight must be positive',
);

/** Requests with a tier drawn from `weights` for each one that has none (requests that have one keep it). */
export function assignTiers(requests: readonly Request[], weights: readonly number[], rng: Rng): Request[] {
  const total = weights.reduce((s, w) => s + w, 0);
  return requests.map((r) => {
    const u = rng.next() * total; // drawn for every request, so tiers do not depend on which rows had one
    if (r.tier !== undefined) return r;
    let tier = 0;
    let acc = weights[0]!;
    while (u >= acc && tier < weights.length - 1) acc += weights[++tier]!;
    return r.resubmitted({ tier });
  });
}
