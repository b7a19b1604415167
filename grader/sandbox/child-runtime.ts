/**
 * Child side of the sandbox: a harness entry module calls `serve(handler)` once at top level.
 *
 *   import { serve } from '../../sandbox/child-runtime.js';   // import this FIRST, before student code
 *   import { AiRouter } from '@student/ai-router.js';
 *   serve((input) => ({ ... plain JSON data ... }));
 *
 * Import order matters: ES modules evaluate in import order, so this module's body runs before any
 * student module body and captures the real `process.send` / `process.exit` before student code could
 * replace them, and installs the hooks that turn a stray throw (even at a student module's top level)
 * into an error reply instead of a bare crash.
 *
 * The child process runs one input and exits, so the little state below lives for exactly one run.
 */
import { writeSync } from 'node:fs';
import { EXIT_MARKER, HARNESS_RESULT_ERROR, NON_ERROR, SANDBOX_ENV, type ChildMessage, type InputMessage, type SerializedError } from './protocol.js';

type Send = (message: ChildMessage, callback?: (error: Error | null) => void) => boolean;

const realSend: Send | undefined = process.send?.bind(process) as Send | undefined;
const realExit = process.exit.bind(process);
const realDisconnect = process.disconnect?.bind(process);
const session = { replied: false, started: false };

/** Caps keep one pathological error (a megabyte message) from flooding the IPC channel and the report. */
const MAX_MESSAGE = 2_000;
const MAX_STACK = 8_000;

if (realSend !== undefined && process.env[SANDBOX_ENV] === '1') {
  process.on('uncaughtException', (error) => fail(error));
  process.on('unhandledRejection', (reason) => fail(reason));
  // The parent went away (grader stopped): nobody will read a reply, so do not linger.
  process.on('disconnect', () => {
    if (!session.replied) realExit(1);
  });
  // Wrapped rather than blocked: the exit still happens (as the student asked), but the parent learns
  // it was a deliberate exit and not a crash. Synchronous write: the process is gone right after.
  process.exit = ((code?: number | string | null) => {
    if (!session.replied) {
      try {
        writeSync(2, `\n${EXIT_MARKER} (process.exit(${code ?? ''}))\n`);
      } catch {
        // stderr closed: the parent falls back to the exit code.
      }
    }
    return realExit(code as number | undefined);
  }) as typeof process.exit;
}

/** Waits for the parent's input, runs `handler`, replies once, then disconnects and exits. */
export function serve(handler: (input: unknown) => unknown): void {
  if (realSend === undefined) {
    throw new Error('serve() must run in a sandbox child started by runSandboxed (this process has no IPC channel)');
  }
  // The listener keeps the IPC channel referenced, so a handler whose promise never settles keeps the
  // process alive until the parent's timeout (a "timeout" verdict, not a silent exit).
  process.on('message', (message: unknown) => {
    if (session.started || !isInput(message)) return;
    session.started = true;
    Promise.resolve()
      .then(() => handler(message.input))
      .then(
        (result) => reply({ type: 'reply', ok: true, result }),
        (error: unknown) => fail(error),
      );
  });
  realSend({ type: 'ready' });
}

function isInput(message: unknown): message is InputMessage {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === 'input';
}

function fail(error: unknown): void {
  reply({ type: 'reply', ok: false, error: serializeError(error) });
}

function reply(message: ChildMessage): void {
  if (session.replied || realSend === undefined) return;
  session.replied = true;
  const send = realSend;
  const finish = (): void => {
    realDisconnect?.();
    realExit(0);
  };
  try {
    send(message, finish);
  } catch (error) {
    // JSON serialisation throws synchronously (BigInt, cycles): report that instead of the result.
    const note = new TypeError(`the harness result is not JSON-serialisable: ${errorText(error)}`);
    note.name = HARNESS_RESULT_ERROR;
    try {
      send({ type: 'reply', ok: false, error: serializeError(note) }, finish);
    } catch {
      finish();
    }
  }
}

/** Plain data for any thrown value: student code may throw strings, objects, or errors with odd getters. */
export function serializeError(error: unknown): SerializedError {
  if (error instanceof Error) {
    const extra = error as Error & { code?: unknown; permission?: unknown; resource?: unknown };
    return {
      name: safeString(() => error.name, 'Error'),
      message: clip(safeString(() => error.message, ''), MAX_MESSAGE),
      stack: clip(safeString(() => error.stack ?? '', ''), MAX_STACK),
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
