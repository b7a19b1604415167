/**
 * A sandboxed child that dies at any point of a session (before its hello, during an ask, between
 * asks, after the last ask) ends the session with the crash verdict, and whoever drives it — a test
 * here, or an engine worker as in the routing lab (grader/kit/engine-worker.ts) — stops.
 * No wall-clock assertions: each test passes by returning within vitest's timeout. The child kills
 * itself with die() (test/fixtures/sandbox-attacks/die.ts), which works under every sandbox layer.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { REPO_ROOT } from '../../sim/config/paths.js';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { childCoverageBuildOptions } from '../../grader/build/child-coverage.js';
import { runEngineWorker } from '../../grader/kit/engine-worker.js';
import { SandboxEnded, startSandboxSession, type SandboxSession } from '../../grader/sandbox/index.js';
import type { EnginePlan } from '../fixtures/sandbox-attacks/engine-entry.js';
import { DIED } from '../fixtures/sandbox-attacks/die.js';

const here = dirname(fileURLToPath(import.meta.url));
const fixtures = join(here, '..', 'fixtures', 'sandbox-attacks');
const ENGINE_ENTRY = join(fixtures, 'engine-entry.ts');
const root = mkdtempSync(join(tmpdir(), 'servelab-session-death-'));

beforeAll(async () => {
  await esbuild.build({
    entryPoints: [join(fixtures, 'attacks.ts'), join(fixtures, 'dies-before-hello.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outdir: root,
    outExtension: { '.js': '.mjs' },
    // Counts the child-side code under `npm run coverage` (nothing otherwise).
    ...(await childCoverageBuildOptions(REPO_ROOT)),
    logLevel: 'silent',
  });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

function open(
  bundle = 'attacks.mjs',
  timeoutMs = 10_000,
  channel: 'thread' | 'worker' = 'thread',
): Promise<SandboxSession> {
  return startSandboxSession({ bundlePath: join(root, bundle), readDirs: [], timeoutMs, maxOldSpaceMb: 64, channel });
}

interface EngineResult {
  readonly answers: unknown[];
  readonly gone: boolean;
}

/** Drives the session from an engine worker, as the routing lab does. */
function drive(session: SandboxSession, plan: EnginePlan): Promise<EngineResult | 'child ended'> {
  return runEngineWorker<EnginePlan, EngineResult | 'child ended'>(ENGINE_ENTRY, plan, {
    session,
    whenChildEnded: () => 'child ended',
  });
}

describe('a child that dies mid-session, asked directly', () => {
  test('before its hello: the ask is refused and the verdict is crash, before the harness started', async () => {
    const session = await open('dies-before-hello.mjs');
    await expect(session.ask({ kind: 'channels' })).rejects.toBeInstanceOf(SandboxEnded);
    const outcome = await session.finish();
    expect(outcome.verdict).toBe('crash');
    expect(outcome.message).toMatch(DIED);
    expect(outcome.message).toMatch(/before the harness started/);
  });

  test('during an ask: that ask and later ones are refused, crash', async () => {
    const session = await open();
    expect(await session.ask({ kind: 'channels' })).toMatchObject({ send: 'undefined' });
    await expect(session.ask({ kind: 'die' })).rejects.toBeInstanceOf(SandboxEnded);
    await expect(session.ask({ kind: 'channels' })).rejects.toBeInstanceOf(SandboxEnded);
    const outcome = await session.finish();
    expect(outcome.verdict).toBe('crash');
    expect(outcome.message).toMatch(DIED);
  });

  test('between asks: the next ask is refused, crash', async () => {
    const session = await open();
    expect(await session.ask({ kind: 'die-soon' })).toBe('dying');
    await session.ended;
    await expect(session.ask({ kind: 'channels' })).rejects.toBeInstanceOf(SandboxEnded);
    const outcome = await session.finish();
    expect(outcome.verdict).toBe('crash');
    expect(outcome.message).toMatch(DIED);
  });

  test('after the last ask, before finish(): crash, not a clean run', async () => {
    const session = await open();
    expect(await session.ask({ kind: 'die-soon' })).toBe('dying');
    await session.ended;
    const outcome = await session.finish();
    expect(outcome.verdict).toBe('crash');
    expect(outcome.message).toMatch(DIED);
  });
});

describe('a child that dies mid-session, asked by an engine worker', () => {
  test('before its hello: the worker learns at its first ask', async () => {
    const session = await open('dies-before-hello.mjs', 10_000, 'worker');
    const result = await drive(session, { asks: [{ kind: 'channels' }], thenSpin: false });
    expect(result === 'child ended' || result.gone).toBe(true);
    expect((await session.finish()).verdict).toBe('crash');
  });

  test('during an ask: the blocked worker is woken and stops', async () => {
    const session = await open('attacks.mjs', 10_000, 'worker');
    const result = await drive(session, {
      asks: [{ kind: 'channels' }, { kind: 'die' }, { kind: 'channels' }],
      thenSpin: false,
    });
    if (result !== 'child ended') {
      expect(result.gone).toBe(true);
      expect(result.answers).toHaveLength(1);
    }
    const outcome = await session.finish();
    expect(outcome.verdict).toBe('crash');
    expect(outcome.message).toMatch(DIED);
  });

  test('after the last ask, while the worker computes without asking: the worker is stopped (the kills-itself hang)', async () => {
    const session = await open('attacks.mjs', 10_000, 'worker');
    const result = await drive(session, { asks: [{ kind: 'die-soon' }], thenSpin: true });
    expect(result).toBe('child ended');
    const outcome = await session.finish();
    expect(outcome.verdict).toBe('crash');
    expect(outcome.message).toMatch(DIED);
  });

  test("a live child and a worker that never asks again: the child's timeout ends both", async () => {
    const session = await open('attacks.mjs', 1_500, 'worker');
    const result = await drive(session, { asks: [{ kind: 'channels' }], thenSpin: true });
    expect(result).toBe('child ended');
    const outcome = await session.finish();
    expect(outcome.verdict).toBe('timeout');
  });

  test('a worker that finishes normally still gets its own result, and the session is clean', async () => {
    const session = await open('attacks.mjs', 10_000, 'worker');
    const result = await drive(session, { asks: [{ kind: 'channels' }, { kind: 'channels' }], thenSpin: false });
    expect(result).toMatchObject({ gone: false, answers: [{ send: 'undefined' }, { send: 'undefined' }] });
    expect((await session.finish()).verdict).toBe('ok');
  });
});
