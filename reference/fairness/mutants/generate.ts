/**
 * Writes every mutant of mutants.ts as a complete submission folder <out>/<name>/ (default out:
 * a fresh temporary folder), ready for `npm run grade -- <out>/<name> --lab fairness`.
 *
 *   npx tsx reference/fairness/mutants/generate.ts [--out DIR]
 *
 * The folders are not kept in the repository: the grader finds a submission's files by name anywhere
 * in the folder it is given, so copies under reference/fairness/ would make the reference ambiguous.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { FAIRNESS_FILES, MUTANTS, mutantFiles, type Mutant } from './mutants.js';

const here = dirname(fileURLToPath(import.meta.url));

/** Writes the mutants into `out` and returns their folders by name. */
export function writeMutants(out: string, mutants: readonly Mutant[] = MUTANTS): Map<string, string> {
  const reference = new Map(FAIRNESS_FILES.map((f) => [f, readFileSync(join(here, '..', f), 'utf8')]));
  const dirs = new Map<string, string>();
  for (const mutant of mutants) {
    const dir = join(out, mutant.name);
    mkdirSync(dir, { recursive: true });
    for (const [file, text] of mutantFiles(mutant, reference)) writeFileSync(join(dir, file), text);
    dirs.set(mutant.name, dir);
  }
  return dirs;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const at = process.argv.indexOf('--out');
  const out =
    at >= 0 && process.argv[at + 1] !== undefined
      ? resolve(process.argv[at + 1]!)
      : mkdtempSync(join(tmpdir(), 'fairness-mutants-'));
  for (const [name, dir] of writeMutants(out)) {
    const m = MUTANTS.find((x) => x.name === name)!;
    console.log(`${dir}  (${m.file}: ${m.description})`);
  }
  console.log(`\ngrade one: npm run grade -- ${join(out, MUTANTS[0]!.name)} --lab fairness`);
}
