/**
 * run_autograder's entry: grade <root>/submission with the bundle's lab and seed and write
 * <root>/results/results.json, applying the late policy if configured. Whatever fails, a valid
 * results.json is written (Gradescope otherwise shows "The autograder failed to execute correctly").
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../sim/config/paths.js';
import { gradeSubmission } from '../core/grade.js';
import { lateness } from '../core/lateness.js';
import { AutograderConfig } from '../dist/gradescope.js';
import { loadLab } from '../labs/catalogue.js';
import { GradescopeResults } from '../report/gradescope.js';
import { writeAtomically } from '../report/write.js';
import { parseCli } from './args.js';

const { flags } = parseCli(process.argv.slice(2), ['root']);
const root = String(flags.get('root') ?? '/autograder');
const resultsDir = join(root, 'results');
mkdirSync(resultsDir, { recursive: true });
const resultsFile = join(resultsDir, 'results.json');

try {
  const config = AutograderConfig.parse(JSON.parse(readFileSync(join(REPO_ROOT, 'servelab-autograder.json'), 'utf8')));
  const workDir = join(resultsDir, 'servelab');
  await gradeSubmission({
    lab: await loadLab(config.lab),
    submission: join(root, 'submission'),
    submissionName: 'submission',
    hiddenSeed: config.hiddenSeed,
    outDir: workDir,
  });
  const results = GradescopeResults.parse(JSON.parse(readFileSync(join(workDir, 'results.json'), 'utf8')));
  const metadataFile = join(root, 'submission_metadata.json');
  if (config.late !== undefined && existsSync(metadataFile)) {
    const late = lateness(JSON.parse(readFileSync(metadataFile, 'utf8')), config.late);
    if (late.multiplier < 1) {
      const before = results.tests.reduce((s, t) => s + t.score, 0);
      results.score = Math.round(before * late.multiplier * 1000) / 1000;
      results.output = `${late.note} (${before} → ${results.score}).\n\n${results.output}`;
    }
  }
  writeAtomically(resultsFile, `${JSON.stringify(GradescopeResults.parse(results), null, 2)}\n`);
} catch (err) {
  const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  writeAtomically(
    resultsFile,
    `${JSON.stringify(
      {
        score: 0,
        output: `The autograder failed: ${message}. Please tell the course staff; your submission was not graded.`,
        tests: [],
      },
      null,
      2,
    )}\n`,
  );
  console.error(err);
}
