import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as yauzl from 'yauzl';
import { afterAll, describe, expect, test } from 'vitest';
import { readSubmission } from '../../grader/intake/index.js';
import { studentFiles } from '../../grader/labs/catalogue.js';
import {
  makeSubmissionZip,
  prepareSubmission,
  stubFingerprintsFile,
  stubFingerprintsText,
} from '../../grader/submit/index.js';
import { needs } from '../helpers-shared.js';

const root = mkdtempSync(join(tmpdir(), 'servelab-submit-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function hasGit(): boolean {
  try {
    execFileSync('git', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Name, DOS date/time and Unix mode of each entry, in archive order. */
async function listZip(path: string): Promise<{ name: string; date: string; mode: number }[]> {
  const zip = await yauzl.openPromise(path, { lazyEntries: true });
  const out: { name: string; date: string; mode: number }[] = [];
  for await (const entry of zip.eachEntry()) {
    out.push({
      name: entry.fileName,
      date: entry.getLastModDate({ timezone: 'UTC' }).toISOString(),
      mode: entry.externalFileAttributes >>> 16,
    });
  }
  zip.close();
  return out;
}

describe('makeSubmissionZip', () => {
  const dir = join(root, 'src');
  mkdirSync(join(dir, 'lib'), { recursive: true });
  writeFileSync(join(dir, 'b.ts'), 'export const b = 2;\n');
  writeFileSync(join(dir, 'lib', 'a.ts'), 'export const a = 1;\n');
  const inputs = [
    { name: 'starter/lab/b.ts', path: join(dir, 'b.ts') },
    { name: 'starter/lab/lib/a.ts', path: join(dir, 'lib', 'a.ts') },
  ];

  test('same inputs → byte-identical zip, whatever the order, mtimes or time of day', async () => {
    const first = join(root, 'one.zip');
    const second = join(root, 'two.zip');
    await makeSubmissionZip({ files: inputs, out: first });
    utimesSync(join(dir, 'b.ts'), new Date('2031-05-05T12:00:00Z'), new Date('2031-05-05T12:00:00Z'));
    await new Promise((r) => setTimeout(r, 1100)); // a different wall-clock second than the first zip
    await makeSubmissionZip({ files: [...inputs].reverse(), out: second });
    expect(readFileSync(second).equals(readFileSync(first))).toBe(true);
    expect(await listZip(first)).toEqual([
      { name: 'starter/lab/b.ts', date: '2020-01-01T00:00:00.000Z', mode: 0o100644 },
      { name: 'starter/lab/lib/a.ts', date: '2020-01-01T00:00:00.000Z', mode: 0o100644 },
    ]);
  });

  test('round trip through the grader intake', async () => {
    const out = join(root, 'round.zip');
    await makeSubmissionZip({ files: inputs, out });
    const result = await readSubmission(out, ['b.ts', 'lib/a.ts']);
    expect(result.problems).toEqual([]);
    expect(result.files).toEqual(
      new Map([
        ['b.ts', 'export const b = 2;\n'],
        ['lib/a.ts', 'export const a = 1;\n'],
      ]),
    );
  });

  test('unsafe or duplicate names are refused instead of silently rewritten', async () => {
    const out = join(root, 'bad.zip');
    await expect(makeSubmissionZip({ files: [{ name: '../evil.ts', path: inputs[0]!.path }], out })).rejects.toThrow(
      /not a plain relative path/,
    );
    await expect(makeSubmissionZip({ files: [inputs[0]!, inputs[0]!], out })).rejects.toThrow(/duplicate entry/);
  });
});

describe('prepareSubmission (./submit.sh)', () => {
  const STUB = 'export class AiRouter {}\n';

  function fakeRepo(name: string, text: string | undefined): string {
    const repo = join(root, name);
    mkdirSync(join(repo, 'starter', 'routing'), { recursive: true });
    if (text !== undefined) writeFileSync(join(repo, 'starter', 'routing', 'ai-router.ts'), text);
    return repo;
  }
  const base = { lab: 'routing', files: ['ai-router.ts'], studentDir: 'starter/routing' };

  test('writes <lab>-submission.zip that the grader accepts; notes a skipped stub check without shipped fingerprints', async () => {
    const repo = fakeRepo('plain', 'export class AiRouter { x = 1; }\n');
    const report = await prepareSubmission({ ...base, repoRoot: repo, outDir: repo });
    expect(report.errors).toEqual([]);
    expect(report.zipPath).toBe(join(repo, 'routing-submission.zip'));
    expect(report.entries).toEqual(['starter/routing/ai-router.ts']);
    expect(report.notes).toEqual([
      'skipped the untouched-stub check: labs/routing/starter-fingerprints.json is not here (npm run dist:student puts it in the handout)',
    ]);
    const taken = await readSubmission(report.zipPath!, ['ai-router.ts']);
    expect(taken.files.get('ai-router.ts')).toBe('export class AiRouter { x = 1; }\n');
  });

  test('a missing file or a syntax error stops it with file:line:col, and removes an older zip', async () => {
    const missing = await prepareSubmission({ ...base, repoRoot: fakeRepo('missing', undefined), outDir: root });
    expect(missing.zipPath).toBeUndefined();
    expect(missing.errors).toEqual([
      expect.stringMatching(
        /^starter\/routing\/ai-router.ts: file not found; .*copy the stub back from your handout zip \(servelab\/starter\/routing\/ai-router.ts\)/,
      ),
    ]);
    expect(missing.errors[0]).not.toMatch(/git/);

    const stale = join(root, 'stale');
    mkdirSync(stale, { recursive: true });
    writeFileSync(join(stale, 'routing-submission.zip'), 'an older zip');
    const failed = await prepareSubmission({ ...base, repoRoot: fakeRepo('missing', undefined), outDir: stale });
    expect(failed.removedZip).toBe(join(stale, 'routing-submission.zip'));
    expect(existsSync(join(stale, 'routing-submission.zip'))).toBe(false);

    const broken = await prepareSubmission({
      ...base,
      repoRoot: fakeRepo('broken', 'export class AiRouter {\n  x = ;\n}\n'),
      outDir: root,
    });
    expect(broken.zipPath).toBeUndefined();
    expect(broken.errors).toEqual(['starter/routing/ai-router.ts:2:7: Unexpected ";"']);
  });

  /** A handout-like folder: the stub and its shipped fingerprint. */
  function handoutRepo(name: string): string {
    const repo = fakeRepo(name, STUB);
    mkdirSync(join(repo, 'labs', 'routing'), { recursive: true });
    writeFileSync(
      join(repo, stubFingerprintsFile('routing')),
      stubFingerprintsText('routing', new Map([['ai-router.ts', STUB]])),
    );
    return repo;
  }

  test('warns when the file is still the shipped stub (by fingerprint, no git), even with CRLF line endings', async () => {
    const repo = handoutRepo('stub');
    const untouched = await prepareSubmission({ ...base, repoRoot: repo, outDir: repo });
    expect(untouched.warnings).toEqual([
      'starter/routing/ai-router.ts is the starter stub exactly as shipped: you are submitting it unchanged (it scores nothing)',
    ]);
    expect(untouched.notes).toEqual([]);
    expect(untouched.zipPath).toBeDefined();

    writeFileSync(join(repo, 'starter', 'routing', 'ai-router.ts'), STUB.replace(/\n/g, '\r\n'));
    expect((await prepareSubmission({ ...base, repoRoot: repo, outDir: repo })).warnings).toHaveLength(1);

    writeFileSync(join(repo, 'starter', 'routing', 'ai-router.ts'), 'export class AiRouter { improved = true; }\n');
    const edited = await prepareSubmission({ ...base, repoRoot: repo, outDir: repo });
    expect(edited.warnings).toEqual([]);
    expect(edited.notes).toEqual([]);
  });

  test.skipIf(!hasGit())(
    needs(
      hasGit(),
      "in the student's own git repository, committed work is not mistaken for the stub",
      'git is not installed',
    ),
    async () => {
      const repo = handoutRepo('own-git');
      writeFileSync(join(repo, 'starter', 'routing', 'ai-router.ts'), 'export class AiRouter { done = true; }\n');
      const git = (...args: string[]) =>
        execFileSync('git', ['-C', repo, '-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], {
          stdio: 'ignore',
        });
      git('init', '-q');
      git('add', '.');
      git('commit', '-q', '-m', 'my work');
      const report = await prepareSubmission({ ...base, repoRoot: repo, outDir: repo });
      expect(report.warnings).toEqual([]);
      expect(report.notes).toEqual([]);
    },
  );

  test('the catalogue reads the routing files from the manifest and lists labs for an unknown one', () => {
    expect(studentFiles('routing')).toEqual({ files: ['ai-router.ts'], studentDir: 'starter/routing' });
    expect(() => studentFiles('nope')).toThrow(
      'unknown lab "nope"; labs: autoscaling, cfs, deadline, fairness, routing',
    );
  });
});
