/**
 * The instructor's `npm run grade` (grader/cli/grade.ts main, in-process): usage, input errors, and one real
 * grading with an extra report format.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { REPO_ROOT } from '../../sim/config/paths.js';
import { main } from '../../grader/cli/grade.js';

describe('npm run grade (main)', () => {
  let out: string[];
  let err: string[];
  beforeEach(() => {
    out = [];
    err = [];
    vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
    vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
  });
  afterEach(() => vi.restoreAllMocks());

  it('--help prints the usage and exits 0', async () => {
    expect(await main(['--help'])).toBe(0);
    expect(out.join('\n')).toMatch(
      /^Usage: npm run grade -- <submission\.zip\|dir> --lab <autoscaling\|cfs\|deadline\|fairness\|routing>/,
    );
  });

  it('input errors exit 2 with the reason and no stack: no submission, --batch without --lab, an unknown --format or lab', async () => {
    expect(await main(['--lab', 'routing'])).toBe(2);
    expect(err.at(-1)).toMatch(/^error: expected one submission and --lab/);
    expect(await main(['--batch', 'somewhere'])).toBe(2);
    expect(err.at(-1)).toMatch(/^error: --batch needs --lab/);
    expect(await main(['x.zip', '--lab', 'routing', '--format', 'pdf'])).toBe(2);
    expect(err.at(-1)).toBe('error: unknown --format pdf; formats: gradescope, prairielearn, junit');
    // The CLI resolves the lab through the catalogue before grading anything.
    expect(await main(['x.zip', '--lab', 'nope'])).toBe(2);
    expect(err.at(-1)).toBe('error: unknown lab "nope"; labs: autoscaling, cfs, deadline, fairness, routing');
  });

  it('--batch: --jobs 0, a path that is not a folder and an empty folder each exit 2 with the reason, writing nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'servelab-grade-batch-'));
    try {
      const empty = join(dir, 'submissions');
      mkdirSync(empty);
      const outDir = join(dir, 'out');
      expect(await main(['--batch', empty, '--lab', 'routing', '--jobs', '0'])).toBe(2);
      expect(err.at(-1)).toBe('error: --jobs must be at least 1');
      expect(await main(['--batch', join(dir, 'nothing-here'), '--lab', 'routing', '--out', outDir])).toBe(2);
      expect(err.at(-1)).toBe(`error: --batch ${join(dir, 'nothing-here')} is not a folder of submissions`);
      expect(await main(['--batch', empty, '--lab', 'routing', '--jobs', '1', '--out', outDir, '--seed', '5'])).toBe(2);
      expect(out.at(-1)).toBe(`grading 0 submissions in ${empty} for lab routing, 1 at a time, hidden seed 5`);
      expect(err.at(-1)).toBe(`error: no submissions (.zip files or folders) in ${empty}`);
      expect(readdirSync(dir)).toEqual(['submissions']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a submission that does not exist: 0 / 10, results.json still written (exit 0), named after the file without .zip', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'servelab-grade-missing-'));
    try {
      const outDir = join(dir, 'out');
      expect(await main([join(dir, 'alice.zip'), '--lab', 'routing', '--out', outDir])).toBe(0);
      const printed = out.join('\n');
      expect(printed).toContain(`grading ${join(dir, 'alice.zip')} for lab routing`);
      expect(printed).toContain('routing / alice: 0 / 10');
      expect(JSON.parse(readFileSync(join(outDir, 'results.json'), 'utf8')).score).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  // The CLI's output does not depend on the lab: cfs is the cheapest to grade end to end.
  it('grades a folder: one line per item, the total, and results.json, reports and the JUnit file in --out', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'servelab-grade-cli-')), 'out');
    expect(
      await main([
        join(REPO_ROOT, 'reference', 'cfs'),
        '--lab',
        'cfs',
        '--out',
        dir,
        '--name',
        'ref',
        '--format',
        'junit',
      ]),
    ).toBe(0);
    const text = out.join('\n');
    expect(text).toMatch(/^grading .*reference\/cfs for lab cfs$/m);
    expect(text.split('\n').filter((l) => /^PASS {2}\d\. /.test(l))).toHaveLength(9);
    expect(text).toMatch(/25 \/ 25/);
    expect(readdirSync(dir).sort()).toEqual(expect.arrayContaining(['report.html', 'report.md', 'results.json']));
    const junit = readdirSync(dir).find((f) => f.endsWith('.xml'));
    expect(junit, 'a JUnit XML file').toBeDefined();
    expect(readFileSync(join(dir, junit!), 'utf8')).toMatch(/<testsuite[^>]* tests="9"/);
    expect(JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')).score).toBe(25);
  });
});
