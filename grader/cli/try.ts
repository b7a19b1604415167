/**
 * `npm run try -- <lab> [--dir DIR] [--seed N]`: runs your code directly (no sandbox) from
 * starter/<lab>/ (or DIR) on the lab's public workloads and prints what it measures beside the
 * engine's baselines and the reference's published numbers; plots go to reports/<lab>/try/.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../sim/config/paths.js';
import { InputError } from '../../sim/errors.js';
import { textTable } from '../core/scoring.js';
import { tryLab } from '../core/try.js';
import { labNames, loadLab } from '../labs/catalogue.js';
import { renderSvg } from '../report/charts.js';
import { intFlag, parseCli } from './args.js';
import { exitCodeOf, runAsCommand } from '../../sim/cli/entry.js';

export async function main(argv: readonly string[]): Promise<number> {
  return exitCodeOf(async () => {
    const { positionals, flags } = parseCli(argv, ['dir', 'seed'], ['help']);
    const usage = `Usage: npm run try -- <${labNames().join('|')}> [--dir DIR] [--seed N]\n\nRuns your code from starter/<lab>/ (or DIR) on the public workloads (seed N, default the public seed),\nbeside the baselines and the reference's published numbers.`;
    if (flags.has('help') || positionals.length !== 1) {
      console.log(usage);
      return flags.has('help') ? 0 : 2;
    }
    const lab = await loadLab(positionals[0]!);
    if (lab.tryout === undefined) throw new InputError(`lab ${lab.manifest.lab} has no try runner`);
    const dir = (flags.get('dir') as string | undefined) ?? join(REPO_ROOT, lab.manifest.studentDir);
    const seed = intFlag(flags, 'seed') ?? lab.manifest.publicSeed;
    console.log(
      `trying ${dir} on the public workloads of lab ${lab.manifest.lab} (seed ${seed}); this runs your code directly, without the grader's sandbox`,
    );
    const out = await tryLab(lab.tryout, { dir, seed, publicSeed: lab.manifest.publicSeed, repoRoot: REPO_ROOT });
    console.log(`\n${textTable(out.header, out.rows)}\n`);
    for (const n of out.notes) console.log(n);
    if (out.plots.length > 0) {
      const plotDir = join(REPO_ROOT, 'reports', lab.manifest.lab, 'try');
      mkdirSync(plotDir, { recursive: true });
      for (const [i, p] of out.plots.entries())
        writeFileSync(join(plotDir, `plot-${i + 1}.svg`), await renderSvg(p.spec));
      console.log(
        `plots: reports/${lab.manifest.lab}/try/plot-1.svg${out.plots.length > 1 ? ` … plot-${out.plots.length}.svg` : ''}`,
      );
    }
    return 0;
  });
}

await runAsCommand(import.meta.url, main);
