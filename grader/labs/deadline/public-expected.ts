/**
 * The reference's values for the deadline lab's public probes, as data: `dist:student` writes them
 * into the handout (labs/deadline/public-expected.json) so `npm run check` scores the public cases
 * without the reference. Public probes are fixed situations that use no seed, so the file is the same
 * for every hidden seed.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { importReference } from '../../core/reference.js';
import { runProbes, UNIT_ITEMS, type DeadlineModule, type ProbeResult, type UnitItemId } from './probes.js';

export const PUBLIC_EXPECTED_FILE = 'labs/deadline/public-expected.json';

const Shipped = z.record(
  z.enum(UNIT_ITEMS),
  z.array(z.strictObject({ name: z.string(), value: z.unknown().optional(), error: z.string().optional() })),
);

/** The shipped values, or undefined in a checkout without the file (the instructor's, which has the reference). */
export function readPublicExpected(repoRoot: string): Record<UnitItemId, ProbeResult[]> | undefined {
  const file = join(repoRoot, PUBLIC_EXPECTED_FILE);
  if (!existsSync(file)) return undefined;
  const parsed = Shipped.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success)
    throw new Error(
      `${PUBLIC_EXPECTED_FILE} is damaged (${parsed.error.issues[0]?.message}); get a fresh copy of the handout`,
    );
  const missing = UNIT_ITEMS.filter((i) => parsed.data[i] === undefined);
  if (missing.length > 0)
    throw new Error(`${PUBLIC_EXPECTED_FILE} has no values for ${missing.join(', ')}; get a fresh copy of the handout`);
  return parsed.data as Record<UnitItemId, ProbeResult[]>;
}

/** The file's text, computed from the reference (instructor checkout only). */
export async function buildPublicExpected(repoRoot: string): Promise<string> {
  const ref = await importReference<DeadlineModule>(repoRoot, 'reference/deadline', 'deadline-scheduler.ts');
  const out: Record<string, ProbeResult[]> = {};
  for (const item of UNIT_ITEMS) {
    const values = runProbes(ref, item, 0, true);
    const failed = values.find((v) => v.error !== undefined);
    if (failed !== undefined) throw new Error(`the reference fails public probe "${failed.name}": ${failed.error}`);
    out[item] = values;
  }
  return `${JSON.stringify(out, null, 1)}\n`;
}
