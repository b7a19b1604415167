/**
 * The sandbox on this machine's Node: each verdict is provoked by a purpose-written harness
 * (test/fixtures/sandbox/) and each test checks the verdict plus what it observed (signal, message,
 * truncation; never a duration, which a loaded machine stretches), so a regression in confinement shows up as a wrong verdict, not a silent pass.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { REPO_ROOT } from '../../sim/config/paths.js';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { childCoverageBuildOptions } from '../../grader/build/child-coverage.js';
import { runSandboxed, type SandboxOptions, type SandboxOutcome } from '../../grader/sandbox/index.js';
import { trimStack } from '../../grader/sandbox/stack.js';

const here = dirname(fileURLToPath(import.meta.url));
const fixtures = join(here, '..', 'fixtures', 'sandbox');
const root = mkdtempSync(join(tmpdir(), 'servelab-sandbox-'));
const bundleDir = join(root, 'bundle');
const secret = join(root, 'hidden', 'seeds.json');
const TIMEOUT_MS = 1_000;

beforeAll(async () => {
  mkdirSync(join(root, 'hidden'));
  writeFileSync(secret, '{"seed": 424242}');
  await esbuild.build({
    entryPoints: [join(fixtures, 'behaviours.ts'), join(fixtures, 'top-level-throw.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outdir: bundleDir,
    outExtension: { '.js': '.mjs' },
    sourcemap: 'inline',
    sourcesContent: false,
    // Counts the child-side code under `npm run coverage` (nothing otherwise).
    ...(await childCoverageBuildOptions(REPO_ROOT)),
    logLevel: 'silent',
  });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

function run(input: unknown, extra: Partial<SandboxOptions> = {}): Promise<SandboxOutcome> {
  return runSandboxed({
    bundlePath: join(bundleDir, 'behaviours.mjs'),
    readDirs: [bundleDir],
    input,
    timeoutMs: TIMEOUT_MS,
    maxOldSpaceMb: 48,
    ...extra,
  });
}

describe('runSandboxed verdicts', () => {
  test('ok: the reply comes back on the frame channel; stdout captured; the child sees only a minimal env', async () => {
    process.env.SERVELAB_TEST_PARENT_SECRET = 'do-not-leak';
    try {
      const outcome = await run({ kind: 'echo', value: { a: [1, 2] } });
      expect(outcome.verdict).toBe('ok');
      // Node passes NODE_V8_COVERAGE on to every child whatever its env (how `npm run coverage` covers children).
      const coverage = process.env.NODE_V8_COVERAGE !== undefined ? ['NODE_V8_COVERAGE'] : [];
      expect(outcome.result).toEqual({
        echo: { a: [1, 2] },
        env: ['LANG', 'NODE_OPTIONS', ...coverage, 'SERVELAB_SANDBOX', 'TZ'],
      });
      expect(outcome.stdout).toBe('hello from the child\n');
      expect(outcome.stderr).toBe('');
      expect(outcome.exitCode).toBe(0);
    } finally {
      delete process.env.SERVELAB_TEST_PARENT_SECRET;
    }
  });

  test('determinism: Math.random is seeded per run and every clock student code reads is pinned', async () => {
    const a = await run({ kind: 'clocks' }, { randomSeed: 7 });
    const again = await run({ kind: 'clocks' }, { randomSeed: 7 });
    const other = await run({ kind: 'clocks' }, { randomSeed: 8 });
    expect(a.verdict).toBe('ok');
    expect(again.result).toEqual(a.result);
    const r = a.result as Record<string, unknown>;
    expect(r).toMatchObject({
      now: Date.UTC(2026, 0, 1),
      date: '2026-01-01T00:00:00.000Z',
      parsed: Date.UTC(2020, 4, 1),
      perf: 0,
      hr: 0,
      cpu: 0,
      isDate: true,
    });
    const [x, y] = r.random as number[];
    expect(x).not.toBe(y);
    expect((other.result as Record<string, unknown>).random).not.toEqual(r.random);
  });

  test('ok: an async handler; reading its own folder (the bundle copy) works', async () => {
    expect((await run({ kind: 'async' })).result).toEqual({ late: true });
    const own = await run({ kind: 'read-self' });
    expect(own.verdict).toBe('ok');
    expect(own.result).toContain('boom from the fixture');
  });

  test('timeout: an infinite loop is killed (SIGKILL to the group) at the limit', async () => {
    const outcome = await run({ kind: 'loop' });
    expect(outcome.verdict).toBe('timeout');
    expect(outcome.signal).toBe('SIGKILL');
    expect(outcome.message).toMatch(/timed out after 1000 ms of CPU time/);
  });

  test('timeout counts CPU time: a child that waits 1.4 s without computing passes a 1 s limit', async () => {
    // Under a wall-clock limit this would time out; on a loaded machine a correct submission is in the same spot.
    const outcome = await run({ kind: 'sleep' });
    expect(outcome.verdict).toBe('ok');
    expect(outcome.result).toEqual({ slept: true });
  });

  test('timeout: a student who ignores SIGTERM still dies', async () => {
    const outcome = await run({ kind: 'sigterm-proof' });
    expect(outcome.verdict).toBe('timeout');
    expect(outcome.signal).toBe('SIGKILL');
  });

  test('timeout: a promise that never settles ends at the wall-clock backstop, 4x the limit, and says it was waiting', async () => {
    const outcome = await run({ kind: 'never' });
    expect(outcome.verdict).toBe('timeout');
    expect(outcome.signal).toBe('SIGKILL');
    expect(outcome.message).toMatch(/timed out after 4000 ms of wall time, using less than its 1000 ms of CPU time/);
  });

  test('memory: a heap bomb hits --max-old-space-size (SIGABRT, heap out of memory)', async () => {
    const outcome = await run({ kind: 'memory' }, { timeoutMs: 10_000 });
    expect(outcome.verdict).toBe('memory');
    expect(outcome.message).toMatch(/heap limit is 48 MB/);
    expect(outcome.details).toMatch(/heap out of memory/);
  });

  test('permission: reading a file outside readDirs (hidden data) is denied and named', async () => {
    const outcome = await run({ kind: 'read', path: secret });
    expect(outcome.verdict).toBe('permission');
    expect(outcome.message).toBe(
      `reading ${secret} is not allowed: graded code may not read or write files, start processes or workers; use only what the harness passes in`,
    );
    expect(JSON.stringify(outcome)).not.toContain('424242');
  });

  test('permission: importing a module outside readDirs is denied', async () => {
    const module = join(root, 'hidden', 'reference.mjs');
    writeFileSync(module, 'export const answer = 424242;\n');
    const outcome = await run({ kind: 'import', path: module });
    expect(JSON.stringify(outcome)).not.toContain('424242');
    if (outcome.error?.code === 'ERR_MODULE_NOT_FOUND') {
      // As a separate user the grader's 0700 temp folder is closed before the permission model is asked.
      expect(outcome.verdict).toBe('error');
    } else {
      expect(outcome.verdict).toBe('permission');
      expect(outcome.error?.permission).toBe('FileSystemRead');
    }
  });

  test('permission: spawning a child process is denied', async () => {
    const outcome = await run({ kind: 'spawn' });
    expect(outcome.verdict).toBe('permission');
    expect(outcome.message).toMatch(/^starting a child process is not allowed/);
    expect(outcome.stdout).not.toContain('escaped');
  });

  test('permission: writing a file and starting a worker are denied', async () => {
    const write = await run({ kind: 'write', path: secret });
    expect(write.verdict).toBe('permission');
    expect(write.message).toMatch(new RegExp(`^writing ${secret} is not allowed`));
    expect(readFileSync(secret, 'utf8')).toBe('{"seed": 424242}');
    const worker = await run({ kind: 'worker' });
    expect(worker.verdict).toBe('permission');
    expect(worker.message).toMatch(/^starting a worker thread is not allowed/);
  });

  test('exit: process.exit(0) before replying', async () => {
    const outcome = await run({ kind: 'exit' });
    expect(outcome.verdict).toBe('exit');
    expect(outcome.exitCode).toBe(0);
    expect(outcome.message).toMatch(/do not call process.exit/);
  });

  test('error: a throw becomes an error reply with the stack trimmed to student frames', async () => {
    const outcome = await run({ kind: 'throw' }, { srcRoot: join(here, '..'), studentDir: 'fixtures/sandbox' });
    expect(outcome.verdict).toBe('error');
    expect(outcome.message).toBe('your code threw RangeError: boom from the fixture');
    const frames = outcome.details!.split('\n').slice(1);
    expect(frames.length).toBeGreaterThan(0);
    // Source-mapped to the TypeScript file, shown relative to srcRoot; harness frames dropped.
    for (const frame of frames) expect(frame).toMatch(/fixtures\/sandbox\/behaviours\.ts:\d+:\d+/);
  });

  test('error: throwing a non-Error value, and a throw while the module loads', async () => {
    expect((await run({ kind: 'throw-string' })).message).toBe('your code threw a non-Error value: just a string');
    const top = await run(null, { bundlePath: join(bundleDir, 'top-level-throw.mjs') });
    expect(top.verdict).toBe('error');
    expect(top.message).toBe('your code threw Error: thrown at module top level');
  });

  test('error: a result JSON cannot carry is a harness error, not silence', async () => {
    const outcome = await run({ kind: 'bigint' });
    expect(outcome.verdict).toBe('error');
    expect(outcome.message).toMatch(/^the harness failed: the harness result is not JSON-serialisable/);
  });

  test('output-too-large: printing without end is stopped at the cap and truncated', async () => {
    const outcome = await run({ kind: 'print' });
    expect(outcome.verdict).toBe('output-too-large');
    expect(outcome.signal).toBe('SIGKILL');
    expect(outcome.message).toMatch(/^stdout exceeded 64 KiB/);
    const [kept, note] = outcome.stdout.split('\n…truncated ');
    expect(kept).toHaveLength(64 * 1024);
    expect(Number(note!.replace(' bytes', ''))).toBeGreaterThan(0);
  });

  test('student code finds no process.send (no IPC channel) and still gets its real reply through', async () => {
    const outcome = await run({ kind: 'malformed-reply' });
    expect(outcome.verdict).toBe('ok');
    expect(outcome.result).toBe('the real reply');
  });

  test('a missing bundle is a grader error (rejects), not a verdict', async () => {
    await expect(run({ kind: 'echo' }, { bundlePath: join(root, 'nope.mjs') })).rejects.toThrow(/does not exist/);
  });
});

describe('trimStack', () => {
  test('keeps student frames, relative to srcRoot', () => {
    const stack = [
      'Error: bad',
      '    at AiRouter.schedule (/w/src/starter/routing/ai-router.ts:14:11)',
      '    at Cluster.route (/w/src/sim/engine/cluster.ts:80:3)',
      '    at file:///w/src/starter/routing/ai-router.ts:3:1',
    ].join('\n');
    expect(trimStack(stack, { srcRoot: '/w/src', studentDir: 'starter/routing' })).toBe(
      [
        'Error: bad',
        '    at AiRouter.schedule (starter/routing/ai-router.ts:14:11)',
        '    at starter/routing/ai-router.ts:3:1',
      ].join('\n'),
    );
    expect(trimStack(stack, { srcRoot: '/w/src', studentDir: 'starter/other' }).split('\n')).toHaveLength(4);
  });
});
