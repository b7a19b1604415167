/**
 * The sandboxed child's coverage (grader/build/child-coverage.ts, test/coverage/sandbox-coverage.ts): a bundle
 * built with the options counts the grader files it runs and writes the counts at exit, only where the permission
 * model lets it write; the fold credits exactly what the child ran. Each run is a plain `node` of a tiny bundle.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import type { CoverageMapData, FileCoverageData } from 'istanbul-lib-coverage';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CHILD_COVERAGE_PREFIX, childCoverageBuildOptions } from '../../grader/build/child-coverage.js';
import { formatBytes } from '../../grader/intake/limits.js';
import { sandboxNodeArgs } from '../../grader/sandbox/permission-flags.js';
import { REPO_ROOT } from '../../sim/config/paths.js';
import { foldSandboxCoverage } from './sandbox-coverage.js';

const root = mkdtempSync(join(tmpdir(), 'servelab-child-coverage-'));
const counts = join(root, 'counts');
const bundle = join(root, 'bundle', 'entry.mjs');
const limits = join(REPO_ROOT, 'grader', 'intake', 'limits.ts');

beforeAll(async () => {
  mkdirSync(counts);
  writeFileSync(
    join(root, 'entry.ts'),
    `import { formatBytes } from ${JSON.stringify(join(REPO_ROOT, 'grader/intake/limits.js'))};\nconsole.log(formatBytes(2048));\n`,
  );
  await esbuild.build({
    entryPoints: [join(root, 'entry.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: bundle,
    logLevel: 'silent',
    ...(await childCoverageBuildOptions(REPO_ROOT, { NODE_V8_COVERAGE: counts })),
  });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

function runBundle(writeDirs: readonly string[]): { stdout: string; status: number | null; files: string[] } {
  for (const f of readdirSync(counts)) rmSync(join(counts, f));
  const args = sandboxNodeArgs({
    version: process.versions.node,
    readDirs: [join(root, 'bundle')],
    writeDirs,
    maxOldSpaceMb: 64,
    sourceMaps: false,
  });
  const run = spawnSync(process.execPath, [...args, bundle], { encoding: 'utf8', env: { PATH: process.env.PATH } });
  return { stdout: run.stdout, status: run.status, files: readdirSync(counts) };
}

describe('sandboxed child coverage', () => {
  test('without NODE_V8_COVERAGE the build options are empty (real grading builds the bundle as before)', async () => {
    expect(await childCoverageBuildOptions(REPO_ROOT, {})).toEqual({});
    expect(await childCoverageBuildOptions(REPO_ROOT, { NODE_V8_COVERAGE: '' })).toEqual({});
  });

  test('under the permission model the child writes its counts only into a folder it was granted', () => {
    const denied = runBundle([]);
    expect(denied.status).toBe(0);
    expect(denied.stdout.trim()).toBe(formatBytes(2048));
    expect(denied.files).toEqual([]);

    const granted = runBundle([counts]);
    expect(granted.status).toBe(0);
    expect(granted.stdout.trim()).toBe(formatBytes(2048));
    expect(granted.files).toHaveLength(1);
    expect(granted.files[0]).toMatch(new RegExp(`^${CHILD_COVERAGE_PREFIX}[0-9a-f-]{36}\\.json$`));
  });

  test('the counts name the grader file the child ran (not the entry outside grader/), and the fold credits exactly what it ran', () => {
    const { files } = runBundle([counts]);
    const dump = JSON.parse(readFileSync(join(counts, files[0]!), 'utf8')) as CoverageMapData;
    expect(Object.keys(dump)).toEqual([limits]);
    const child = dump[limits] as FileCoverageData;
    expect(Object.values(child.fnMap).map((fn) => fn.name)).toEqual(['formatBytes']);
    expect(child.f['0']).toBe(1);
    // formatBytes(2048) skips `if (bytes < 1024) return …`: the child records which way the `if` went.
    const line =
      readFileSync(limits, 'utf8')
        .split('\n')
        .findIndex((l) => l.includes('if (bytes < 1024)')) + 1;
    const early = Object.entries(child.branchMap).find(([, b]) => b.type === 'if' && b.loc.start.line === line);
    expect(early).toBeDefined();
    expect(child.b[early![0]]).toEqual([0, 1]);

    // A map with the same entries and no hits (as vitest has for a file no test loaded) takes the child's hits.
    const zero = (record: Record<string, number>) => Object.fromEntries(Object.keys(record).map((k) => [k, 0]));
    const empty: FileCoverageData = {
      ...structuredClone(child),
      s: zero(child.s),
      f: zero(child.f),
      b: Object.fromEntries(Object.entries(child.b).map(([k, arms]) => [k, arms.map(() => 0)])),
    };
    const map: CoverageMapData = { [limits]: empty };
    const stats = foldSandboxCoverage(map, counts);
    expect(stats.dumps).toBe(1);
    const folded = map[limits] as FileCoverageData;
    const hit = (n: number) => (n > 0 ? 1 : 0);
    expect(folded.f).toEqual(Object.fromEntries(Object.entries(child.f).map(([k, n]) => [k, hit(n)])));
    expect(folded.s).toEqual(Object.fromEntries(Object.entries(child.s).map(([k, n]) => [k, hit(n)])));
    expect(folded.b).toEqual(Object.fromEntries(Object.entries(child.b).map(([k, arms]) => [k, arms.map(hit)])));
    expect(stats.credited).toBeGreaterThan(0);
  });
});
