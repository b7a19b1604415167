/**
 * `npm start`: grades the reference solution and the untouched starter of every lab on the default
 * hidden seed and writes their reports under reports/<lab>/{reference,starter}/.
 */
import { join } from 'node:path';
import { REPO_ROOT } from '../../sim/config/paths.js';
import { gradeSubmission } from '../core/grade.js';
import { labNames, loadLab } from '../labs/catalogue.js';
import { itemLine, summaryLine } from './print.js';

const rows: string[] = [];
for (const name of labNames()) {
  const lab = await loadLab(name);
  for (const [who, dir] of [
    ['reference', lab.manifest.referenceDir],
    ['starter', lab.manifest.studentDir],
  ] as const) {
    const outDir = join(REPO_ROOT, 'reports', name, who);
    console.log(`\n== ${name}: grading the ${who} (${dir}) ==`);
    const result = await gradeSubmission({
      lab,
      submission: join(REPO_ROOT, dir),
      submissionName: who,
      outDir,
      onItem: (i) => console.log(itemLine(i)),
    });
    rows.push(`${summaryLine(result)}   → reports/${name}/${who}/report.html`);
  }
}
console.log(`\n${rows.join('\n')}`);
console.log(
  'Each folder holds results.json (Gradescope format), report.md and report.html; see README.md "Reading the reports".',
);
