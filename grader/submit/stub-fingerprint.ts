/**
 * Fingerprints of the starter stubs as shipped, so ./submit.sh can warn about an untouched stub without
 * git (a handout is no repository, and a student's own repository has their work committed at HEAD).
 * `dist:student` writes labs/<lab>/starter-fingerprints.json; the fingerprint ignores line endings, so a
 * checkout that turned LF into CRLF still matches.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

export const StubFingerprints = z.strictObject({
  lab: z.string(),
  /** File (relative to the lab's studentDir) → `sha256:<hex>` of the shipped stub. */
  files: z.record(z.string(), z.string().regex(/^sha256:[0-9a-f]{64}$/)),
});
export type StubFingerprints = z.infer<typeof StubFingerprints>;

export const stubFingerprintsFile = (lab: string): string => `labs/${lab}/starter-fingerprints.json`;

export function fingerprint(bytes: Buffer | string): string {
  const text = (typeof bytes === 'string' ? bytes : bytes.toString('utf8')).replace(/\r\n?/g, '\n');
  return `sha256:${createHash('sha256').update(text, 'utf8').digest('hex')}`;
}

/** The file's text for a lab whose stubs are `files` (name → bytes). */
export function stubFingerprintsText(lab: string, files: ReadonlyMap<string, Buffer | string>): string {
  const out: StubFingerprints = {
    lab,
    files: Object.fromEntries(
      [...files].sort(([a], [b]) => (a < b ? -1 : 1)).map(([name, bytes]) => [name, fingerprint(bytes)]),
    ),
  };
  return `${JSON.stringify(out, null, 2)}\n`;
}

/** The shipped fingerprints, or why there are none (then the check is skipped with a note). */
export function readStubFingerprints(repoRoot: string, lab: string): StubFingerprints | string {
  const file = join(repoRoot, stubFingerprintsFile(lab));
  if (!existsSync(file))
    return `${stubFingerprintsFile(lab)} is not here (npm run dist:student puts it in the handout)`;
  try {
    return StubFingerprints.parse(JSON.parse(readFileSync(file, 'utf8')));
  } catch (err) {
    return `${stubFingerprintsFile(lab)} is unreadable (${(err as Error).message.split('\n')[0]})`;
  }
}
