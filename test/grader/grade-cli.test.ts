/**
 * The instructor's `npm run grade` (grader/cli/grade.ts main, in-process): usage, input errors, and one real
 * grading with an extra report format.
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
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

  it('grades a folder: one line per item, the total, and results.json, reports and the JUnit file in --out', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'servelab-grade-cli-')), 'out');
    expect(
      await main([
        join(REPO_ROOT, 'reference', 'routing'),
        '--lab',
        'routing',
        '--out',
        dir,
        '--name',
        'ref',
        '--format',
        'junit',
      ]),
    ).toBe(0);
    const text = out.join('\n');
    expect(text).toMatch(/^grading .*reference\/routing for lab routing$/m);
    expect(text.split('\n').filter((l) => /^PASS {2}\d\. /.test(l))).toHaveLength(5);
    expect(text).toMatch(/10 \/ 10/);
    expect(readdirSync(dir).sort()).toEqual(expect.arrayContaining(['report.html', 'report.md', 'results.json']));
    const junit = readdirSync(dir).find((f) => f.endsWith('.xml'));
    expect(junit, 'a JUnit XML file').toBeDefined();
    expect(readFileSync(join(dir, junit!), 'utf8')).toMatch(/<testsuite[^>]* tests="5"/);
    expect(JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')).score).toBe(10);
  });
});
