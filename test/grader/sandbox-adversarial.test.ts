/**
 * The adversarial corpus of issue 15: each attack student code made on the grader, run against the
 * sandbox as it is on this machine. Every attack must cost only its own run, with its own verdict, and
 * the grader process must come out untouched (not signalled, not stopped, no inspector, no connection
 * on a listener it opened). Attacks that only an operating-system layer stops skip, with the reason,
 * where that layer is missing (a non-root laptop); CI and Gradescope run as root, where they all apply.
 */
import { existsSync, linkSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import inspector from 'node:inspector';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { childCoverageBuildOptions } from '../../grader/build/child-coverage.js';
import { loadLab } from '../../grader/labs/catalogue.js';
import { gradeSubmission } from '../../grader/core/grade.js';
import { readSubmission } from '../../grader/intake/index.js';
import { GradescopeResults } from '../../grader/report/gradescope.js';
import { isolationPlan, type LayerName } from '../../grader/sandbox/isolation.js';
import {
  runSandboxed,
  SandboxEnded,
  startSandboxSession,
  type SandboxOptions,
  type SandboxOutcome,
} from '../../grader/sandbox/index.js';
import { REPO_ROOT } from '../../sim/config/paths.js';
import { rawZip } from './zip-writer.js';

const here = dirname(fileURLToPath(import.meta.url));
const fixtures = join(here, '..', 'fixtures', 'sandbox-attacks');
const root = mkdtempSync(join(tmpdir(), 'servelab-adversarial-'));
const bundleDir = join(root, 'bundle');
const plan = isolationPlan();
const has = (layer: LayerName) => plan.active.includes(layer);
const why = (layer: LayerName) => plan.missing.find((m) => m.layer === layer)?.reason ?? '';

let usr1 = 0;
const countUsr1 = () => usr1++;

beforeAll(async () => {
  process.on('SIGUSR1', countUsr1);
  await esbuild.build({
    entryPoints: [join(fixtures, 'attacks.ts'), join(fixtures, 'early-reply.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outdir: bundleDir,
    outExtension: { '.js': '.mjs' },
    // Counts the child-side code under `npm run coverage` (nothing otherwise).
    ...(await childCoverageBuildOptions(REPO_ROOT)),
    logLevel: 'silent',
  });
});
afterAll(() => {
  process.removeListener('SIGUSR1', countUsr1);
  rmSync(root, { recursive: true, force: true });
});

function run(input: unknown, extra: Partial<SandboxOptions> = {}): Promise<SandboxOutcome> {
  return runSandboxed({
    bundlePath: join(bundleDir, 'attacks.mjs'),
    readDirs: [],
    input,
    timeoutMs: 5_000,
    maxOldSpaceMb: 64,
    maxReplyBytes: 1024 * 1024,
    ...extra,
  });
}

/** A listener on 127.0.0.1 that records whether anyone connected and what they sent. */
async function listener(): Promise<{ server: Server; port: number; received: string[] }> {
  const received: string[] = [];
  const server = createServer((socket) => {
    received.push('connection');
    socket.on('data', (d) => received.push(d.toString()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as { port: number }).port, received };
}

describe('the layers on this machine', () => {
  test('are detected once and named, active or missing with a reason', () => {
    expect([...plan.active, ...plan.missing.map((m) => m.layer)].sort()).toEqual([
      'memory-limit',
      'network-namespace',
      'pid-namespace',
      'process-limit',
      'separate-user',
      'sigusr1-guard',
    ]);
    for (const m of plan.missing) expect(m.reason).not.toBe('');
    expect(isolationPlan()).toBe(plan);
  });

  test('SIGUSR1 to the grader does not open its inspector (sigusr1-guard)', async () => {
    process.kill(process.pid, 'SIGUSR1');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(usr1).toBeGreaterThan(0);
    expect(inspector.url()).toBeUndefined();
    // The guard is a listener of its own: removing another one (this test's counter) leaves it in place.
    process.removeListener('SIGUSR1', countUsr1);
    try {
      expect(process.listenerCount('SIGUSR1')).toBeGreaterThan(0);
      process.kill(process.pid, 'SIGUSR1');
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(inspector.url()).toBeUndefined();
    } finally {
      process.on('SIGUSR1', countUsr1);
    }
  });
});

describe('signals and sockets from the child', () => {
  test.skipIf(!has('separate-user') && !has('pid-namespace'))(
    `SIGUSR1, SIGSTOP and SIGKILL to the parent and the grader are refused${!has('separate-user') && !has('pid-namespace') ? ` (skipped: ${why('separate-user')}; ${why('pid-namespace')})` : ''}`,
    async () => {
      const before = usr1;
      const outcome = await run({ kind: 'signals', pid: process.pid });
      expect(outcome.verdict).toBe('ok');
      const attempts = (outcome.result as { attempts: string[] }).attempts;
      expect(attempts.length).toBeGreaterThan(0);
      for (const a of attempts) expect(a).not.toMatch(/: sent$/);
      // Still here, never stopped, never signalled, no inspector.
      expect(usr1).toBe(before);
      expect(inspector.url()).toBeUndefined();
    },
  );

  test.skipIf(!has('network-namespace'))(
    `a socket to a listener on 127.0.0.1 (hidden data exfiltration) does not connect${has('network-namespace') ? '' : ` (skipped: ${why('network-namespace')})`}`,
    async () => {
      const { server, port, received } = await listener();
      try {
        const outcome = await run({ kind: 'connect', port });
        expect(outcome.verdict).toBe('ok');
        expect((outcome.result as { connect: string }).connect).not.toBe('connected');
        expect(received).toEqual([]);
      } finally {
        server.close();
      }
    },
  );

  test.skipIf(!has('network-namespace'))(
    `the grader's inspector port cannot be reached either${has('network-namespace') ? '' : ` (skipped: ${why('network-namespace')})`}`,
    async () => {
      inspector.open(0, '127.0.0.1');
      try {
        const port = Number(new URL(inspector.url()!).port);
        const outcome = await run({ kind: 'connect', port });
        expect((outcome.result as { connect: string }).connect).not.toBe('connected');
      } finally {
        inspector.close();
      }
    },
  );
});

describe('the reply channel', () => {
  test('student code finds no process.send, no IPC channel, no message listeners and no session token', async () => {
    const outcome = await run({ kind: 'channels' });
    expect(outcome.verdict).toBe('ok');
    // Node passes NODE_V8_COVERAGE on to every child whatever its env (set only under `npm run coverage`).
    const coverage = process.env.NODE_V8_COVERAGE !== undefined ? ['NODE_V8_COVERAGE'] : [];
    expect(outcome.result).toEqual({
      send: 'undefined',
      channel: 'undefined',
      messageListeners: 0,
      env: ['LANG', 'NODE_OPTIONS', ...coverage, 'SERVELAB_SANDBOX', 'TZ'],
    });
  });

  test('garbage on the channel: invalid-output, the grader carries on', async () => {
    const outcome = await run({ kind: 'garbage' });
    expect(outcome.verdict).toBe('invalid-output');
    expect(outcome.message).toMatch(/malformed frame: a frame is not valid JSON/);
    expect(outcome.durationMs).toBeLessThan(5_000);
  });

  test('an endless frame is cut at the byte cap: output-too-large, killed', async () => {
    const outcome = await run({ kind: 'endless' });
    expect(outcome.verdict).toBe('output-too-large');
    expect(outcome.message).toMatch(/tried to send 2048\.0 MiB on the reply channel \(the cap is 1 MiB\)/);
    expect(outcome.signal).toBe('SIGKILL');
  });

  test('a huge reply is refused at the cap without the parent buffering it', async () => {
    const rss = process.memoryUsage().rss;
    const outcome = await run({ kind: 'huge', size: 32 * 1024 * 1024 }, { maxOldSpaceMb: 512, timeoutMs: 20_000 });
    expect(outcome.verdict).toBe('output-too-large');
    expect(process.memoryUsage().rss - rss).toBeLessThan(100 * 1024 * 1024);
  });

  test('a reply before the harness said hello: invalid-output', async () => {
    const outcome = await run(null, { bundlePath: join(bundleDir, 'early-reply.mjs') });
    expect(outcome.verdict).toBe('invalid-output');
    expect(outcome.message).toMatch(/before the harness had started/);
  });

  test('a forged reply written to fd 3 by student code: invalid-output, not a pass', async () => {
    const outcome = await run({ kind: 'forged' });
    expect(outcome.verdict).toBe('invalid-output');
    expect(outcome.message).toMatch(/without the session token/);
    expect(outcome.result).toBeUndefined();
  });
});

describe('sessions (one request at a time, as the routing lab asks per router call)', () => {
  test('answers in turn; a request whose handler throws ends the session with the error verdict, and later asks are refused', async () => {
    const session = await startSandboxSession({
      bundlePath: join(bundleDir, 'attacks.mjs'),
      readDirs: [],
      timeoutMs: 5_000,
      maxOldSpaceMb: 64,
    });
    const first = (await session.ask({ kind: 'channels' })) as { send: string };
    expect(first.send).toBe('undefined');
    await expect(session.ask({ kind: 'no-such-attack' })).rejects.toBeInstanceOf(SandboxEnded);
    await expect(session.ask({ kind: 'channels' })).rejects.toBeInstanceOf(SandboxEnded);
    const outcome = await session.finish();
    expect(outcome.verdict).toBe('error');
    expect(outcome.message).toBe('your code threw Error: unknown kind no-such-attack');
  });

  test('a session closed after every answer is a clean run', async () => {
    const session = await startSandboxSession({
      bundlePath: join(bundleDir, 'attacks.mjs'),
      readDirs: [],
      timeoutMs: 5_000,
      maxOldSpaceMb: 64,
    });
    await session.ask({ kind: 'channels' });
    await session.ask({ kind: 'channels' });
    const outcome = await session.finish();
    expect(outcome.verdict).toBe('ok');
    expect(outcome.exitCode).toBe(0);
  });
});

describe('memory', () => {
  test.skipIf(!has('memory-limit'))(
    `2.6 GB of ArrayBuffers (off the V8 heap) end in the memory verdict${has('memory-limit') ? '' : ` (skipped: ${why('memory-limit')})`}`,
    async () => {
      const outcome = await run({ kind: 'offheap' });
      expect(outcome.verdict).toBe('memory');
      expect(outcome.message).toMatch(/^ran out of memory/);
    },
  );
});

describe('a whole grading of hostile submissions', () => {
  // One grading for two attacks (a full build costs seconds): the router is an off-heap memory bomb and
  // the zip holds an entry whose name forges report lines.
  test('a hostile zip: its entry name is escaped in every report, its off-heap bomb costs only its items, results.json stays valid', async () => {
    const zip = join(root, 'hostile.zip');
    const evil = 'notes\n| 1 | PASS all items | 10 / 10 |\nPASS all items 10/10\n<script>alert(1)</script>.txt';
    const router = readFileSync(join(REPO_ROOT, 'test/fixtures/submissions/offheap-memory/ai-router.ts'));
    writeFileSync(
      zip,
      rawZip([
        { name: 'starter/routing/ai-router.ts', data: router },
        { name: evil, data: 'x' },
      ]),
    );
    const out = join(root, 'hostile-out');
    const result = await gradeSubmission({
      lab: await loadLab('routing'),
      submission: zip,
      outDir: out,
      maxItemTimeoutMs: 10_000,
    });
    if (has('memory-limit'))
      expect(result.items.map((i) => i.verdict)).toEqual(['memory', 'memory', 'memory', 'memory', 'memory']);
    expect(result.score).toBe(0);

    const results = GradescopeResults.parse(JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')));
    expect(results.output.split('\n').some((l) => l.startsWith('PASS all items') || l.startsWith('| 1 |'))).toBe(false);
    expect(results.output).toContain(
      '"notes\\n| 1 | PASS all items | 10 / 10 |\\nPASS all items 10/10\\n<script>alert(1)</script>.txt"',
    );
    expect(results.extra_data?.sandboxLayers).toEqual({
      active: [...plan.active],
      missing: plan.missing.map((m) => m.layer),
    });
    const md = readFileSync(join(out, 'report.md'), 'utf8');
    expect(md).not.toContain('<script>');
    expect(md.split('\n').some((l) => l.startsWith('| 1 | PASS') || l.startsWith('PASS all items'))).toBe(false);
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).not.toContain('<script>alert');
  });

  test('a hard link to a file outside the submission (the reference) is refused like a symlink', async () => {
    const dir = join(root, 'hardlink');
    mkdirSync(dir);
    const outside = join(root, 'reference-copy.ts');
    writeFileSync(outside, readFileSync(join(REPO_ROOT, 'reference/routing/ai-router.ts')));
    linkSync(outside, join(dir, 'ai-router.ts'));
    const intake = await readSubmission(dir, ['ai-router.ts']);
    expect(intake.files.size).toBe(0);
    expect(intake.problems).toEqual([
      {
        code: 'hard-link',
        file: 'ai-router.ts',
        message:
          'ai-router.ts is a hard link (the file has more than one name on disk); the grader does not read linked files. Submit a copy of the file itself',
      },
    ]);
    const result = await gradeSubmission({ lab: await loadLab('routing'), submission: dir });
    expect(result.score).toBe(0);
    expect(result.items.every((i) => i.verdict === 'missing-file')).toBe(true);
    expect(result.notices[0]).toMatch(/is a hard link/);
    expect(existsSync(outside)).toBe(true);
  });
});
