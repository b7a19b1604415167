/**
 * `npm run dist:student` / `dist:gradescope` (grader/cli/dist.ts) on the command line: each mistake is a
 * specific message and exit status 2, before anything is built; a student handout is written and scanned.
 * The Gradescope build itself is tested in visibility-and-seed.test.ts and instructor.test.ts.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, test, vi } from 'vitest';
import { main } from '../../grader/cli/dist.js';

const root = mkdtempSync(join(tmpdir(), 'servelab-dist-cli-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
afterEach(() => {
  vi.restoreAllMocks();
  delete process.env.SERVELAB_HIDDEN_SEED;
});

async function run(argv: string[]): Promise<{ status: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
  const status = await main(argv);
  return { status, out: out.join('\n'), err: err.join('\n') };
}

describe('dist CLI', () => {
  test.each([
    ['no arguments', []],
    ['an unknown kind', ['zip', 'routing']],
    ['a kind without a lab', ['student']],
  ])('%s: the usage of both commands, exit 2', async (_, argv) => {
    const { status, err } = await run(argv);
    expect(status).toBe(2);
    expect(err).toMatch(/^error: usage: npm run dist:student -- <autoscaling\|.*\|all> \[--out DIR\]/);
    expect(err).toMatch(/npm run dist:gradescope -- <lab> \[--out DIR\] \[--seed N\]/);
  });

  test('an unknown lab is named with the list of labs, and nothing is written', async () => {
    const out = join(root, 'unknown');
    const { status, err } = await run(['gradescope', 'nolab', '--out', out]);
    expect(status).toBe(2);
    expect(err).toMatch(/unknown lab "nolab"; labs: autoscaling, cfs, deadline, fairness, routing/);
    expect(existsSync(out)).toBe(false);
  });

  test('a SERVELAB_HIDDEN_SEED that is not an integer is refused before the build', async () => {
    process.env.SERVELAB_HIDDEN_SEED = '12.5';
    const out = join(root, 'bad-seed');
    const { status, err } = await run(['gradescope', 'routing', '--out', out]);
    expect(status).toBe(2);
    expect(err).toBe('error: SERVELAB_HIDDEN_SEED must be an integer, got "12.5"');
    expect(existsSync(out)).toBe(false);
  });

  test('an unknown flag is refused', async () => {
    const { status, err } = await run(['student', 'routing', '--outdir', root]);
    expect(status).toBe(2);
    expect(err).toMatch(/--outdir/);
  });

  test('student: writes the handout folder and its zip, scanned for hidden material', async () => {
    const out = join(root, 'student');
    const { status, out: printed } = await run(['student', 'routing', '--out', out, '--no-lockfile']);
    expect(status).toBe(0);
    expect(printed).toMatch(
      new RegExp(`^wrote ${out}/ \\(\\d+ files\\) and .*\\.zip; scanned: no reference, mutant or hidden seed inside$`),
    );
    expect(existsSync(join(out, 'starter', 'routing'))).toBe(true);
    expect(existsSync(join(out, 'reference'))).toBe(false);
  });
});
