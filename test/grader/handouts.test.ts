/**
 * The student journey in freshly built handouts (issue 16): every lab's handout is built outside any
 * git repository (os.tmpdir()), its public checks run with `npm run check`, and ./submit.sh warns about
 * an untouched stub and not about a changed one. The handouts share the checkout's node_modules (a
 * symlink stands in for `npm ci`; their package.json lists a subset of the same dependencies;
 * instructor.test.ts installs one handout for real).
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../sim/config/paths.js';
import { buildStudentDist } from '../../grader/dist/student.js';
import { labManifest, labNames } from '../../grader/labs/catalogue.js';

const root = mkdtempSync(join(tmpdir(), 'servelab-handouts-'));
const handouts = new Map<string, string>();

beforeAll(async () => {
  for (const lab of labNames()) {
    const dir = join(root, lab, 'servelab');
    await buildStudentDist({ labs: [lab], outDir: dir, lockfile: false, published: lab === 'routing' });
    symlinkSync(join(REPO_ROOT, 'node_modules'), join(dir, 'node_modules'));
    handouts.set(lab, dir);
  }
  for (const lab of labNames()) {
    checks.set(lab, run(handouts.get(lab)!, 'npm', ['run', '--silent', 'check', '--', lab]));
    // After the lab's check, so the five checks, which all start here, are not slowed further.
    if (typechecked(lab))
      typechecks.set(
        lab,
        checks.get(lab)!.then(() => run(handouts.get(lab)!, 'npm', ['run', '--silent', 'typecheck'])),
      );
  }
  const solution = join(root, 'deadline-solution');
  cpSync(join(REPO_ROOT, 'reference', 'deadline'), solution, { recursive: true });
  tryRouting = run(handouts.get('routing')!, 'npm', ['run', '--silent', 'try', '--', 'routing']);
  solutionCheck = run(handouts.get('deadline')!, 'npm', [
    'run',
    '--silent',
    'check',
    '--',
    'deadline',
    '--dir',
    solution,
  ]);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

interface Ran {
  readonly status: number | null;
  readonly out: string;
}

/** Runs a command in a handout; started early and awaited in the tests, so the handouts' checks overlap. */
function run(dir: string, command: string, args: readonly string[]): Promise<Ran> {
  return new Promise((done) => {
    const child = spawn(command, args, { cwd: dir, env: { ...process.env, SERVELAB_HIDDEN_SEED: '' } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (out += d.toString('utf8')));
    child.on('close', (status) => done({ status, out }));
  });
}

/**
 * The handouts share everything but their lab's folders, which `npm run check` loads and runs; a type-only
 * import of a file left out is what a type check adds. Every run type-checks routing's handout, CI's
 * SERVELAB_BUNDLES=1 pass all five.
 */
const typechecked = (lab: string) => lab === 'routing' || process.env.SERVELAB_BUNDLES === '1';

const checks = new Map<string, Promise<Ran>>();
const typechecks = new Map<string, Promise<Ran>>();
let solutionCheck: Promise<Ran>;
let tryRouting: Promise<Ran>;

describe('handouts, built outside any git repository', () => {
  it('are not inside a git repository', () => {
    const git = spawnSync('git', ['-C', root, 'rev-parse', '--is-inside-work-tree'], { encoding: 'utf8' });
    if (git.error === undefined) expect(git.stdout.trim()).not.toBe('true');
  });

  for (const lab of labNames()) {
    it(`${lab}: npm run check runs every public item on the stub without a grader error`, async () => {
      const { status, out } = await checks.get(lab)!;
      expect(status, out).toBe(0);
      expect(out).not.toMatch(/grader-error|reference solution .* is missing/);
      const visible = labManifest(lab).items.filter((i) => i.visibility === 'visible').length;
      expect(out.match(/^(PASS|PART|FAIL) {2}\d+\./gm)?.length, out).toBe(visible);
    });

    it.runIf(typechecked(lab))(
      `${lab}: the handout type-checks (its harness's @student/${lab}/… imports resolve to starter/${lab}/)`,
      async () => {
        const { status, out } = await typechecks.get(lab)!;
        expect(status, out).toBe(0);
      },
    );
  }

  it("a handout's catalogue knows its own lab only: its manifest and grading code were copied, no source rewritten", async () => {
    const dir = handouts.get('routing')!;
    expect(existsSync(join(dir, 'labs', 'fairness'))).toBe(false);
    expect(existsSync(join(dir, 'grader', 'labs', 'fairness'))).toBe(false);
    expect(readFileSync(join(dir, 'grader', 'labs', 'catalogue.ts'), 'utf8')).toBe(
      readFileSync(join(REPO_ROOT, 'grader', 'labs', 'catalogue.ts'), 'utf8'),
    );
    const other = await run(dir, 'npm', ['run', '--silent', 'check', '--', 'fairness']);
    expect(other.status, other.out).toBe(2);
    expect(other.out).toMatch(/error: unknown lab "fairness"; labs: routing/);
  });

  it('deadline: the public checks give full marks to a full solution without the reference in the handout', async () => {
    expect(existsSync(join(handouts.get('deadline')!, 'reference'))).toBe(false);
    const { status, out } = await solutionCheck;
    expect(status, out).toBe(0);
    expect(out).toMatch(/public checks: 15 \/ 15 points/);
  });

  it('routing: npm run try shows the stub beside the baselines and the published reference numbers, without the reference', async () => {
    const dir = handouts.get('routing')!;
    expect(existsSync(join(dir, 'labs', 'routing', 'published.json'))).toBe(true);
    const { status, out } = await tryRouting;
    expect(status, out).toBe(0);
    expect(out).toMatch(/workload: metric +yours +round robin +lor +reference \(published\)/);
    expect(out).toMatch(/^2 QPS: mean e2e \(s\) +\d+\.\d{3} +\d+\.\d{3} +\d+\.\d{3} +\d+\.\d{3}$/m);
    expect(existsSync(join(dir, 'reports', 'routing', 'try', 'plot-1.svg'))).toBe(true);
  });

  it('./submit.sh warns about an untouched stub and not about a changed one', async () => {
    const dir = handouts.get('routing')!;
    await Promise.all([checks.get('routing'), tryRouting]); // both read the stub too
    const untouched = await run(dir, 'bash', ['submit.sh', 'routing']);
    expect(untouched.status, untouched.out).toBe(0);
    expect(untouched.out).toMatch(/warning: starter\/routing\/ai-router.ts is the starter stub exactly as shipped/);
    expect(untouched.out).not.toMatch(/skipped the untouched-stub check|not a git repository/);

    const file = join(dir, 'starter', 'routing', 'ai-router.ts');
    writeFileSync(file, `${readFileSync(file, 'utf8')}\n// my work\n`);
    const changed = await run(dir, 'bash', ['submit.sh', 'routing']);
    expect(changed.status, changed.out).toBe(0);
    expect(changed.out).not.toMatch(/warning|note:/);
    expect(existsSync(join(dir, 'routing-submission.zip'))).toBe(true);
  });
});
