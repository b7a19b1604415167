/**
 * `npm run dist:student -- <lab|all> [--out DIR]` and `npm run dist:gradescope -- <lab> [--out DIR]
 * [--seed N] [--late-penalty F --late-days N] [--no-precompute]`.
 */
import { resolve } from 'node:path';
import { InputError } from '../../sim/errors.js';
import { randomInt } from 'node:crypto';
import { buildGradescopeBundle } from '../dist/gradescope.js';
import { buildStudentDist, scanForHidden } from '../dist/student.js';
import { labManifest, labNames } from '../labs/catalogue.js';
import { intFlag, parseCli } from './args.js';
import { exitCodeOf, runAsCommand } from '../../sim/cli/entry.js';

/** A hidden seed nobody has seen: 31 bits from the OS's cryptographic generator. */
export function freshHiddenSeed(): number {
  return randomInt(1, 2 ** 31 - 1);
}

function envSeed(): number | undefined {
  const env = process.env.SERVELAB_HIDDEN_SEED;
  if (env === undefined || env.trim() === '') return undefined;
  const n = Number(env);
  if (!Number.isInteger(n)) throw new InputError(`SERVELAB_HIDDEN_SEED must be an integer, got "${env}"`);
  return n;
}

export async function main(argv: readonly string[]): Promise<number> {
  return exitCodeOf(async () => {
    const [kind, ...rest] = argv;
    const { positionals, flags } = parseCli(
      rest,
      ['out', 'seed', 'late-penalty', 'late-days'],
      ['no-lockfile', 'no-precompute'],
    );
    const target = positionals[0];
    if ((kind !== 'student' && kind !== 'gradescope') || target === undefined) {
      throw new InputError(
        `usage: npm run dist:student -- <${labNames().join('|')}|all> [--out DIR]\n       npm run dist:gradescope -- <lab> [--out DIR] [--seed N] [--late-penalty F --late-days N] [--no-precompute]`,
      );
    }
    if (kind === 'student') {
      const labs = target === 'all' ? labNames() : [target];
      const outDir = resolve((flags.get('out') as string | undefined) ?? `dist/student-${target}`);
      const dist = await buildStudentDist({ labs, outDir, lockfile: !flags.has('no-lockfile') });
      const problems = scanForHidden(dist.dir, labs);
      if (problems.length > 0) throw new Error(`the handout would leak hidden material:\n${problems.join('\n')}`);
      console.log(
        `wrote ${dist.dir}/ (${dist.files.length} files) and ${dist.zip}; scanned: no reference, mutant or hidden seed inside`,
      );
      return 0;
    }
    labManifest(target); // an unknown lab fails here with the list of labs
    const outDir = resolve((flags.get('out') as string | undefined) ?? `dist/gradescope-${target}/source`);
    const penalty = flags.get('late-penalty');
    const late =
      penalty !== undefined ? { penaltyPerDay: Number(penalty), maxDays: intFlag(flags, 'late-days') ?? 0 } : undefined;
    // Never the manifest's committed default: the repository (and its history) may be public.
    const given = intFlag(flags, 'seed') ?? envSeed();
    const hiddenSeed = given ?? freshHiddenSeed();
    const precompute = !flags.has('no-precompute');
    if (precompute) console.log("grading the reference once for this seed, to ship its and the baselines' results…");
    const { zip, precomputed } = await buildGradescopeBundle({
      lab: target,
      outDir,
      config: { lab: target, hiddenSeed, ...(late !== undefined ? { late } : {}) },
      precompute,
    });
    if (precomputed !== undefined)
      console.log(
        `precomputed: the reference scored ${precomputed.referenceScore}/${precomputed.maxScore}; ${precomputed.entries} cached results ship in the bundle`,
      );
    console.log(
      `wrote ${zip}${late !== undefined ? ` (late penalty ${late.penaltyPerDay}/day up to ${late.maxDays} days)` : ''}; upload it as the assignment's autograder`,
    );
    console.log(
      given !== undefined
        ? `hidden seed: ${hiddenSeed} (as given)`
        : `hidden seed: ${hiddenSeed} (fresh, from crypto randomness; printed only now: note it to regrade with npm run grade -- … --seed ${hiddenSeed})`,
    );
    return 0;
  });
}

await runAsCommand(import.meta.url, main);
