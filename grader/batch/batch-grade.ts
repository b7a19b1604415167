/**
 * Grading a folder of submissions: each one in its own grader process (so a grader crash or a CPU-bound
 * replay in one does not stall the others), at most `jobs` at a time; unchanged submissions are skipped
 * unless forced; a submission whose grader dies still gets a results.json saying so. Then grades.csv
 * and the summary.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { REPO_ROOT } from '../../sim/config/paths.js';
import { InputError } from '../../sim/errors.js';
import { graderVersion } from '../core/grade.js';
import type { GradingResult } from '../core/types.js';
import { GradescopeResults } from '../report/gradescope.js';
import type { ReportFormat } from '../report/exporters.js';
import { writeAtomically, writeReports } from '../report/write.js';
import { submissionFingerprint } from './fingerprint.js';
import { gradesCsv, summarizeBatch, summaryMarkdown, type BatchRow, type BatchSummary } from './gradebook.js';

export interface BatchOptions {
  readonly lab: string;
  readonly dir: string;
  readonly outDir: string;
  readonly hiddenSeed: number;
  readonly jobs: number;
  readonly force: boolean;
  readonly formats: readonly ReportFormat[];
  readonly onProgress?: (done: number, total: number, last: string) => void;
}

export interface BatchOutcome {
  readonly rows: readonly BatchRow[];
  readonly summary: BatchSummary;
}

const FINGERPRINT_FILE = '.servelab-fingerprint';

/** Zips and folders directly inside `dir`, by name; hidden files are ignored. */
export function listSubmissions(dir: string): { name: string; path: string }[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    throw new InputError(`--batch ${dir} is not a folder of submissions`);
  return readdirSync(dir)
    .filter((n) => !n.startsWith('.'))
    .map((n) => ({ n, p: join(dir, n) }))
    .filter(({ n, p }) => statSync(p).isDirectory() || n.toLowerCase().endsWith('.zip'))
    .map(({ n, p }) => ({ name: n.replace(/\.zip$/i, ''), path: p }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

function gradeInChild(
  opts: BatchOptions,
  submission: { name: string; path: string },
  outDir: string,
): Promise<{ code: number | null; stderr: string }> {
  const args = [
    '--import',
    'tsx',
    join(REPO_ROOT, 'grader', 'cli', 'grade.ts'),
    submission.path,
    '--lab',
    opts.lab,
    '--out',
    outDir,
    '--seed',
    String(opts.hiddenSeed),
    '--name',
    submission.name,
    '--format',
    opts.formats.join(','),
    // Submissions side by side already fill the cores: each runs its items one at a time.
    ...(opts.jobs > 1 ? ['--jobs', '1'] : []),
  ];
  return new Promise((done) => {
    const child = spawn(process.execPath, args, { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      if (stderr.length < 20_000) stderr += d.toString();
    });
    child.on('close', (code) => done({ code, stderr }));
    child.on('error', (err) => done({ code: -1, stderr: err.message }));
  });
}

/** Results for a submission whose grader process died: nothing is lost, the row says why. */
async function writeGraderFailure(opts: BatchOptions, name: string, outDir: string, why: string): Promise<void> {
  const result: GradingResult = {
    lab: opts.lab,
    labTitle: opts.lab,
    submission: name,
    hiddenSeed: opts.hiddenSeed,
    publicSeed: 0,
    mode: 'grade',
    items: [],
    score: 0,
    maxScore: 0,
    notices: [],
    typeErrors: [],
    internalError: why,
    graderVersion: graderVersion(),
    durationMs: 0,
  };
  await writeReports(outDir, result, opts.formats);
}

function readResults(outDir: string): GradescopeResults | undefined {
  try {
    return GradescopeResults.parse(JSON.parse(readFileSync(join(outDir, 'results.json'), 'utf8')));
  } catch {
    return undefined;
  }
}

export async function gradeBatch(opts: BatchOptions): Promise<BatchOutcome> {
  const submissions = listSubmissions(opts.dir);
  if (submissions.length === 0) throw new InputError(`no submissions (.zip files or folders) in ${opts.dir}`);
  const rows: BatchRow[] = [];
  let next = 0;
  let done = 0;
  const context = { lab: opts.lab, seed: opts.hiddenSeed, grader: graderVersion(), formats: opts.formats };
  const worker = async () => {
    while (next < submissions.length) {
      const submission = submissions[next++]!;
      const outDir = resolve(opts.outDir, submission.name);
      const fingerprint = submissionFingerprint(submission.path, context);
      const fingerprintFile = join(outDir, FINGERPRINT_FILE);
      const unchanged =
        existsSync(fingerprintFile) &&
        readFileSync(fingerprintFile, 'utf8') === fingerprint &&
        readResults(outDir) !== undefined;
      if (unchanged && !opts.force) {
        rows.push({ submission: submission.name, results: readResults(outDir), skipped: true });
      } else {
        const { code, stderr } = await gradeInChild(opts, submission, outDir);
        let results = code === 0 ? readResults(outDir) : undefined;
        if (results === undefined) {
          const tail = stderr.trim().split('\n').slice(-5).join(' | ');
          await writeGraderFailure(
            opts,
            submission.name,
            outDir,
            `grader process exited with ${code}${tail !== '' ? `: ${tail}` : ''}`,
          );
          results = readResults(outDir);
        } else {
          writeAtomically(fingerprintFile, fingerprint);
        }
        rows.push({ submission: submission.name, results, skipped: false });
      }
      opts.onProgress?.(++done, submissions.length, submission.name);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.jobs, submissions.length)) }, worker));
  const summary = summarizeBatch(rows);
  writeAtomically(join(opts.outDir, 'grades.csv'), gradesCsv(rows));
  writeAtomically(join(opts.outDir, 'summary.md'), summaryMarkdown(opts.lab, summary));
  writeAtomically(join(opts.outDir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  return { rows, summary };
}
