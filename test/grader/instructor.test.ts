/**
 * Instructor workflow: batch grading with a gradebook, exporters, lateness, the Gradescope bundle in a
 * fake /autograder, and the student handout built, installed and checked in a temp folder.
 *
 * Batch grading and the bundle do not depend on the lab, so they use the cheapest one to grade (cfs: about
 * 7 s for the reference); test/grader/gradescope-bundles.test.ts builds every other lab's bundle when asked.
 * Installing the handout for real (`npm ci` from the registry) runs when asked too, with the bundles
 * (`SERVELAB_BUNDLES=1`, as CI does); test/grader/handouts.test.ts builds and checks every lab's handout
 * on every run.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../sim/config/paths.js';
import { gradeBatch } from '../../grader/batch/batch-grade.js';
import { gradesCsv, summarizeBatch } from '../../grader/batch/gradebook.js';
import { lateness } from '../../grader/core/lateness.js';
import type { GradingResult } from '../../grader/core/types.js';
import { buildGradescopeBundle } from '../../grader/dist/gradescope.js';
import { buildStudentDist, scanForHidden } from '../../grader/dist/student.js';
import { labManifest } from '../../grader/labs/catalogue.js';
import { toJunit, toPrairieLearn } from '../../grader/report/exporters.js';
import { GradescopeResults } from '../../grader/report/gradescope.js';
import { extractZip, readZipEntries } from './zip-entries.js';

const tmp = (p: string) => mkdtempSync(join(tmpdir(), `servelab-${p}-`));
const FIX = join(REPO_ROOT, 'test', 'fixtures', 'submissions');

describe('batch grading', () => {
  it('grades a folder in parallel, writes grades.csv and a summary, keeps going past broken submissions, and skips unchanged ones', async () => {
    const subs = tmp('subs');
    cpSync(join(REPO_ROOT, 'reference', 'cfs'), join(subs, 'alice'), { recursive: true });
    cpSync(join(REPO_ROOT, 'reference', 'cfs'), join(subs, 'carol'), { recursive: true });
    writeFileSync(join(subs, 'carol', 'cfs-scheduler.ts'), "throw new Error('my scheduler is not ready yet');\n");
    cpSync(join(FIX, 'missing-file'), join(subs, 'dave'), { recursive: true });
    writeFileSync(join(subs, 'erin.zip'), 'not a zip at all');
    const out = tmp('batch-out');
    const opts = {
      lab: 'cfs',
      dir: subs,
      outDir: out,
      hiddenSeed: 20261208,
      jobs: 2,
      force: false,
      formats: ['gradescope', 'junit'] as const,
    };
    const first = await gradeBatch({ ...opts, formats: [...opts.formats] });
    expect(first.rows.map((r) => r.submission).sort()).toEqual(['alice', 'carol', 'dave', 'erin']);
    const csv = readFileSync(join(out, 'grades.csv'), 'utf8').trim().split('\n');
    const ids = labManifest('cfs').items.map((i) => i.id);
    expect(csv[0]).toBe(['submission,score,max_score,status', ...ids.map((id) => `${id},${id}_verdict`)].join(','));
    const cell = (name: string, column: string) => {
      const row = csv.find((l) => l.startsWith(`${name},`))!.split(',');
      return row[csv[0]!.split(',').indexOf(column)];
    };
    expect(['score', 'max_score', 'status'].map((c) => cell('alice', c))).toEqual(['25', '25', 'graded']);
    expect(cell('carol', 'score')).toBe('0');
    expect(cell('carol', 'get-priority_verdict')).toBe('error');
    expect(cell('dave', 'get-priority_verdict')).toBe('missing-file');
    expect(cell('erin', 'get-priority_verdict')).toBe('missing-file'); // a corrupt zip is reported, not fatal
    expect(existsSync(join(out, 'alice', 'junit.xml'))).toBe(true);
    expect(first.summary).toMatchObject({ submissions: 4, graded: 4, graderErrors: 0, maxScore: 25 });
    expect(readFileSync(join(out, 'summary.md'), 'utf8')).toMatch(/Items most often not at full points/);
    const again = await gradeBatch({ ...opts, formats: [...opts.formats] });
    expect(again.rows.every((r) => r.skipped)).toBe(true);
    expect(readFileSync(join(out, 'grades.csv'), 'utf8')).toBe(`${csv.join('\n')}\n`);
    // --force regrades even unchanged work (on a small folder, to keep the suite quick: dave's missing file
    // ends his grading before any build).
    const small = tmp('subs-small');
    cpSync(join(subs, 'dave'), join(small, 'dave'), { recursive: true });
    const smallOut = tmp('batch-small');
    await gradeBatch({ ...opts, formats: [...opts.formats], dir: small, outDir: smallOut });
    const forced = await gradeBatch({ ...opts, formats: [...opts.formats], dir: small, outDir: smallOut, force: true });
    expect(forced.rows.map((r) => r.skipped)).toEqual([false]);
  });

  it('records a submission without results as a grader error instead of losing it', () => {
    const rows = [{ submission: 'x', results: undefined, skipped: false }];
    expect(gradesCsv(rows).trim().split('\n')[1]).toBe('x,0,0,grader-error');
    expect(summarizeBatch(rows).graderErrors).toBe(1);
  });
});

describe('exporters and lateness', () => {
  const result: GradingResult = {
    lab: 'routing',
    labTitle: 'Routing',
    submission: 's',
    hiddenSeed: 1,
    publicSeed: 2,
    mode: 'grade',
    items: [
      {
        id: 'a',
        number: '1',
        title: 'A & <b>',
        kind: 'unit',
        visibility: 'visible',
        score: 2,
        maxScore: 2,
        verdict: 'passed',
        message: 'ok',
        output: '',
        durationMs: 1,
      },
      {
        id: 'b',
        number: '2',
        title: 'B',
        kind: 'benchmark',
        visibility: 'hidden',
        score: 1,
        maxScore: 4,
        verdict: 'partial',
        message: 'part',
        output: 'x',
        durationMs: 1,
      },
      {
        id: 'c',
        number: '3',
        title: 'C',
        kind: 'scenario',
        visibility: 'hidden',
        score: 0,
        maxScore: 4,
        verdict: 'timeout',
        message: 'slow',
        output: '',
        durationMs: 1,
      },
    ],
    score: 3,
    maxScore: 10,
    notices: [],
    typeErrors: [],
    graderVersion: '0',
    durationMs: 1,
  };

  it('PrairieLearn: fractional score, tests with points, compile failures not gradable', () => {
    expect(toPrairieLearn(result)).toMatchObject({
      gradable: true,
      score: 0.3,
      tests: [{ points: 2, max_points: 2 }, { points: 1 }, { points: 0 }],
    });
    const broken = {
      ...result,
      items: result.items.map((i) => ({ ...i, verdict: 'compile-error' as const, score: 0 })),
    };
    expect(toPrairieLearn(broken)).toMatchObject({ gradable: false });
  });

  it('JUnit: failures and errors counted, text escaped', () => {
    const xml = toJunit(result);
    expect(xml).toMatch(/<testsuites name="servelab" tests="3" failures="1" errors="1">/);
    expect(xml).toContain('A &amp; &lt;b&gt;');
    expect(xml).toMatch(/<error type="timeout" message="slow">/);
  });

  it('late policy: per started day, capped, zero after the late due date', () => {
    const meta = (created: string, late: string | null = null) => ({
      created_at: created,
      assignment: { due_date: '2026-11-24T23:59:00Z', late_due_date: late },
    });
    const policy = { penaltyPerDay: 0.1, maxDays: 3 };
    expect(lateness(meta('2026-11-24T20:00:00Z'), policy).multiplier).toBe(1);
    expect(lateness(meta('2026-11-25T00:10:00Z'), policy).multiplier).toBeCloseTo(0.9);
    expect(lateness(meta('2026-11-26T12:00:00Z'), policy).multiplier).toBeCloseTo(0.8);
    expect(lateness(meta('2026-11-29T12:00:00Z'), policy).multiplier).toBe(0);
    expect(lateness(meta('2026-11-25T12:00:00Z', '2026-11-25T06:00:00Z'), policy).multiplier).toBe(0);
    expect(lateness({ nonsense: true }, policy).multiplier).toBe(1);
  });
});

describe('Gradescope bundle', () => {
  it('run_autograder grades /autograder/submission in a fake root and writes a valid results.json (late penalty applied)', async () => {
    const root = tmp('autograder');
    const source = join(root, 'source');
    const { zip, precomputed } = await buildGradescopeBundle({
      lab: 'cfs',
      outDir: join(tmp('bundle'), 'source'),
      config: { lab: 'cfs', hiddenSeed: 918_273_645, late: { penaltyPerDay: 0.1, maxDays: 3 } },
    });
    // The reference was graded once for the seed: its and the baselines' results ship in the bundle.
    expect(precomputed).toMatchObject({ referenceScore: 25, maxScore: 25 });
    expect(precomputed!.entries).toBeGreaterThan(0);
    await extractZip(zip, source);
    const cacheDir = join(source, '.cache', 'results', 'cfs');
    expect(readdirSync(cacheDir)).toHaveLength(precomputed!.entries);
    for (const f of ['setup.sh', 'run_autograder', 'servelab-autograder.json', 'reference/cfs/cfs-scheduler.ts'])
      expect(existsSync(join(source, f)), f).toBe(true);
    symlinkSync(join(REPO_ROOT, 'node_modules'), join(source, 'node_modules')); // stands in for setup.sh's npm ci
    mkdirSync(join(root, 'submission'));
    for (const f of labManifest('cfs').files)
      cpSync(join(REPO_ROOT, 'reference', 'cfs', f), join(root, 'submission', f));
    writeFileSync(
      join(root, 'submission_metadata.json'),
      JSON.stringify({ created_at: '2026-11-25T10:00:00Z', assignment: { due_date: '2026-11-24T23:59:00Z' } }),
    );
    // Executed directly, as Gradescope does: the zip stores it 0755 and extractZip keeps the mode.
    const run = spawnSync(join(source, 'run_autograder'), [], {
      env: { ...process.env, SERVELAB_AUTOGRADER_ROOT: root },
      encoding: 'utf8',
    });
    expect(run.status, run.stderr).toBe(0);
    // Every trusted run was a cache hit: grading in the bundle wrote no new entry.
    expect(readdirSync(cacheDir)).toHaveLength(precomputed!.entries);
    const results = GradescopeResults.parse(JSON.parse(readFileSync(join(root, 'results', 'results.json'), 'utf8')));
    expect(results.tests.reduce((s, t) => s + t.score, 0)).toBe(25);
    expect(results.score).toBe(22.5);
    expect(results.output).toMatch(/1 day\(s\) late: 10% late penalty/);
    for (const f of ['results.json', 'servelab/results.json', 'servelab/report.md', 'servelab/report.html']) {
      expect(readFileSync(join(root, 'results', f), 'utf8'), f).not.toContain('918273645');
    }
  });
});

describe.runIf(process.env.SERVELAB_BUNDLES === '1')('student handout, installed for real (SERVELAB_BUNDLES=1)', () => {
  it('contains no reference, mutant or hidden seed, installs, passes its own check and submits', async () => {
    const dir = join(tmp('handout'), 'servelab');
    const dist = await buildStudentDist({ labs: ['routing'], outDir: dir, lockfile: true });
    expect(scanForHidden(dist.dir, ['routing'])).toEqual([]);
    expect(
      dist.files.some((f) => f.startsWith('reference/') || f.startsWith('test/') || f.startsWith('grader/batch/')),
    ).toBe(false);
    expect(dist.files).toEqual(
      expect.arrayContaining([
        'starter/routing/ai-router.ts',
        'labs/routing/README.md',
        'submit.sh',
        'package-lock.json',
        'grader/cli/check.ts',
      ]),
    );
    const zipList = (await readZipEntries(dist.zip)).map((e) => e.name).join('\n');
    expect(zipList).not.toMatch(/reference\//);
    execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: dir, stdio: 'ignore' });
    const check = spawnSync('npm', ['run', 'check', '--', 'routing'], { cwd: dir, encoding: 'utf8' });
    expect(check.status, check.stderr).toBe(0);
    expect(check.stdout).toMatch(/public tests only: hidden tests decide the grade/);
    expect(check.stdout).toMatch(/PASS {2}2\. Correct routing/);
    const submit = spawnSync('bash', ['submit.sh', 'routing'], { cwd: dir, encoding: 'utf8' });
    expect(submit.status, submit.stderr).toBe(0);
    expect(existsSync(join(dir, 'routing-submission.zip'))).toBe(true);
  });
});
