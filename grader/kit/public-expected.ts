/**
 * The reference's values for a lab's public probes, as data: `dist:student` writes them into the
 * handout (labs/<lab>/public-expected.json) so `npm run check` scores the public cases without the
 * reference. Public probes are fixed situations that use no seed, so the file is the same for every
 * hidden seed.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { Oracle } from './oracle.js';
import { ProbeResult, runProbes, selectProbes, type ProbeSet } from './probes.js';

export const publicExpectedFile = (lab: string): string => `labs/${lab}/public-expected.json`;

const Shipped = z.record(z.string(), z.array(ProbeResult));

/** The shipped values of `item`, or undefined in a checkout without the file (the instructor's, which has the reference). */
export function readPublicExpected(repoRoot: string, lab: string, item: string): ProbeResult[] | undefined {
  const rel = publicExpectedFile(lab);
  const file = join(repoRoot, rel);
  if (!existsSync(file)) return undefined;
  let parsed: ReturnType<typeof Shipped.safeParse>;
  try {
    parsed = Shipped.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  } catch (err) {
    throw new Error(`${rel} is not JSON (${(err as Error).message}); get a fresh copy of the handout`);
  }
  if (!parsed.success)
    throw new Error(`${rel} is damaged (${parsed.error.issues[0]?.message}); get a fresh copy of the handout`);
  const values = parsed.data[item];
  if (values === undefined) throw new Error(`${rel} has no values for ${item}; get a fresh copy of the handout`);
  return values;
}

/** The file's text, computed from the reference (instructor checkout only). */
export async function buildPublicExpected<M>(
  repoRoot: string,
  lab: string,
  oracle: Oracle<M>,
  sets: Readonly<Record<string, ProbeSet<M>>>,
): Promise<string> {
  const ref = await oracle.reference({ repoRoot });
  const out: Record<string, ProbeResult[]> = {};
  for (const [item, set] of Object.entries(sets)) {
    const values = runProbes(ref, selectProbes(set, 0, true), { studentDir: `reference/${lab}` });
    const failed = values.find((v) => v.error !== undefined);
    if (failed !== undefined) throw new Error(`the reference fails public probe "${failed.name}": ${failed.error}`);
    out[item] = values;
  }
  return `${JSON.stringify(out, null, 1)}\n`;
}
