/**
 * The reply channel's attacks (issue 15) on a worker session, where an engine worker reads the child's
 * pipe itself (grader/sandbox/worker-channel.ts) instead of the grader's thread: each must end with the
 * same verdict as on the grader's thread (test/grader/sandbox-adversarial.test.ts), because both
 * readers check with the one ReplyGuard and the grader's thread still decides and kills. Also: the
 * worker never needs the grader's thread per ask (a count, not a time), and no temp file is left.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import * as esbuild from 'esbuild';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runEngineWorker } from '../../grader/kit/engine-worker.js';
import { encodeFrame } from '../../grader/sandbox/frames.js';
import { closeQuietly, openWorkerPipes } from '../../grader/sandbox/worker-pipes.js';
import {
  ChannelEnded,
  startSandboxSession,
  SyncChildChannel,
  type SandboxOutcome,
  type SandboxSession,
  type WorkerChannelReport,
} from '../../grader/sandbox/index.js';
import type { EnginePlan } from '../fixtures/sandbox-attacks/engine-entry.js';

const here = dirname(fileURLToPath(import.meta.url));
const fixtures = join(here, '..', 'fixtures', 'sandbox-attacks');
const ENGINE_ENTRY = join(fixtures, 'engine-entry.ts');
const root = mkdtempSync(join(tmpdir(), 'servelab-worker-channel-'));

beforeAll(async () => {
  await esbuild.build({
    entryPoints: [join(fixtures, 'attacks.ts'), join(fixtures, 'early-reply.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outdir: root,
    outExtension: { '.js': '.mjs' },
    logLevel: 'silent',
  });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

interface EngineResult {
  readonly answers: unknown[];
  readonly gone: boolean;
}

function open(bundle = 'attacks.mjs', maxReplyBytes?: number): Promise<SandboxSession> {
  return startSandboxSession({
    bundlePath: join(root, bundle),
    readDirs: [],
    timeoutMs: 10_000,
    maxOldSpaceMb: 64,
    channel: 'worker',
    ...(maxReplyBytes !== undefined ? { maxReplyBytes } : {}),
  });
}

/** Drives a worker session as the routing lab does, then finishes it (runEngineWorker settles after the worker exits). */
async function drive(
  plan: EnginePlan,
  bundle?: string,
  maxReplyBytes?: number,
): Promise<{ result: EngineResult | 'child ended'; outcome: SandboxOutcome; reports: WorkerChannelReport[] }> {
  const session = await open(bundle, maxReplyBytes);
  // Everything the worker tells the grader's thread passes here.
  const reports: WorkerChannelReport[] = [];
  const watched: SandboxSession = {
    ...session,
    workerReport: (report) => {
      reports.push(report);
      session.workerReport(report);
    },
  };
  const result = await runEngineWorker<EnginePlan, EngineResult | 'child ended'>(ENGINE_ENTRY, plan, {
    session: watched,
    whenChildEnded: () => 'child ended',
  });
  return { result, outcome: await session.finish(), reports };
}

const gone = (result: EngineResult | 'child ended'): boolean => result === 'child ended' || result.gone;

describe('attacks on the reply channel of a worker session', () => {
  test('a forged reply written to fd 3 by student code: invalid-output, and the worker stops', async () => {
    const { result, outcome } = await drive({ asks: [{ kind: 'forged' }], thenSpin: false });
    expect(gone(result)).toBe(true);
    expect(outcome.verdict).toBe('invalid-output');
    expect(outcome.message).toMatch(/without the session token/);
  });

  test('garbage on the channel: invalid-output (malformed frame)', async () => {
    const { result, outcome } = await drive({ asks: [{ kind: 'garbage' }], thenSpin: false });
    expect(gone(result)).toBe(true);
    expect(outcome.verdict).toBe('invalid-output');
    expect(outcome.message).toMatch(/malformed frame/);
  });

  test('an endless frame: output-too-large at the byte cap, read by the worker', async () => {
    const { result, outcome } = await drive({ asks: [{ kind: 'endless' }], thenSpin: false }, undefined, 1 << 20);
    expect(gone(result)).toBe(true);
    expect(outcome.verdict).toBe('output-too-large');
    expect(outcome.message).toMatch(/on the reply channel \(the cap is/);
  });

  test('a reply past the byte cap: output-too-large', async () => {
    const { outcome } = await drive({ asks: [{ kind: 'huge', size: 2 << 20 }], thenSpin: false }, undefined, 1 << 20);
    expect(outcome.verdict).toBe('output-too-large');
  });

  test('a reply before the hello: invalid-output', async () => {
    const { result, outcome } = await drive({ asks: [{ kind: 'channels' }], thenSpin: false }, 'early-reply.mjs');
    expect(gone(result)).toBe(true);
    expect(outcome.verdict).toBe('invalid-output');
    expect(outcome.message).toMatch(/before the harness had started/);
  });

  test('a forged reply after the last answer: invalid-output, found once the worker is gone', async () => {
    const { result, outcome } = await drive({
      asks: [{ kind: 'forged-after-answer' }],
      thenSpin: false,
      thenSleepMs: 1_500,
    });
    expect(result).toMatchObject({ gone: false, answers: ['answered'] });
    expect(outcome.verdict).toBe('invalid-output');
    expect(outcome.message).toMatch(/after its last answer/);
  });

  test("the handler's throw: the error verdict with the student's message, later asks refused", async () => {
    const { result, outcome } = await drive({
      asks: [{ kind: 'channels' }, { kind: 'no-such-attack' }, { kind: 'channels' }],
      thenSpin: false,
    });
    // The child exits right after its error reply: the worker stops by itself or is stopped, either way.
    expect(gone(result)).toBe(true);
    if (result !== 'child ended') expect(result.answers).toHaveLength(1);
    expect(outcome.verdict).toBe('error');
    expect(outcome.message).toBe('your code threw Error: unknown kind no-such-attack');
  });

  test("40 asks cross the grader's thread once (the hello), not per ask; the run is clean; no pipe or bundle file is left", async () => {
    const before = new Set(readdirSync(tmpdir()).filter((n) => /^servelab-(pipes|engine)-/.test(n)));
    const asks = Array.from({ length: 40 }, () => ({ kind: 'channels' }));
    const { result, outcome, reports } = await drive({ asks, thenSpin: false });
    expect(result).toMatchObject({ gone: false });
    if (result !== 'child ended') {
      expect(result.answers).toHaveLength(40);
      expect(result.answers[0]).toMatchObject({ send: 'undefined', messageListeners: 0 });
    }
    expect(reports).toEqual([{ ready: true, answered: 0, unanswered: false }]);
    expect(outcome.verdict).toBe('ok');
    const after = readdirSync(tmpdir()).filter((n) => /^servelab-(pipes|engine)-/.test(n) && !before.has(n));
    expect(after).toEqual([]);
  });
});

describe('the worker side of the channel, on real pipes with a scripted child', () => {
  const TOKEN = 'session-token';
  const hello = encodeFrame({ type: 'hello', token: TOKEN });
  const reply = (id: number, result: unknown) => encodeFrame({ type: 'reply', id, token: TOKEN, ok: true, result });
  type Step = { readonly write: Buffer } | { readonly awaitRequest: true } | { readonly close: true };

  /**
   * A "child" in a thread of its own, on the child's ends of real pipes: it writes and waits for
   * requests as scripted (each write is one write(2) under PIPE_BUF, so it is read whole).
   */
  function scripted(steps: readonly Step[]) {
    const pipes = openWorkerPipes();
    const [replyEnd, requestEnd] = pipes.childEnds;
    const script = steps.map((s) =>
      'write' in s ? { write: s.write.toString('base64') } : 'close' in s ? { close: true } : { awaitRequest: true },
    );
    const child = new Worker(
      `const { readSync, writeSync, closeSync } = require('node:fs');
       const { workerData: { replyEnd, requestEnd, script } } = require('node:worker_threads');
       const buffer = Buffer.alloc(65536);
       for (const step of script) {
         if (step.write !== undefined) writeSync(replyEnd, Buffer.from(step.write, 'base64'));
         else if (step.close) closeSync(replyEnd);
         else {
           // The child's end of the request pipe is non-blocking (as libuv wants it): poll.
           for (;;) {
             try {
               if (readSync(requestEnd, buffer, 0, buffer.length, null) > 0) break;
             } catch (error) {
               if (error.code !== 'EAGAIN') throw error;
             }
             Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
           }
         }
       }`,
      { eval: true, workerData: { replyEnd, requestEnd, script } },
    );
    const reports: WorkerChannelReport[] = [];
    const channel = new SyncChildChannel(
      {
        requestFd: pipes.workerEnds.request,
        replyFd: pipes.workerEnds.reply,
        token: TOKEN,
        maxReplyBytes: 1 << 20,
        busy: new SharedArrayBuffer(4),
      },
      (report) => reports.push(report),
    );
    const cleanup = async () => {
      await child.terminate();
      for (const fd of [requestEnd, pipes.workerEnds.request, pipes.workerEnds.reply, pipes.drainEnd]) closeQuietly(fd);
      if (!steps.some((s) => 'close' in s)) closeQuietly(replyEnd);
    };
    return { channel, reports, cleanup };
  }

  test('a reply and a surplus frame in one read: the answer stands, the breach is reported, the next ask throws', async () => {
    const { channel, reports, cleanup } = scripted([
      { write: hello },
      { awaitRequest: true },
      { write: Buffer.concat([reply(1, 'first'), reply(1, 'again')]) },
    ]);
    try {
      expect(channel.ask('q')).toBe('first');
      expect(reports.at(-1)?.breach).toEqual({
        reason: 'protocol',
        detail: 'the child sent more than one reply to one request',
      });
      expect(() => channel.ask('q')).toThrow(ChannelEnded);
    } finally {
      await cleanup();
    }
  });

  test('a frame sent with the hello, before any request: refused, and the ask throws without waiting', async () => {
    const { channel, reports, cleanup } = scripted([{ write: Buffer.concat([hello, reply(1, 'early')]) }]);
    try {
      expect(() => channel.ask('q')).toThrow(ChannelEnded);
      expect(reports.at(-1)?.breach?.reason).toBe('protocol');
    } finally {
      await cleanup();
    }
  });

  test('half a frame, then the child is gone: a cut-off frame, reported as a breach', async () => {
    const { channel, reports, cleanup } = scripted([
      { write: hello },
      { awaitRequest: true },
      { write: reply(1, 'x').subarray(0, 9) },
      { close: true },
    ]);
    try {
      expect(() => channel.ask('q')).toThrow(ChannelEnded);
      expect(reports.at(-1)).toMatchObject({ ready: true, unanswered: true, breach: { reason: 'protocol' } });
      expect(reports.at(-1)?.breach?.detail).toMatch(/last frame was cut off/);
    } finally {
      await cleanup();
    }
  });

  test('end of file with nothing sent: the ask throws and says it went unanswered, before the hello', async () => {
    const { channel, reports, cleanup } = scripted([{ close: true }]);
    try {
      expect(() => channel.ask('q')).toThrow(ChannelEnded);
      expect(reports).toEqual([{ ready: false, answered: 0, unanswered: true }]);
    } finally {
      await cleanup();
    }
  });
});
