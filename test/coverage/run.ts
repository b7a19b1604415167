/**
 * `npm run coverage [-- vitest args]`: line and branch coverage over every source file in sim/ and grader/,
 * counting the code the tests' child processes run.
 *
 * 1. vitest runs with its v8 provider (vitest.config.ts: `coverage.include` lists every file, loaded or not) and
 *    writes an istanbul map; SERVELAB_CHILD_COVERAGE_DIR makes its setup file hand NODE_V8_COVERAGE to children.
 * 2. child-coverage.ts folds the children's raw V8 dumps into that map, and sandbox-coverage.ts the counts the
 *    sandboxed children wrote (grader/build/child-coverage.ts instruments their bundle).
 * 3. The figures are printed in-process only and with children, and the merged map is written to
 *    coverage/coverage-final.json (any istanbul reporter reads it).
 *
 * The raw material stays in coverage/work/ (git-ignored) until the next run: `npm run coverage -- --fold-only`
 * prints the figures again from it without rerunning the tests.
 *
 * Why two kinds of child coverage: under Node's permission model (20.x checked) the inspector is closed, so a
 * sandboxed child writes no NODE_V8_COVERAGE file even with a write grant for the folder. Its bundle carries
 * istanbul counters instead and writes them into the same folder (granted to it, and open to the sandbox's own
 * user: world-writable with the sticky bit).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import libCoverage, { type CoverageMapData, type CoverageSummary } from 'istanbul-lib-coverage';
import { REPO_ROOT } from '../../sim/config/paths.js';
import { foldChildCoverage } from './child-coverage.js';
import { foldSandboxCoverage } from './sandbox-coverage.js';

function pct(covered: number, total: number): string {
  return total === 0 ? '100.00' : ((100 * covered) / total).toFixed(2);
}

function line(label: string, summary: CoverageSummary): string {
  const { lines, branches, functions } = summary;
  return `${label.padEnd(26)} lines ${pct(lines.covered, lines.total).padStart(6)}% (${lines.covered}/${lines.total})  branches ${pct(branches.covered, branches.total).padStart(6)}% (${branches.covered}/${branches.total})  functions ${pct(functions.covered, functions.total).padStart(6)}%`;
}

function summarise(data: CoverageMapData, prefix?: string): CoverageSummary {
  const map = libCoverage.createCoverageMap({});
  for (const [path, file] of Object.entries(data))
    if (prefix === undefined || relative(REPO_ROOT, path).startsWith(prefix)) map.addFileCoverage(file);
  return map.getCoverageSummary();
}

function main(args: string[]): number {
  const outDir = join(REPO_ROOT, 'coverage');
  const work = join(outDir, 'work');
  const rawDir = join(work, 'children');
  const vitestDir = join(work, 'vitest');
  const foldOnly = args.includes('--fold-only');
  if (foldOnly && !existsSync(join(vitestDir, 'coverage-final.json'))) {
    console.error('coverage: --fold-only needs a previous run (coverage/work/ is missing)');
    return 1;
  }
  if (!foldOnly) {
    rmSync(work, { recursive: true, force: true });
    mkdirSync(rawDir, { recursive: true });
    // The sandbox may run children as another user (grader/sandbox/isolation.ts): they write here too.
    chmodSync(rawDir, 0o1777);
  }
  const run = foldOnly
    ? { status: 0 }
    : spawnSync(
        process.execPath,
        [
          join(REPO_ROOT, 'node_modules/vitest/vitest.mjs'),
          'run',
          '--coverage',
          `--coverage.reportsDirectory=${vitestDir}`,
          ...args,
        ],
        {
          cwd: REPO_ROOT,
          stdio: 'inherit',
          env: { ...process.env, SERVELAB_CHILD_COVERAGE_DIR: rawDir },
        },
      );
  let data: CoverageMapData;
  try {
    data = JSON.parse(readFileSync(join(vitestDir, 'coverage-final.json'), 'utf8')) as CoverageMapData;
  } catch (error) {
    console.error(`coverage: vitest wrote no coverage map (${(error as Error).message}); exit status ${run.status}`);
    return 1;
  }
  const inProcess = { sim: summarise(data, 'sim/'), grader: summarise(data, 'grader/'), all: summarise(data) };
  const folded = foldChildCoverage(data, rawDir, REPO_ROOT);
  const sandboxed = foldSandboxCoverage(data, rawDir);
  const withChildren = { sim: summarise(data, 'sim/'), grader: summarise(data, 'grader/'), all: summarise(data) };
  writeFileSync(join(outDir, 'coverage-final.json'), JSON.stringify(data));

  const lowest = Object.values(data)
    .map((file) => ({
      path: relative(REPO_ROOT, file.path),
      summary: libCoverage.createFileCoverage(file).toSummary(),
    }))
    .filter((f) => f.summary.lines.pct < 80)
    .sort((a, b) => a.summary.lines.pct - b.summary.lines.pct);
  console.log(`\nFiles under 80% of lines (${lowest.length}):`);
  for (const f of lowest) console.log(`  ${f.summary.lines.pct.toFixed(1).padStart(5)}%  ${f.path}`);
  console.log(`\nCoverage over every file in sim/ and grader/ (${Object.keys(data).length} files)`);
  console.log(line('sim/ in-process', inProcess.sim));
  console.log(line('grader/ in-process', inProcess.grader));
  console.log(line('all in-process', inProcess.all));
  console.log(line('sim/ with children', withChildren.sim));
  console.log(line('grader/ with children', withChildren.grader));
  console.log(line('all with children', withChildren.all));
  console.log(
    `children: ${folded.dumps} dumps, ${folded.scripts} scripts mapped to sim/ or grader/, ${folded.credited} entries credited`,
  );
  console.log(`sandboxed children: ${sandboxed.dumps} count files, ${sandboxed.credited} entries credited`);
  console.log(`merged istanbul map: ${relative(process.cwd(), join(outDir, 'coverage-final.json'))}`);
  if (run.status !== 0)
    console.error(`coverage: the test run failed (exit status ${run.status}); the figures cover what ran`);
  return run.status ?? 1;
}

process.exitCode = main(process.argv.slice(2));
