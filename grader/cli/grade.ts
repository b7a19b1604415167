/**
 * `npm run grade -- <submission.zip|dir> --lab <lab> [--out DIR] [--seed N] [--name NAME]`
 * Grades one submission and writes results.json, report.md and report.html to --out
 * (default reports/<lab>/<submission name>/).
 */
import { basename, resolve } from 'node:path';
import { InputError } from '../../sim/errors.js';
import { availableParallelism } from 'node:os';
import cliProgress from 'cli-progress';
import { gradeBatch, listSubmissions } from '../batch/batch-grade.js';
import { summaryMarkdown } from '../batch/gradebook.js';
import { gradeSubmission, resolveHiddenSeed } from '../core/grade.js';
import { labManifest, labNames, loadLab } from '../labs/catalogue.js';
import { REPORT_FORMATS, type ReportFormat } from '../report/exporters.js';
import { intFlag, parseCli } from './args.js';
import { itemLine, summaryLine } from './print.js';
import { exitCodeOf, runAsCommand } from '../../sim/cli/entry.js';

export const GRADE_USAGE = `Usage: npm run grade -- <submission.zip|dir> --lab <${labNames().join('|')}> [--out DIR] [--seed N] [--name NAME] [--format F,...] [--jobs N]
       npm run grade -- --batch <folder of submissions> --lab <lab> [--out DIR] [--jobs N] [--force] [--seed N] [--format F,...]

  --lab     which lab the submission is for
  --out     output folder (default reports/<lab>/<name>/; with --batch, reports/<lab>/batch/)
  --seed    hidden seed (default: $SERVELAB_HIDDEN_SEED, else the lab's embedded default)
  --name    submission name shown in the report (default: the file or folder name)
  --format  extra result formats besides Gradescope's results.json: prairielearn, junit (comma-separated)
  --batch   grade every .zip and folder in this folder, writing <out>/<name>/ for each plus grades.csv,
            summary.md and summary.json in <out>
  --jobs    one submission: its items' child runs at once (default: 2, or 1 on a one-core machine);
            --batch: submissions graded at once (default: the number of CPU cores), each running its
            items one at a time when more than one submission runs
  --force   regrade submissions whose files, seed and grader have not changed since the last run`;

function parseFormats(value: string | true | undefined): ReportFormat[] {
  if (value === undefined) return ['gradescope'];
  const list = String(value)
    .split(',')
    .map((f) => f.trim())
    .filter((f) => f !== '');
  for (const f of list)
    if (!(REPORT_FORMATS as readonly string[]).includes(f))
      throw new InputError(`unknown --format ${f}; formats: ${REPORT_FORMATS.join(', ')}`);
  return [...new Set(['gradescope', ...list])] as ReportFormat[];
}

async function runBatch(
  lab: string,
  dir: string,
  flags: Map<string, string | true>,
  formats: ReportFormat[],
): Promise<number> {
  const manifest = labManifest(lab);
  const hiddenSeed = resolveHiddenSeed(intFlag(flags, 'seed'), manifest.defaultHiddenSeed);
  const outDir = resolve((flags.get('out') as string | undefined) ?? `reports/${lab}/batch`);
  const jobs = intFlag(flags, 'jobs') ?? availableParallelism();
  if (jobs < 1) throw new InputError('--jobs must be at least 1');
  const submissions = listSubmissions(resolve(dir));
  console.log(
    `grading ${submissions.length} submissions in ${resolve(dir)} for lab ${lab}, ${jobs} at a time, hidden seed ${hiddenSeed}`,
  );
  const bar =
    process.stderr.isTTY && process.env.CI === undefined
      ? new cliProgress.SingleBar(
          { format: 'grading [{bar}] {value}/{total} | {last}', stream: process.stderr, hideCursor: true },
          cliProgress.Presets.shades_classic,
        )
      : undefined;
  bar?.start(submissions.length, 0, { last: '' });
  const { summary } = await gradeBatch({
    lab,
    dir: resolve(dir),
    outDir,
    hiddenSeed,
    jobs,
    force: flags.has('force'),
    formats,
    onProgress: (done, total, last) =>
      bar !== undefined ? bar.update(done, { last }) : console.log(`[${done}/${total}] ${last}`),
  });
  bar?.stop();
  console.log(summaryMarkdown(lab, summary));
  console.log(`wrote ${outDir}/{grades.csv,summary.md,summary.json} and one folder per submission`);
  return 0;
}

function itemJobs(flags: Map<string, string | true>): { itemJobs?: number } {
  const jobs = intFlag(flags, 'jobs');
  if (jobs === undefined) return {};
  if (jobs < 1) throw new InputError('--jobs must be at least 1');
  return { itemJobs: jobs };
}

export function submissionName(path: string): string {
  return basename(path).replace(/\.zip$/i, '');
}

export async function main(argv: readonly string[]): Promise<number> {
  // Ctrl-C must take the sandboxed children with it: exiting runs the sandbox's cleanup.
  process.once('SIGINT', () => process.exit(130));
  return exitCodeOf(async () => {
    const { positionals, flags } = parseCli(
      argv,
      ['lab', 'out', 'seed', 'name', 'format', 'batch', 'jobs'],
      ['help', 'force'],
    );
    if (flags.has('help')) {
      console.log(GRADE_USAGE);
      return 0;
    }
    const formats = parseFormats(flags.get('format'));
    const lab = flags.get('lab');
    if (flags.has('batch')) {
      if (typeof lab !== 'string') throw new InputError(`--batch needs --lab\n\n${GRADE_USAGE}`);
      return await runBatch(lab, String(flags.get('batch')), flags, formats);
    }
    if (positionals.length !== 1 || typeof lab !== 'string')
      throw new InputError(`expected one submission and --lab\n\n${GRADE_USAGE}`);
    const submission = resolve(positionals[0]!);
    const name = (flags.get('name') as string | undefined) ?? submissionName(submission);
    const outDir = resolve((flags.get('out') as string | undefined) ?? `reports/${lab}/${name}`);
    console.log(`grading ${submission} for lab ${lab}`);
    const result = await gradeSubmission({
      lab: await loadLab(lab),
      submission,
      submissionName: name,
      hiddenSeed: intFlag(flags, 'seed'),
      outDir,
      formats,
      ...itemJobs(flags),
      onItem: (item) => console.log(itemLine(item)),
    });
    if (result.items.length === 0) for (const n of result.notices) console.log(n);
    console.log(summaryLine(result));
    console.log(`wrote ${outDir}/{results.json,report.md,report.html}`);
    return 0;
  });
}

await runAsCommand(import.meta.url, main);
