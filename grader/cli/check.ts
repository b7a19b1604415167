/**
 * `npm run check -- <lab>`: the students' local runner. Runs the lab's public (visible) rubric items
 * on the files in starter/<lab>/ through the same build and sandbox as the grader.
 */
import { join } from 'node:path';
import { REPO_ROOT } from '../../sim/config/paths.js';
import { gradeSubmission } from '../core/grade.js';
import { labNames, loadLab } from '../labs/catalogue.js';
import { parseCli } from './args.js';
import { itemLine } from './print.js';
import { exitCodeOf, runAsCommand } from '../../sim/cli/entry.js';

export async function main(argv: readonly string[]): Promise<number> {
  return exitCodeOf(async () => {
    const { positionals, flags } = parseCli(argv, ['dir'], ['help']);
    if (flags.has('help') || positionals.length !== 1) {
      console.log(
        `Usage: npm run check -- <${labNames().join('|')}> [--dir DIR]\n\nRuns the public checks on starter/<lab>/ (or DIR).`,
      );
      return flags.has('help') ? 0 : 2;
    }
    const lab = await loadLab(positionals[0]!);
    const dir = (flags.get('dir') as string | undefined) ?? join(REPO_ROOT, lab.manifest.studentDir);
    console.log(`checking ${dir} (public checks of lab ${lab.manifest.lab})`);
    const result = await gradeSubmission({
      lab,
      submission: dir,
      submissionName: 'local-check',
      mode: 'check',
      outDir: join(REPO_ROOT, 'reports', lab.manifest.lab, 'local-check'),
      onItem: (item) => {
        console.log(itemLine(item));
        if (item.output.trim() !== '') console.log(item.output.replace(/^/gm, '      '));
      },
    });
    for (const n of result.notices) console.log(n);
    if (result.typeErrors.length > 0)
      console.log(`type errors (not graded, but fix them):\n${result.typeErrors.join('\n')}`);
    const hidden = lab.manifest.items.filter((i) => i.visibility !== 'visible');
    const hiddenPoints = hidden.reduce((s, i) => s + i.points, 0);
    console.log(`\npublic checks: ${result.score} / ${result.maxScore} points`);
    console.log(
      `public tests only: hidden tests decide the grade (${hidden.length} hidden items, ${hiddenPoints} more points: ${hidden.map((i) => i.title).join('; ')})`,
    );
    console.log(`report: reports/${lab.manifest.lab}/local-check/report.html`);
    return 0;
  });
}

await runAsCommand(import.meta.url, main);
