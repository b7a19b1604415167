/**
 * The conversation between runSandboxed (parent) and serve (child), in length-prefixed JSON frames
 * (frames.ts) on two plain pipes, not Node's `ipc` channel (whose parser throws inside the parent on
 * one bad line and buffers without bound): the child writes on fd 3 and reads requests on fd 4. The
 * parent's end is the grader's thread, or for a worker session the engine worker's blocking pipe ends
 * (worker-channel.ts); both check what they read with reply-guard.ts.
 *
 *   child → parent  { type: 'hello', token }                      the harness module has loaded
 *   parent → child  { type: 'input', id, input, last }            a request (hidden data lives only here)
 *   child → parent  { type: 'reply', id, token, ok: true, result }   or { ..., ok: false, error }
 *
 * The parent accepts nothing before the hello and exactly one reply per request; `last` tells the child
 * to exit after replying. `token` is a random value the parent puts in the child's environment; the
 * runtime reads it and deletes it before any student module runs, so a frame student code writes to
 * fd 3 itself cannot carry it and is refused as forged. Nothing the child sends is trusted beyond its
 * shape: the parent validates every reply against the lab's schema and decides the verdict.
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
  | { readonly type: 'hello'; readonly token: string }
  | { readonly type: 'reply'; readonly id: number; readonly token: string; readonly ok: true; readonly result: unknown }
  | {
      readonly type: 'reply';
      readonly id: number;
      readonly token: string;
      readonly ok: false;
      readonly error: SerializedError;
    };

export interface InputMessage {
  readonly type: 'input';
  readonly id: number;
  readonly input: unknown;
  /** The child exits after replying to this request. */
  readonly last: boolean;
}

/** The child's end of the reply channel (child → parent). */
export const CHANNEL_FD = 3;
/** The child's end of the request channel (parent → child). */
export const REQUEST_FD = 4;

/** The session token's environment variable; the runtime deletes it before student code loads. */
export const TOKEN_ENV = 'SERVELAB_SANDBOX_TOKEN';

/** Set in the child's environment by runSandboxed; child-runtime installs its hooks only when present. */
export const SANDBOX_ENV = 'SERVELAB_SANDBOX';

/** The seed of the child's `Math.random` (pinned-clock.ts); from the hidden seed and the item. */
export const RANDOM_SEED_ENV = 'SERVELAB_RANDOM_SEED';

/**
 * Written synchronously to stderr when student code calls process.exit before the reply, so the parent
 * can say "exit" rather than "crash". Forging it gains nothing: it only names a failure.
 */
export const EXIT_MARKER = '[servelab] process.exit called before the harness replied';

/** SerializedError.name for a thrown value that is not an Error (`throw 'text'`); message holds String(value). */
export const NON_ERROR = 'NonError';

/** SerializedError.name when the handler's result could not be sent (BigInt, cycles): a harness bug. */
export const HARNESS_RESULT_ERROR = 'HarnessResultError';
