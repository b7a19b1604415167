/**
 * Unequal replicas: real fleets mix GPU types and parallelism, and that is where a router's choice
 * matters most. `--replica-mix a100,a100,h100,a100-40gb/tp2` gives replica id i the entry i mod n
 * (replicas an autoscaler adds too, since ids are never reused), each with its own KV memory plan,
 * execution-time model and price.
 */
import { z } from 'zod';
import { DeviceName } from '../catalog/devices.js';

export const ReplicaKindSpec = z.strictObject({
  device: DeviceName,
  tp: z.number().int().positive().default(1),
});
export type ReplicaKindSpec = z.infer<typeof ReplicaKindSpec>;

/** "a100/tp2" → { device: 'a100', tp: 2 }; anything else is left for zod to reject with its message. */
function parseEntry(text: string): unknown {
  const m = /^\s*([\w.-]+)\s*(?:\/\s*tp\s*(\d+)\s*)?$/.exec(text);
  if (m === null) return text;
  return { device: m[1], tp: m[2] === undefined ? 1 : Number(m[2]) };
}

/** A comma-separated list on the command line, an array in a JSON config. */
export const ReplicaMixField = z.preprocess(
  (v) => (typeof v === 'string' ? v.split(',').map(parseEntry) : v),
  z.array(ReplicaKindSpec).min(1),
);

/** "a100/tp2" (tp shown only when above 1). */
export function replicaKindLabel(spec: ReplicaKindSpec): string {
  return spec.tp === 1 ? spec.device : `${spec.device}/tp${spec.tp}`;
}
