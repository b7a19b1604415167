/**
 * Child side of the sandbox: a harness entry module calls `serve(handler)` once at top level.
 *
 *   import { serve } from '../../sandbox/child-runtime.js';   // import this FIRST, before student code
 *   import { AiRouter } from '@student/routing/ai-router.js';
 *   serve((input) => ({ ... plain JSON data ... }));
 *
 * Import order matters: ES modules evaluate in import order, so this module's body runs before any
 * student module body. It takes the session token out of the environment (student code never sees
 * it, so it cannot forge a reply), removes every other channel (`process.send`, `message` listeners,
 * Node's IPC), captures the real `process.exit`, opens the frame channel (protocol.ts: replies out on
 * fd 3, requests in on fd 4), and installs the hooks that turn a stray throw (even at a student
 * module's top level) into an error reply instead of a bare crash.
 */
import { writeSync } from 'node:fs';
import { Socket } from 'node:net';
import { encodeFrame, FrameReader } from './frames.js';
import { pinNondeterminism } from './pinned-clock.js';
import {
  CHANNEL_FD,
  EXIT_MARKER,
  HARNESS_RESULT_ERROR,
  NON_ERROR,
  RANDOM_SEED_ENV,
  REQUEST_FD,
  SANDBOX_ENV,
  TOKEN_ENV,
  type ChildMessage,
  type InputMessage,
  type SerializedError,
} from './protocol.js';

type Handler = (input: unknown) => unknown;

interface Session {
  readonly token: string;
  /** Replies out (fd 3). */
  readonly channel: Socket;
  handler?: Handler;
  helloSent: boolean;
  /** The request being answered, if any. */
  current?: InputMessage;
  /** A failure outside any request (e.g. a student module's top-level throw): the next request's answer. */
  failed?: SerializedError;
  done: boolean;
}

const realExit = process.exit.bind(process);
/** The parent's input is trusted and bounded by it; the cap only guards against a broken parent. */
const MAX_INPUT_BYTES = 1 << 30;
/** Caps keep one pathological error (a megabyte message) from flooding the channel and the report. */
const MAX_MESSAGE = 2_000;
const MAX_STACK = 8_000;

const session: Session | undefined = process.env[SANDBOX_ENV] === '1' ? openSession() : undefined;

function openSession(): Session | undefined {
  const token = process.env[TOKEN_ENV];
  delete process.env[TOKEN_ENV];
  const seed = Number(process.env[RANDOM_SEED_ENV] ?? '1');
  delete process.env[RANDOM_SEED_ENV];
  removeOtherChannels();
  pinNondeterminism(Number.isInteger(seed) ? seed : 1);
  if (token === undefined || token === '') return undefined;
  let channel: Socket;
  let requests: Socket;
  try {
    channel = new Socket({ fd: CHANNEL_FD, readable: false, writable: true });
    requests = new Socket({ fd: REQUEST_FD, readable: true, writable: false });
  } catch {
    return undefined;
  }
  const s: Session = { token, channel, helloSent: false, done: false };
  const reader = new FrameReader(MAX_INPUT_BYTES);
  requests.on('data', (chunk: Buffer) => {
    for (const event of reader.push(chunk)) {
      if ('frame' in event && isInput(event.frame)) onInput(s, event.frame);
    }
  });
  // The parent closed the session: exit cleanly once nothing is being answered. If it went away
  // mid-request (grader stopped), nobody will read a reply, so do not linger either.
  requests.on('end', () => realExit(s.current === undefined && s.failed === undefined ? 0 : 1));
  requests.on('error', () => realExit(1));
  channel.on('error', () => realExit(1));
  process.on('uncaughtException', (error) => fail(s, error));
  process.on('unhandledRejection', (reason) => fail(s, reason));
  // Wrapped rather than blocked: the exit still happens (as the student asked), but the parent learns
  // it was a deliberate exit and not a crash. Synchronous write: the process is gone right after.
  process.exit = ((code?: number | string | null) => {
    if (!s.done) {
      try {
        writeSync(2, `\n${EXIT_MARKER} (process.exit(${code ?? ''}))\n`);
      } catch {
        // stderr closed: the parent falls back to the exit code.
      }
    }
    return realExit(code as number | undefined);
  }) as typeof process.exit;
  return s;
}

/**
 * The sandbox is spawned without Node's IPC channel; these are removed anyway, so a harness started
 * some other way (or a future Node default) cannot hand student code a second way to the parent.
 */
function removeOtherChannels(): void {
  for (const name of ['send', 'disconnect', 'channel', 'connected'] as const) {
    try {
      Reflect.deleteProperty(process, name);
    } catch {
      // Non-configurable on this Node: nothing student code could use without an IPC fd anyway.
    }
  }
  process.removeAllListeners('message');
  process.removeAllListeners('disconnect');
  delete process.env.NODE_CHANNEL_FD;
  delete process.env.NODE_CHANNEL_SERIALIZATION_MODE;
}

/** Waits for the parent's requests, answers each once; exits after the one marked last. */
export function serve(handler: Handler): void {
  if (session === undefined) {
    throw new Error('serve() must run in a sandbox child started by runSandboxed (no session channel on fds 3 and 4)');
  }
  session.handler = handler;
  sayHello(session);
}

function sayHello(s: Session): void {
  if (s.helloSent) return;
  s.helloSent = true;
  send(s, { type: 'hello', token: s.token });
}

function onInput(s: Session, message: InputMessage): void {
  if (s.current !== undefined || s.done) return;
  s.current = message;
  if (s.failed !== undefined || s.handler === undefined) {
    answer(s, { ok: false, error: s.failed ?? serializeError(new Error('the harness did not start')) }, true);
    return;
  }
  const handler = s.handler;
  Promise.resolve()
    .then(() => handler(message.input))
    .then(
      (result) => answer(s, { ok: true, result }, message.last),
      (error: unknown) => fail(s, error),
    );
}

function fail(s: Session, error: unknown): void {
  const serialized = serializeError(error);
  if (s.current === undefined) {
    // Outside a request (a top-level throw, a stray timer): say hello so the parent asks, then answer with it.
    s.failed ??= serialized;
    sayHello(s);
    return;
  }
  // The process state after an uncaught failure is unknown: answer and stop.
  answer(s, { ok: false, error: serialized }, true);
}

function answer(
  s: Session,
  outcome: { ok: true; result: unknown } | { ok: false; error: SerializedError },
  last: boolean,
): void {
  const request = s.current;
  if (request === undefined || s.done) return;
  s.current = undefined;
  if (last) s.done = true;
  // Exiting closes the channel; no end() first (a FIFO end has no shutdown(2) to call).
  const finish = last ? () => realExit(0) : undefined;
  const base = { type: 'reply' as const, id: request.id, token: s.token };
  try {
    send(
      s,
      outcome.ok ? { ...base, ok: true, result: outcome.result } : { ...base, ok: false, error: outcome.error },
      finish,
    );
  } catch (error) {
    // JSON serialisation throws synchronously (BigInt, cycles): report that instead of the result.
    const note = new TypeError(`the harness result is not JSON-serialisable: ${errorText(error)}`);
    note.name = HARNESS_RESULT_ERROR;
    s.done = true;
    try {
      send(s, { ...base, ok: false, error: serializeError(note) }, () => realExit(0));
    } catch {
      realExit(1);
    }
  }
}

function send(s: Session, message: ChildMessage, done?: () => void): void {
  const frame = encodeFrame(message);
  s.channel.write(frame, done === undefined ? undefined : () => done());
}

function isInput(message: unknown): message is InputMessage {
  if (typeof message !== 'object' || message === null) return false;
  const m = message as Partial<InputMessage>;
  return m.type === 'input' && typeof m.id === 'number' && typeof m.last === 'boolean';
}

/**
 * An allocation refused by the total-memory cap (RLIMIT_AS): harnesses that catch student errors per
 * case rethrow these, so the run ends with the memory verdict instead of a failed case.
 */
export function isOutOfMemory(error: unknown): boolean {
  try {
    return (
      (error instanceof RangeError &&
        /Array buffer allocation failed|allocation failed|Cannot allocate memory/i.test(error.message)) ||
      (error as { code?: unknown } | null)?.code === 'ERR_MEMORY_ALLOCATION_FAILED'
    );
  } catch {
    return false;
  }
}

/** Plain data for any thrown value: student code may throw strings, objects, or errors with odd getters. */
export function serializeError(error: unknown): SerializedError {
  if (error instanceof Error) {
    const extra = error as Error & { code?: unknown; permission?: unknown; resource?: unknown };
    return {
      name: safeString(() => error.name, 'Error'),
      message: clip(
        safeString(() => error.message, ''),
        MAX_MESSAGE,
      ),
      stack: clip(
        safeString(() => error.stack ?? '', ''),
        MAX_STACK,
      ),
      ...(typeof extra.code === 'string' ? { code: extra.code } : {}),
      ...(typeof extra.permission === 'string' ? { permission: extra.permission } : {}),
      ...(typeof extra.resource === 'string' ? { resource: extra.resource } : {}),
    };
  }
  return { name: NON_ERROR, message: clip(errorText(error), MAX_MESSAGE), stack: '' };
}

function errorText(value: unknown): string {
  return safeString(() => (value instanceof Error ? value.message : String(value)), '<unprintable value>');
}

function safeString(read: () => unknown, fallback: string): string {
  try {
    const value = read();
    return typeof value === 'string' ? value : String(value);
  } catch {
    return fallback;
  }
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}
