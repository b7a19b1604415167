/**
 * `npm run grade -- <submission.zip|dir> --lab <lab> [--out DIR] [--seed N] [--name NAME]`
 * Grades one submission and writes results.json, report.md and report.html to --out
 * (default reports/<lab>/<submission name>/).
 */
import { basename, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { InputError } from '../../sim/errors.js';
import { gradeSubmission } from '../core/grade.js';
import { LAB_NAMES } from '../labs/index.js';
import { intFlag, parseCli } from './args.js';
import { itemLine, summaryLine } from './print.js';

export const GRADE_USAGE = `Usage: npm run grade -- <submission.zip|dir> --lab <${LAB_NAMES.join('|')}> [--out DIR] [--seed N] [--name NAME]

  --lab    which lab the submission is for
  --out    output folder for results.json, report.md, report.html (default reports/<lab>/<name>/)
  --seed   hidden seed (default: $SERVELAB_HIDDEN_SEED, else the lab's embedded default)
  --name   submission name shown in the report (default: the file or folder name)`;

export function submissionName(path: string): string {
  return basename(path).replace(/\.zip$/i, '');
}

export async function main(argv: readonly string[]): Promise<number> {
  // Ctrl-C must take the sandboxed children with it: exiting runs the sandbox's cleanup.
  process.once('SIGINT', () => process.exit(130));
  try {
    const { positionals, flags } = parseCli(argv, ['lab', 'out', 'seed', 'name'], ['help']);
    if (flags.has('help')) {
      console.log(GRADE_USAGE);
      return 0;
    }
    const lab = flags.get('lab');
    if (positionals.length !== 1 || typeof lab !== 'string') throw new InputError(`expected one submission and --lab\n\n${GRADE_USAGE}`);
    const submission = resolve(positionals[0]!);
    const name = (flags.get('name') as string | undefined) ?? submissionName(submission);
    const outDir = resolve((flags.get('out') as string | undefined) ?? `reports/${lab}/${name}`);
    console.log(`grading ${submission} for lab ${lab}`);
    const result = await gradeSubmission({
      lab,
      submission,
      submissionName: name,
      hiddenSeed: intFlag(flags, 'seed'),
      outDir,
      onItem: (item) => console.log(itemLine(item)),
    });
    if (result.items.length === 0) for (const n of result.notices) console.log(n);
    console.log(summaryLine(result));
    console.log(`wrote ${outDir}/{results.json,report.md,report.html}`);
    return 0;
  } catch (err) {
    if (err instanceof InputError) {
      console.error(`error: ${err.message}`);
      return 2;
    }
    throw err;
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) process.exitCode = await main(process.argv.slice(2));
