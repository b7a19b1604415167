/**
 * Runs a built harness bundle in a confined child Node process (grading.md §3.3, §4):
 *
 * - the operating-system layers available here (isolation.ts: a separate user, PID and network
 *   namespaces, RLIMIT_AS and RLIMIT_NPROC), each detected once and named when missing;
 * - the permission model with reads allowed only in the child's fresh folder (a copy of the bundle,
 *   owned by the child's user) and `readDirs`; no write, child process, worker, addon or WASI grants;
 * - `--max-old-space-size`, a CPU-time limit with a wall-clock backstop (cpu-clock.ts), per-stream output caps and a byte cap on the frame
 *   channel, all enforced by SIGKILL to the child's process group (`detached: true` makes the wrapper
 *   a group leader; SIGTERM can be ignored by student code, SIGKILL cannot);
 * - a minimal environment (no parent variables, so no secrets; `NODE_OPTIONS` emptied so nothing can
 *   preload code), and the frame protocol of protocol.ts (the child writes on fd 3, reads on fd 4):
 *   hello, then one reply per request, every byte checked by reply-guard.ts.
 *
 * Every way the child can end maps to one verdict, including a reply that breaks the protocol
 * (invalid-output) or the byte cap (output-too-large); only grader faults (no bundle, spawn failure,
 * unserialisable input) reject the promise.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, copyFileSync, mkdtempSync, readSync, rmSync } from 'node:fs';
import { access } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative, resolve as resolvePath } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { coverageDir } from '../build/child-coverage.js';
import { cpuClockAvailable, WALL_BACKSTOP_FACTOR, watchCpuLimit } from './cpu-clock.js';
import { formatBytes } from '../intake/limits.js';
import { encodeFrame } from './frames.js';
import { isolationPlan, wrapCommand, type IsolationPlan } from './isolation.js';
import { sandboxNodeArgs } from './permission-flags.js';
import {
  EXIT_MARKER,
  HARNESS_RESULT_ERROR,
  NON_ERROR,
  RANDOM_SEED_ENV,
  SANDBOX_ENV,
  TOKEN_ENV,
  type InputMessage,
  type SerializedError,
} from './protocol.js';
import { ReplyGuard, type GuardEvent, type Reply } from './reply-guard.js';
import { trimStack } from './stack.js';
import type { WorkerChannel, WorkerChannelReport } from './worker-channel.js';
import { closeQuietly, openWorkerPipes, type WorkerPipes } from './worker-pipes.js';

export type SandboxVerdict =
  | 'ok'
  | 'error'
  | 'timeout'
  | 'memory'
  | 'crash'
  | 'exit'
  | 'output-too-large'
  | 'permission'
  | 'invalid-output';

export interface SandboxOptions {
  readonly bundlePath: string;
  /**
   * Folders the child may read besides its own fresh folder, which holds a copy of the bundle. Under a
   * separate user the operating system decides too: a grader's 0700 temp folder stays closed to it.
   */
  readonly readDirs: readonly string[];
  /** Sent in one frame; must be JSON-serialisable. */
  readonly input: unknown;
  readonly timeoutMs: number;
  readonly maxOldSpaceMb: number;
  /** Per stream; default 64 KiB. Past it the child is killed (verdict output-too-large). */
  readonly maxOutputBytes?: number;
  /** BuildResult.srcRoot, so stack frames read `starter/routing/ai-router.ts:14:11`. */
  readonly srcRoot?: string;
  /** The lab's student folder (e.g. `starter/routing`): stack traces keep its frames. */
  readonly studentDir?: string;
  /** `--enable-source-maps` (default true; the bundle needs inline source maps for it to matter). */
  readonly sourceMaps?: boolean;
  /** Bytes the child may send on the frame channel in all (default 64 MiB); past it the child is killed. */
  readonly maxReplyBytes?: number;
  /** The OS layers to use (default: those detected on this machine, isolation.ts). */
  readonly isolation?: IsolationPlan;
  /** Seeds the child's `Math.random` (pinned-clock.ts); default 1. Graders pass one per item. */
  readonly randomSeed?: number;
}

export interface SandboxOutcome {
  readonly verdict: SandboxVerdict;
  /** One line: what happened and what to do. */
  readonly message: string;
  /** More lines when useful: the trimmed stack (error), the end of stderr (crash, memory). */
  readonly details?: string;
  /** The handler's result (verdict ok only): plain JSON data, not yet validated. */
  readonly result?: unknown;
  /** The thrown error as sent by the child (verdicts error and permission). */
  readonly error?: SerializedError;
  readonly stdout: string;
  readonly stderr: string;
  readonly durationMs: number;
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
}

export const DEFAULT_MAX_OUTPUT_BYTES = 64 * 1024;
export const DEFAULT_MAX_REPLY_BYTES = 64 * 1024 * 1024;
/** After a reply the child exits by itself; this only reaps one that keeps running (e.g. stuck exit handlers). */
const AFTER_REPLY_GRACE_MS = 2_000;

/** Sends the input as one request, waits for its reply and the child's exit. */
export async function runSandboxed(options: SandboxOptions): Promise<SandboxOutcome> {
  let inputFrame: Buffer;
  try {
    inputFrame = encodeFrame({ type: 'input', id: 0, input: options.input, last: true } satisfies InputMessage);
  } catch (error) {
    throw new Error(`runSandboxed: the input is not JSON-serialisable: ${(error as Error).message}`);
  }
  const session = await openSandbox(options, 'thread');
  session.send(inputFrame, 0);
  return session.finished;
}

export type SessionOptions = Omit<SandboxOptions, 'input'> & {
  /**
   * Who asks the child: `thread` (default), this thread through `ask`; `worker`, an engine worker
   * given `SandboxSession.worker` (worker-channel.ts), which writes requests and blocks on replies
   * itself, with no hop through this thread per ask. Either way this thread keeps the timeout, the
   * output caps, the kill and the verdict.
   */
  readonly channel?: 'thread' | 'worker';
};

/**
 * A child that answers several requests in turn (the routing lab asks for one decision per
 * `schedule()` call). `ask` resolves with the handler's result; it rejects when the run ends first
 * (timeout, crash, protocol breach, the handler threw), and `finish()` then tells which verdict.
 */
export interface SandboxSession {
  /** Thread sessions only (a worker session's channel belongs to its worker: this rejects). */
  ask(input: unknown): Promise<unknown>;
  /**
   * No more requests: the channel is closed, the child exits; resolves with the run's outcome (ok:
   * every ask answered). A worker session: call it only once the worker has exited (its pipe ends are
   * closed here).
   */
  finish(): Promise<SandboxOutcome>;
  /**
   * Resolves once the child has ended for any reason (crash, kill, timeout, protocol breach, or after
   * finish()). Whoever drives the session must stop then even if it is not waiting on an ask: code
   * that loops without asking (an engine whose simulation never ends) would otherwise never learn.
   */
  readonly ended: Promise<void>;
  /** A worker session's channel, to pass to the engine worker (undefined for a thread session). */
  readonly worker?: WorkerChannel;
  /** What the worker learnt on the channel (hello, breach, error reply): this thread acts on it. */
  workerReport(report: WorkerChannelReport): void;
}

export class SandboxEnded extends Error {
  constructor() {
    super('the sandboxed run ended before it replied');
    this.name = 'SandboxEnded';
  }
}

export async function startSandboxSession(options: SessionOptions): Promise<SandboxSession> {
  const mode = options.channel ?? 'thread';
  const session = await openSandbox({ ...options, input: undefined }, mode);
  let nextId = 1;
  return {
    ask(input: unknown): Promise<unknown> {
      if (mode === 'worker')
        return Promise.reject(new Error("this session's channel belongs to an engine worker: ask through it"));
      if (session.ended()) return Promise.reject(new SandboxEnded());
      const id = nextId++;
      const reply = session.expect(id);
      session.send(encodeFrame({ type: 'input', id, input, last: false } satisfies InputMessage), id);
      return reply;
    },
    finish(): Promise<SandboxOutcome> {
      session.close();
      return session.finished;
    },
    ended: session.childEnded,
    ...(session.worker !== undefined ? { worker: session.worker } : {}),
    workerReport: (report) => session.workerReport(report),
  };
}

interface OpenSandbox {
  /** Writes a request frame (after the hello; queued until then) and records `id` as the one awaited. */
  send(frame: Buffer, id: number): void;
  /** A promise for request `id`'s result (ok replies only; anything else rejects with SandboxEnded). */
  expect(id: number): Promise<unknown>;
  /** Ends the parent's side of the channel: the child exits once it has answered. */
  close(): void;
  ended(): boolean;
  readonly worker?: WorkerChannel;
  workerReport(report: WorkerChannelReport): void;
  /** Resolves when the child process has ended. */
  readonly childEnded: Promise<void>;
  readonly finished: Promise<SandboxOutcome>;
}

async function openSandbox(options: SandboxOptions, mode: 'thread' | 'worker'): Promise<OpenSandbox> {
  // Absolute paths: the child runs in its own folder, where relative grants would mean something else.
  const opts: SandboxOptions = {
    ...options,
    bundlePath: resolvePath(options.bundlePath),
    readDirs: options.readDirs.map((dir) => resolvePath(dir)),
  };
  await access(opts.bundlePath).catch(() => {
    throw new Error(`runSandboxed: bundle ${opts.bundlePath} does not exist (build the submission first)`);
  });
  const plan = opts.isolation ?? isolationPlan();
  const home = childFolder(opts.bundlePath, plan);
  // The bundle's source map names sources relative to where it was built; the child runs a copy in its
  // own folder, so its frames resolve against that folder: trim stacks against the same place.
  const shownSrcRoot =
    opts.srcRoot === undefined ? undefined : resolvePath(home.dir, relative(dirname(opts.bundlePath), opts.srcRoot));
  const cap = opts.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
  const replyCap = opts.maxReplyBytes ?? DEFAULT_MAX_REPLY_BYTES;
  const token = randomBytes(24).toString('base64url');
  const coverage = coverageDir();
  const nodeArgs = [
    ...sandboxNodeArgs({
      version: process.versions.node,
      readDirs: [home.dir, ...opts.readDirs],
      // Set only under `npm run coverage`: the instrumented bundle writes its counts there at exit.
      ...(coverage !== undefined ? { writeDirs: [resolvePath(coverage)] } : {}),
      maxOldSpaceMb: opts.maxOldSpaceMb,
      sourceMaps: opts.sourceMaps ?? true,
    }),
    ...(plan.disableSigusr1 ? ['--disable-sigusr1'] : []),
    home.bundle,
  ];
  const { command, args } = wrapCommand(plan, nodeArgs, { maxOldSpaceMb: opts.maxOldSpaceMb });
  let pipes: WorkerPipes | undefined;
  try {
    pipes = mode === 'worker' ? openWorkerPipes() : undefined;
  } catch (error) {
    home.remove();
    throw new Error(`runSandboxed: ${(error as Error).message}`);
  }
  const started = performance.now();
  let child: ReturnType<typeof spawn>;
  try {
    child = spawn(command, args, {
      cwd: home.dir,
      env: {
        NODE_OPTIONS: '',
        [SANDBOX_ENV]: '1',
        [TOKEN_ENV]: token,
        [RANDOM_SEED_ENV]: String(opts.randomSeed ?? 1),
        TZ: 'UTC',
        LANG: 'C',
      },
      detached: true,
      // fd 3 carries the child's frames out, fd 4 the requests in (protocol.ts); never Node's 'ipc'.
      // A worker session's are pipes whose other ends the worker reads and writes itself.
      stdio:
        pipes === undefined
          ? ['ignore', 'pipe', 'pipe', 'pipe', 'pipe']
          : ['ignore', 'pipe', 'pipe', ...pipes.childEnds],
    });
  } catch (error) {
    if (pipes !== undefined) closePipes(pipes);
    home.remove();
    throw error;
  } finally {
    // The child has its own copies now: the grader must not hold a write end, or the worker would
    // never see end of file when the child dies.
    for (const fd of pipes?.childEnds ?? []) closeQuietly(fd);
  }
  const replies = mode === 'thread' ? (child.stdio[3] as Readable | null) : null;
  const requests = mode === 'thread' ? (child.stdio[4] as Writable | null) : null;
  const busy = new SharedArrayBuffer(4);
  const worker: WorkerChannel | undefined =
    pipes === undefined
      ? undefined
      : {
          requestFd: pipes.workerEnds.request,
          replyFd: pipes.workerEnds.reply,
          token,
          maxReplyBytes: replyCap,
          busy,
        };

  const stdout = new CappedOutput(cap);
  const stderr = new CappedOutput(cap);
  const guard = new ReplyGuard(token, replyCap);
  const run: RunState = { ready: false };
  const waiting = new Map<number, { resolve: (result: unknown) => void; reject: (error: Error) => void }>();
  /** Requests written before the hello wait here: nothing goes to the child before it has started. */
  const outbox: { frame: Buffer; id: number }[] = [];
  /** A worker session: the worker's last report (its asks are not seen here). */
  let workerState: WorkerChannelReport | undefined;
  let closing = false;
  let workerEndsClosed = false;
  let done = false;
  let grace: NodeJS.Timeout | undefined;
  let end: { code: number | null; signal: NodeJS.Signals | null; closedByParent: boolean } | undefined;
  let settle: (() => void) | undefined;

  const killGroup = (): void => {
    if (child.pid === undefined) return;
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // Already gone (ESRCH).
    }
  };
  const closeWorkerEnds = (): void => {
    if (pipes === undefined || workerEndsClosed) return;
    workerEndsClosed = true;
    closeQuietly(pipes.workerEnds.request);
    closeQuietly(pipes.workerEnds.reply);
  };
  // The child is detached (its own process group), so it would outlive a grader that exits early.
  const onParentExit = (): void => killGroup();
  process.once('exit', onParentExit);
  const limit = watchCpuLimit(child.pid, opts.timeoutMs, (kind) => {
    if (run.reply === undefined && run.killedFor === undefined) {
      run.killedFor = 'timeout';
      run.timedOutOn = kind;
    }
    killGroup();
  });

  const rejectAll = (): void => {
    for (const w of waiting.values()) w.reject(new SandboxEnded());
    waiting.clear();
  };
  const stop = (reason: NonNullable<RunState['killedFor']>, detail?: string): void => {
    if (run.killedFor !== undefined) return;
    run.killedFor = reason;
    if (detail !== undefined) run.protocolProblem = detail;
    killGroup();
    rejectAll();
  };
  const flush = (): void => {
    if (!run.ready || guard.inFlight !== undefined) return;
    const next = outbox.shift();
    if (next !== undefined) {
      guard.sent(next.id);
      requests?.write(next.frame, () => {});
      return;
    }
    if (closing) requests?.end();
  };
  /** The child's final answer: an error reply (it exits after one) or the one-shot reply. */
  const lastReply = (reply: Reply): void => {
    run.reply = reply;
    rejectAll();
    grace = setTimeout(killGroup, AFTER_REPLY_GRACE_MS);
  };

  const watch = (stream: NodeJS.ReadableStream, buffer: CappedOutput, name: 'stdout' | 'stderr'): void => {
    stream.on('data', (chunk: Buffer) => {
      if (buffer.push(chunk) || run.killedFor !== undefined || run.reply !== undefined) return;
      run.overflow = name;
      stop('output');
    });
  };
  watch(child.stdout!, stdout, 'stdout');
  watch(child.stderr!, stderr, 'stderr');

  const onEvent = (event: GuardEvent): void => {
    if (event.kind === 'breach') return stop(event.breach.reason, event.breach.detail);
    if (event.kind === 'hello') {
      run.ready = true;
      return flush();
    }
    const w = waiting.get(event.id);
    waiting.delete(event.id);
    if (event.reply.ok && w !== undefined) {
      w.resolve(event.reply.result);
      return flush();
    }
    // The one-shot reply, or a handler that threw (the child exits after an error reply).
    w?.reject(new SandboxEnded());
    lastReply(event.reply);
  };
  replies?.on('data', (chunk: Buffer) => {
    if (run.killedFor !== undefined) return;
    for (const event of guard.push(chunk)) {
      onEvent(event);
      if (run.killedFor !== undefined) return;
    }
  });
  // The child may exit before reading its input or close its end early: not a grader fault.
  replies?.on('error', () => {});
  requests?.on('error', () => {});

  /** A worker session, once its worker is gone and the child has ended: anything left unread is surplus. */
  const checkLeftover = (): void => {
    if (pipes === undefined) return;
    const unread = drain(pipes.drainEnd, replyCap);
    closeQuietly(pipes.drainEnd);
    if (unread > 0 && run.killedFor === undefined && run.reply === undefined) {
      run.killedFor = 'protocol';
      run.protocolProblem = `the child sent ${unread} bytes after its last answer (a surplus or forged reply)`;
    }
  };

  const finished = new Promise<SandboxOutcome>((resolve, reject) => {
    child.on('error', (error) => {
      limit.clear();
      process.removeListener('exit', onParentExit);
      killGroup();
      home.remove();
      done = true;
      rejectAll();
      if (pipes !== undefined) {
        closeWorkerEnds();
        closeQuietly(pipes.drainEnd);
      }
      reject(new Error(`runSandboxed: could not start ${command}: ${error.message}`));
    });
    settle = () => {
      // A worker session is judged only once finish() says its worker is gone: its reports are in.
      if (end === undefined || (mode === 'worker' && !closing)) return;
      const { code, signal, closedByParent } = end;
      settle = undefined;
      if (mode === 'worker') checkLeftover();
      // A session the parent closed with every request answered is a clean run.
      const unanswered = mode === 'worker' ? workerState?.unanswered === true : guard.inFlight !== undefined;
      if (
        closedByParent &&
        run.reply === undefined &&
        waiting.size === 0 &&
        !unanswered &&
        run.killedFor === undefined &&
        code === 0
      ) {
        run.reply = { type: 'reply', id: 0, token, ok: true, result: undefined };
      }
      const out = stdout.text();
      const err = filterNodeWarnings(stderr.text());
      resolve({
        ...classify(run, { code, signal, stderr: err }, { ...opts, srcRoot: shownSrcRoot }, cap),
        stdout: out,
        stderr: err,
        durationMs: performance.now() - started,
        exitCode: code,
        signal,
      });
    };
    child.on('close', (code, signal) => {
      limit.clear();
      process.removeListener('exit', onParentExit);
      if (grace !== undefined) clearTimeout(grace);
      home.remove();
      done = true;
      if (run.killedFor === undefined && run.reply === undefined) {
        const cut = guard.closed();
        if (cut !== undefined) {
          run.killedFor = 'protocol';
          run.protocolProblem = cut.detail;
        }
      }
      end = { code, signal, closedByParent: closing };
      rejectAll();
      markChildEnded();
      settle?.();
    });
  });
  let markChildEnded = (): void => {};
  const childEnded = new Promise<void>((resolve) => {
    markChildEnded = resolve;
  });

  return {
    send(frame: Buffer, id: number) {
      outbox.push({ frame, id });
      flush();
    },
    expect(id: number) {
      return new Promise<unknown>((resolve, reject) => waiting.set(id, { resolve, reject }));
    },
    close() {
      closing = true;
      // The worker is gone (finish()'s contract): the child sees end of file on its requests and exits.
      closeWorkerEnds();
      flush();
      settle?.();
    },
    ended: () => done || run.killedFor !== undefined || run.reply !== undefined,
    ...(worker !== undefined ? { worker } : {}),
    workerReport(report: WorkerChannelReport) {
      if (mode !== 'worker') return;
      workerState = report;
      if (report.ready) run.ready = true;
      if (report.breach !== undefined) stop(report.breach.reason, report.breach.detail);
      else if (report.error !== undefined && run.reply === undefined && run.killedFor === undefined)
        lastReply({ type: 'reply', id: 0, token, ok: false, error: report.error });
    },
    childEnded,
    finished,
  };
}

/** Bytes left in a non-blocking pipe end (read up to `cap`; only counted). */
function drain(fd: number, cap: number): number {
  const buffer = Buffer.allocUnsafe(64 * 1024);
  let total = 0;
  while (total <= cap) {
    let n: number;
    try {
      n = readSync(fd, buffer, 0, buffer.length, null);
    } catch {
      // EAGAIN: nothing more buffered (a writer is still open); anything else: nothing readable.
      break;
    }
    if (n === 0) break;
    total += n;
  }
  return total;
}

function closePipes(pipes: WorkerPipes): void {
  for (const fd of [...pipes.childEnds, pipes.workerEnds.request, pipes.workerEnds.reply, pipes.drainEnd])
    closeQuietly(fd);
}

/**
 * A fresh folder per child holding a copy of the bundle: the only place the permission model lets it
 * read by default, owned by the child's user (so a separate user can read it and nothing of the grader's).
 */
function childFolder(bundlePath: string, plan: IsolationPlan): { dir: string; bundle: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'servelab-child-'));
  const bundle = join(dir, basename(bundlePath));
  copyFileSync(bundlePath, bundle);
  chmodSync(bundle, 0o400);
  if (plan.user !== undefined) {
    chownSync(bundle, plan.user.uid, plan.user.gid);
    chownSync(dir, plan.user.uid, plan.user.gid);
  }
  chmodSync(dir, 0o500);
  const remove = (): void => {
    try {
      // Read-only for the child; the grader (its owner, or root) opens it again to delete it.
      chmodSync(dir, 0o700);
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // A leftover temp folder is not worth failing a grading over.
    }
  };
  return { dir, bundle, remove };
}

interface RunState {
  ready: boolean;
  reply?: Reply;
  killedFor?: 'timeout' | 'output' | 'reply-size' | 'protocol';
  /** Which limit ended a timed-out child: its CPU time, or the wall-clock backstop (cpu-clock.ts). */
  timedOutOn?: 'cpu' | 'wall';
  overflow?: 'stdout' | 'stderr';
  protocolProblem?: string;
}

type Verdicted = Pick<SandboxOutcome, 'verdict' | 'message' | 'details' | 'result' | 'error'>;

function classify(
  run: RunState,
  end: { code: number | null; signal: NodeJS.Signals | null; stderr: string },
  opts: SandboxOptions,
  cap: number,
): Verdicted {
  const before = run.ready ? '' : ' (before the harness started)';
  if (run.killedFor === 'timeout') {
    return {
      verdict: 'timeout',
      message:
        run.timedOutOn === 'cpu'
          ? `timed out after ${opts.timeoutMs} ms of CPU time${before}: the code did not finish; look for an infinite loop or work that grows too fast`
          : cpuClockAvailable()
            ? `timed out after ${WALL_BACKSTOP_FACTOR * opts.timeoutMs} ms of wall time${before}, using less than its ${opts.timeoutMs} ms of CPU time: the code was waiting; look for a promise that never settles`
            : `timed out after ${opts.timeoutMs} ms${before}: the code did not finish; look for an infinite loop or a promise that never settles`,
    };
  }
  if (run.killedFor === 'output') {
    return {
      verdict: 'output-too-large',
      message: `${run.overflow} exceeded ${formatBytes(cap)} and the run was stopped; remove debug printing (console.log) from your code`,
    };
  }
  if (run.killedFor === 'reply-size') {
    return {
      verdict: 'output-too-large',
      message: `${run.protocolProblem ?? 'the reply was too large'}; the run was stopped. Return only what the harness asks for`,
    };
  }
  if (run.killedFor === 'protocol') {
    return {
      verdict: 'invalid-output',
      message: `${run.protocolProblem ?? 'the child broke the reply protocol'}; the run was stopped. Student code may not write to the harness's channel`,
    };
  }
  if (run.reply !== undefined) {
    if (run.reply.ok) return { verdict: 'ok', message: 'ok', result: run.reply.result };
    const error = run.reply.error;
    const details = trimStack(error.stack, opts);
    if (error.code === 'ERR_ACCESS_DENIED') {
      return { verdict: 'permission', message: permissionMessage(error.permission, error.resource), details, error };
    }
    if (error.code === 'EACCES' || error.code === 'EPERM') {
      // The separate user's file permissions refused it before the permission model was asked.
      const path = /'([^']+)'/.exec(error.message)?.[1];
      return {
        verdict: 'permission',
        message: permissionMessage(/open|read|stat|scandir/.test(error.message) ? 'FileSystemRead' : undefined, path),
        details,
        error,
      };
    }
    if (isAllocationFailure(error)) {
      return {
        verdict: 'memory',
        message: `ran out of memory: ${firstLine(error.message)}; ${memoryAdvice(opts)}`,
        details,
        error,
      };
    }
    const thrown =
      error.name === NON_ERROR
        ? `a non-Error value: ${firstLine(error.message)}`
        : `${error.name}: ${firstLine(error.message)}`;
    const who = error.name === HARNESS_RESULT_ERROR ? 'the harness failed' : `your code threw ${thrown}`;
    return {
      verdict: 'error',
      message: error.name === HARNESS_RESULT_ERROR ? `${who}: ${error.message}` : who,
      details,
      error,
    };
  }
  const tail = lastLines(end.stderr, 15);
  const oom =
    /heap out of memory|Reached heap limit|Allocation failed|Fatal process out of memory|std::bad_alloc|Cannot allocate memory/i.test(
      end.stderr,
    );
  // V8 aborts on heap exhaustion; a SIGABRT without its message (stderr lost) is most likely the same.
  if (oom || end.signal === 'SIGABRT') {
    return {
      verdict: 'memory',
      message:
        `${oom ? 'ran out of memory' : 'aborted (SIGABRT), most likely out of memory'}${before}: the heap limit is ` +
        `${opts.maxOldSpaceMb} MB; look for data that grows without bound`,
      // V8's native stack trace means nothing to a student; its one-line verdict does.
      details: end.stderr
        .split('\n')
        .filter((line) => /FATAL ERROR|out of memory/i.test(line))
        .join('\n'),
    };
  }
  if (end.stderr.includes('ERR_ACCESS_DENIED')) {
    const permission = /permission: '([^']*)'/.exec(end.stderr)?.[1];
    const resource = /resource: '([^']*)'/.exec(end.stderr)?.[1];
    return { verdict: 'permission', message: permissionMessage(permission, resource), details: tail };
  }
  if (end.stderr.includes(EXIT_MARKER) || (end.signal === null && end.code === 0)) {
    return {
      verdict: 'exit',
      message: `the program exited (code ${end.code ?? '?'}) before the harness replied${before}: do not call process.exit; return from your methods instead`,
    };
  }
  const how = end.signal !== null ? `was killed by ${end.signal}` : `exited with code ${end.code}`;
  return { verdict: 'crash', message: `the child process ${how} without replying${before}`, details: tail };
}

/**
 * Off-heap allocations past RLIMIT_AS fail with a RangeError (ArrayBuffer, Buffer) or Node's
 * ERR_MEMORY_ALLOCATION_FAILED rather than V8's heap abort; they are the same verdict.
 */
function isAllocationFailure(error: SerializedError): boolean {
  return (
    error.code === 'ERR_MEMORY_ALLOCATION_FAILED' ||
    (error.name === 'RangeError' && ALLOCATION_FAILED.test(error.message))
  );
}

/** The message of an allocation that memory caps refused (also inside a case's error text, grader/kit/unit-item.ts). */
export const ALLOCATION_FAILED = /allocation failed|Cannot allocate memory/i;

function memoryAdvice(opts: SandboxOptions): string {
  return `the heap limit is ${opts.maxOldSpaceMb} MB and Buffers/ArrayBuffers share a total memory cap; look for data that grows without bound`;
}

/** ERR_ACCESS_DENIED carries `permission` (the scope) and `resource` (e.g. the path). */
function permissionMessage(permission: string | undefined, resource: string | undefined): string {
  const what =
    permission === 'FileSystemRead'
      ? `reading ${resource ?? 'a file'}`
      : permission === 'FileSystemWrite'
        ? `writing ${resource ?? 'a file'}`
        : permission === 'ChildProcess'
          ? 'starting a child process'
          : permission === 'WorkerThreads'
            ? 'starting a worker thread'
            : `${permission ?? 'an operation'}${resource === undefined ? '' : ` on ${resource}`}`;
  return `${what} is not allowed: graded code may not read or write files, start processes or workers; use only what the harness passes in`;
}

/** The permission model's ExperimentalWarning on Node versions without --disable-warning. */
function filterNodeWarnings(text: string): string {
  return text
    .replace(/^\(node:\d+\) ExperimentalWarning: .*\n?/gm, '')
    .replace(/^\(Use `node --trace-warnings \.\.\.` to show where the warning was created\)\n?/gm, '');
}

function firstLine(text: string): string {
  const [line = ''] = text.split('\n');
  return line.length < text.length ? `${line} …` : line;
}

function lastLines(text: string, n: number): string {
  return text.trimEnd().split('\n').slice(-n).join('\n');
}

/** Keeps the first `cap` bytes of a stream and counts the rest. */
class CappedOutput {
  private readonly chunks: Buffer[] = [];
  private kept = 0;
  private total = 0;

  constructor(private readonly cap: number) {}

  /** False once the stream has gone past the cap. */
  push(chunk: Buffer): boolean {
    this.total += chunk.length;
    if (this.kept < this.cap) {
      const part = chunk.subarray(0, this.cap - this.kept);
      this.chunks.push(part);
      this.kept += part.length;
    }
    return this.total <= this.cap;
  }

  text(): string {
    const text = Buffer.concat(this.chunks).toString('utf8');
    const dropped = this.total - this.kept;
    return dropped > 0 ? `${text}\n…truncated ${dropped} bytes` : text;
  }
}
