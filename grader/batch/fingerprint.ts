/** A submission's fingerprint: what it contains plus how it is graded, so unchanged work is not regraded. */
import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      const st = lstatSync(p);
      if (st.isDirectory()) walk(p);
      else if (st.isFile()) out.push(p);
    }
  };
  walk(dir);
  return out;
}

export function submissionFingerprint(path: string, context: Record<string, unknown>): string {
  const hash = createHash('sha256');
  hash.update(JSON.stringify(context));
  if (lstatSync(path).isDirectory()) {
    for (const file of filesUnder(path)) {
      hash.update(`\0${relative(path, file)}\0`);
      hash.update(readFileSync(file));
    }
  } else {
    hash.update(readFileSync(path));
  }
  return hash.digest('hex');
}
