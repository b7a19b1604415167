/**
 * ./submit.sh <lab>: packages the lab's student files into <lab>-submission.zip in the directory the
 * script was started from (submit.sh passes it as SERVELAB_SUBMIT_CWD, since it runs from the repo root).
 * Only parses arguments and prints; the work is in grader/submit/prepare.ts.
 */
import { existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatBytes } from '../intake/limits.js';
import { studentFiles } from '../labs/catalogue.js';
import { prepareSubmission } from '../submit/prepare.js';

const USAGE = 'usage: ./submit.sh <lab>   (e.g. ./submit.sh routing)';

async function main(argv: readonly string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(USAGE);
    return 0;
  }
  const unknown = argv.filter((a) => a.startsWith('-'));
  if (argv.length !== 1 || unknown.length > 0) {
    console.error(unknown.length > 0 ? `unknown option ${unknown[0]}\n${USAGE}` : USAGE);
    return 2;
  }
  const lab = argv[0]!;
  let lookup: ReturnType<typeof studentFiles>;
  try {
    lookup = studentFiles(lab);
  } catch (err) {
    console.error(`submit: ${(err as Error).message}`);
    return 2;
  }
  const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
  const outDir = process.env.SERVELAB_SUBMIT_CWD ?? process.cwd();
  const report = await prepareSubmission({ repoRoot, lab, files: lookup.files, studentDir: lookup.studentDir, outDir });

  for (const note of report.notes) console.log(`note: ${note}`);
  for (const warning of report.warnings) console.warn(`warning: ${warning}`);
  if (report.errors.length > 0 || report.zipPath === undefined) {
    for (const error of report.errors) console.error(`error: ${error}`);
    if (report.removedZip !== undefined)
      console.error(
        `removed the older ${relative(outDir, report.removedZip) || report.removedZip}: it is not your current code, do not upload it`,
      );
    console.error(
      `\nno zip written: fix the ${report.errors.length === 1 ? 'error' : 'errors'} above and run ./submit.sh ${lab} again`,
    );
    return 1;
  }
  const shown = relative(outDir, report.zipPath) || report.zipPath;
  const count = `${report.entries.length} file${report.entries.length === 1 ? '' : 's'}`;
  console.log(`wrote ${report.zipPath} (${count}, ${formatBytes(report.zipBytes)}):`);
  for (const entry of report.entries) console.log(`  ${entry}`);
  console.log(`\ncheck it:  unzip -l ${shown}`);
  // The student handout has no grade command (hidden items need instructor material); check is its local runner.
  if (existsSync(join(repoRoot, 'grader', 'cli', 'grade.ts')))
    console.log(`grade it locally (default hidden seed):  npm run grade -- ${report.zipPath} --lab ${lab}`);
  else console.log(`run the public checks:  npm run check -- ${lab}`);
  console.log(`then upload ${shown} unchanged.`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(`submit: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exitCode = 1;
  },
);
