/**
 * The IPC conversation between runSandboxed (parent) and serve (child), JSON-serialised by Node:
 *
 *   child → parent  { type: 'ready' }                       the harness module has loaded
 *   parent → child  { type: 'input', input }                the item's input (hidden data lives only here)
 *   child → parent  { type: 'reply', ok: true, result }     or { type: 'reply', ok: false, error }
 *
 * The parent sends the input only after 'ready': a message that arrives before the child listens
 * would be lost. Nothing the child sends is trusted beyond its shape; the parent decides the verdict.
 */
export interface SerializedError {
  readonly name: string;
  readonly message: string;
  readonly stack: string;
  /** Node error code, e.g. ERR_ACCESS_DENIED. */
  readonly code?: string;
  /** For ERR_ACCESS_DENIED: FileSystemRead, ChildProcess, WorkerThreads, … */
  readonly permission?: string;
  /** For ERR_ACCESS_DENIED: the path or resource refused. */
  readonly resource?: string;
}

export type ChildMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'reply'; readonly ok: true; readonly result: unknown }
  | { readonly type: 'reply'; readonly ok: false; readonly error: SerializedError };

export interface InputMessage {
  readonly type: 'input';
  readonly input: unknown;
}

/** Set in the child's environment by runSandboxed; child-runtime installs its hooks only when present. */
export const SANDBOX_ENV = 'SERVELAB_SANDBOX';

/**
 * Written synchronously to stderr when student code calls process.exit before the reply, so the parent
 * can say "exit" rather than "crash". Forging it gains nothing: it only names a failure.
 */
export const EXIT_MARKER = '[servelab] process.exit called before the harness replied';

/** SerializedError.name for a thrown value that is not an Error (`throw 'text'`); message holds String(value). */
export const NON_ERROR = 'NonError';

/** SerializedError.name when the handler's result could not be sent (BigInt, cycles): a harness bug. */
export const HARNESS_RESULT_ERROR = 'HarnessResultError';
