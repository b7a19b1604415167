/**
 * Runs a built harness bundle in a confined child Node process (grading.md §3.3, §4):
 *
 * - the permission model with reads allowed only in `readDirs` (the bundle's folder), no write, child
 *   process, worker, addon or WASI grants;
 * - `--max-old-space-size`, a wall-clock timeout, and per-stream output caps, all enforced by SIGKILL
 *   to the child's process group (`detached: true` makes the child a group leader; SIGTERM can be
 *   ignored by student code, SIGKILL cannot);
 * - a minimal environment (no parent variables, so no secrets; `NODE_OPTIONS` emptied so nothing can
 *   preload code), input over IPC after the child says it is ready, one reply back.
 *
 * Every way the child can end maps to one verdict; only grader faults (no bundle, spawn failure,
 * unserialisable input) reject the promise.
 */
import { spawn } from 'node:child_process';
import { access } from 'node:fs/promises';
import { dirname, resolve as resolvePath } from 'node:path';
import { formatBytes } from '../intake/limits.js';
import { sandboxNodeArgs } from './permission-flags.js';
import { EXIT_MARKER, HARNESS_RESULT_ERROR, NON_ERROR, SANDBOX_ENV, type ChildMessage, type InputMessage, type SerializedError } from './protocol.js';
import { trimStack } from './stack.js';

export type SandboxVerdict = 'ok' | 'error' | 'timeout' | 'memory' | 'crash' | 'exit' | 'output-too-large' | 'permission';

export interface SandboxOptions {
  readonly bundlePath: string;
  /** Folders the child may read (normally just the bundle's folder). */
  readonly readDirs: readonly string[];
  /** Sent over IPC; must be JSON-serialisable. */
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
/** After a reply the child exits by itself; this only reaps one that keeps running (e.g. stuck exit handlers). */
const AFTER_REPLY_GRACE_MS = 2_000;

export async function runSandboxed(options: SandboxOptions): Promise<SandboxOutcome> {
  // Absolute paths: the child runs in the bundle's folder, where relative grants would mean something else.
  const opts: SandboxOptions = {
    ...options,
    bundlePath: resolvePath(options.bundlePath),
    readDirs: options.readDirs.map((dir) => resolvePath(dir)),
  };
  await access(opts.bundlePath).catch(() => {
    throw new Error(`runSandboxed: bundle ${opts.bundlePath} does not exist (build the submission first)`);
  });
  const cap = opts.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
  const args = [
    ...sandboxNodeArgs({
      version: process.versions.node,
      readDirs: opts.readDirs,
      maxOldSpaceMb: opts.maxOldSpaceMb,
      sourceMaps: opts.sourceMaps ?? true,
    }),
    opts.bundlePath,
  ];
  const started = performance.now();
  const child = spawn(process.execPath, args, {
    cwd: dirname(opts.bundlePath),
    env: { NODE_OPTIONS: '', [SANDBOX_ENV]: '1', TZ: 'UTC', LANG: 'C' },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    serialization: 'json',
  });

  return new Promise<SandboxOutcome>((resolve, reject) => {
    const stdout = new CappedOutput(cap);
    const stderr = new CappedOutput(cap);
    const run: RunState = { ready: false };
    let grace: NodeJS.Timeout | undefined;

    const killGroup = (): void => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Already gone (ESRCH).
      }
    };
    // The child is detached (its own process group), so it would outlive a grader that exits early.
    const onParentExit = (): void => killGroup();
    process.once('exit', onParentExit);
    const timer = setTimeout(() => {
      if (run.reply === undefined) run.killedFor ??= 'timeout';
      killGroup();
    }, opts.timeoutMs);

    const watch = (stream: NodeJS.ReadableStream, buffer: CappedOutput, name: 'stdout' | 'stderr'): void => {
      stream.on('data', (chunk: Buffer) => {
        if (buffer.push(chunk) || run.killedFor !== undefined || run.reply !== undefined) return;
        run.killedFor = 'output';
        run.overflow = name;
        killGroup();
      });
    };
    watch(child.stdout!, stdout, 'stdout');
    watch(child.stderr!, stderr, 'stderr');

    child.on('message', (message: unknown) => {
      const type = typeof message === 'object' && message !== null ? (message as { type?: unknown }).type : undefined;
      if (type === 'ready' && !run.ready) {
        run.ready = true;
        const input: InputMessage = { type: 'input', input: opts.input };
        try {
          // A send error means the child is already gone; 'close' classifies that.
          child.send(input, () => {});
        } catch (error) {
          killGroup();
          reject(new Error(`runSandboxed: the input is not JSON-serialisable: ${(error as Error).message}`));
        }
      } else if (type === 'reply' && run.reply === undefined && run.killedFor === undefined) {
        const reply = asReply(message);
        if (reply === undefined) return;
        run.reply = reply;
        grace = setTimeout(killGroup, AFTER_REPLY_GRACE_MS);
      }
    });
    child.on('error', (error) => {
      clearTimeout(timer);
      process.removeListener('exit', onParentExit);
      killGroup();
      reject(new Error(`runSandboxed: could not start ${process.execPath}: ${error.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      process.removeListener('exit', onParentExit);
      if (grace !== undefined) clearTimeout(grace);
      const out = stdout.text();
      const err = filterNodeWarnings(stderr.text());
      resolve({
        ...classify(run, { code, signal, stderr: err }, opts, cap),
        stdout: out,
        stderr: err,
        durationMs: performance.now() - started,
        exitCode: code,
        signal,
      });
    });
  });
}

type Reply = Extract<ChildMessage, { type: 'reply' }>;

/**
 * Student code shares the child with the harness and can post its own messages, so the envelope is
 * checked before use (a malformed one is dropped); the result inside stays unvalidated for the caller.
 */
function asReply(message: unknown): Reply | undefined {
  const m = message as { ok?: unknown; result?: unknown; error?: unknown };
  if (m.ok === true) return { type: 'reply', ok: true, result: m.result };
  if (m.ok !== false || typeof m.error !== 'object' || m.error === null) return undefined;
  const e = m.error as Record<string, unknown>;
  const text = (value: unknown, fallback: string): string => (typeof value === 'string' ? value : fallback);
  const error: SerializedError = {
    name: text(e.name, 'Error'),
    message: text(e.message, ''),
    stack: text(e.stack, ''),
    ...(typeof e.code === 'string' ? { code: e.code } : {}),
    ...(typeof e.permission === 'string' ? { permission: e.permission } : {}),
    ...(typeof e.resource === 'string' ? { resource: e.resource } : {}),
  };
  return { type: 'reply', ok: false, error };
}

interface RunState {
  ready: boolean;
  reply?: Reply;
  killedFor?: 'timeout' | 'output';
  overflow?: 'stdout' | 'stderr';
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
      message: `timed out after ${opts.timeoutMs} ms${before}: the code did not finish; look for an infinite loop or a promise that never settles`,
    };
  }
  if (run.killedFor === 'output') {
    return {
      verdict: 'output-too-large',
      message: `${run.overflow} exceeded ${formatBytes(cap)} and the run was stopped; remove debug printing (console.log) from your code`,
    };
  }
  if (run.reply !== undefined) {
    if (run.reply.ok) return { verdict: 'ok', message: 'ok', result: run.reply.result };
    const error = run.reply.error;
    const details = trimStack(error.stack, opts);
    if (error.code === 'ERR_ACCESS_DENIED') {
      return { verdict: 'permission', message: permissionMessage(error.permission, error.resource), details, error };
    }
    const thrown = error.name === NON_ERROR ? `a non-Error value: ${firstLine(error.message)}` : `${error.name}: ${firstLine(error.message)}`;
    const who = error.name === HARNESS_RESULT_ERROR ? 'the harness failed' : `your code threw ${thrown}`;
    return { verdict: 'error', message: error.name === HARNESS_RESULT_ERROR ? `${who}: ${error.message}` : who, details, error };
  }
  const tail = lastLines(end.stderr, 15);
  const oom = /heap out of memory|Reached heap limit|Allocation failed/i.test(end.stderr);
  // V8 aborts on heap exhaustion; a SIGABRT without its message (stderr lost) is most likely the same.
  if (oom || end.signal === 'SIGABRT') {
    return {
      verdict: 'memory',
      message:
        `${oom ? 'ran out of memory' : 'aborted (SIGABRT), most likely out of memory'}${before}: the heap limit is ` +
        `${opts.maxOldSpaceMb} MB; look for data that grows without bound`,
      // V8's native stack trace means nothing to a student; its one-line verdict does.
      details: end.stderr.split('\n').filter((line) => /FATAL ERROR|out of memory/i.test(line)).join('\n'),
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
