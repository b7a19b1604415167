/**
 * Requests as they cross a process or thread boundary: parallel arrays, compact and plain data. A
 * lab sends decode lengths only where its rules let the child see them (docs/sandbox.md says per lab
 * what the child receives).
 */
import { z } from 'zod';
import { Request } from '../../sim/entities/request.js';

export const WireRequests = z.strictObject({
  arrivedAt: z.array(z.number()),
  numPrefillTokens: z.array(z.number().int().positive()),
  numDecodeTokens: z.array(z.number().int().positive()),
  /** Per request; absent: every request is client 0. */
  clientId: z.array(z.number().int().nonnegative()).optional(),
  /** Per request; absent: no SLA tiers. */
  tier: z.array(z.number().int().nonnegative()).optional(),
});
export type WireRequests = z.infer<typeof WireRequests>;

/** Requests (ids 0..n-1 in order) as wire data. */
export function toWire(requests: readonly Request[], with_: { clientId?: boolean; tier?: boolean } = {}): WireRequests {
  return {
    arrivedAt: requests.map((r) => r.arrivedAt),
    numPrefillTokens: requests.map((r) => r.numPrefillTokens),
    numDecodeTokens: requests.map((r) => r.numDecodeTokens),
    ...(with_.clientId === true ? { clientId: requests.map((r) => r.clientId) } : {}),
    ...(with_.tier === true ? { tier: requests.map((r) => r.tier ?? 0) } : {}),
  };
}

/** Fresh engine requests from wire data; request i gets id i. */
export function fromWire(w: WireRequests): Request[] {
  const { clientId, tier } = w;
  // An absent clientId or tier and an undefined one build the same Request; spreading them in
  // conditionally made each init object a slow copy (a few % of an autoscaling sweep).
  return w.arrivedAt.map(
    (arrivedAt, id) =>
      new Request({
        id,
        arrivedAt,
        numPrefillTokens: w.numPrefillTokens[id]!,
        numDecodeTokens: w.numDecodeTokens[id]!,
        clientId: clientId?.[id],
        tier: tier?.[id],
      }),
  );
}
