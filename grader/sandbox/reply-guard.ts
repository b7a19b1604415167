/**
 * Every check on what a sandbox child sends, in one place for both readers of its reply channel: the
 * grader's own thread (run-sandboxed.ts, asynchronous) and an engine worker that asks the child
 * directly with blocking reads (worker-channel.ts). It does no I/O: the caller feeds it the bytes it
 * read and says which request it wrote; it answers with what happened.
 *
 * Checks, in order: the frame layer (frames.ts: length prefix, the byte cap on the whole channel,
 * guarded UTF-8 and JSON), then the protocol (protocol.ts): a hello carrying the session token before
 * anything else, replies carrying the token, exactly one reply to the one request in flight, and an
 * envelope of the right shape. The first breach ends the channel: nothing read after it is trusted.
 * The result inside a reply stays unvalidated; the caller parses it against the lab's schema.
 */
import { formatBytes } from '../intake/limits.js';
import { FrameReader, type FrameProblem } from './frames.js';
import type { ChildMessage, SerializedError } from './protocol.js';

export type Reply = Extract<ChildMessage, { type: 'reply' }>;

/** Why the channel was closed on the child: `reply-size` is the byte cap, `protocol` everything else. */
export interface Breach {
  readonly reason: 'protocol' | 'reply-size';
  readonly detail: string;
}

export type GuardEvent =
  | { readonly kind: 'hello' }
  | { readonly kind: 'reply'; readonly id: number; readonly reply: Reply }
  | { readonly kind: 'breach'; readonly breach: Breach };

export class ReplyGuard {
  readonly #token: string;
  readonly #maxBytes: number;
  readonly #frames: FrameReader;
  #ready = false;
  #inFlight: number | undefined;
  #breach: Breach | undefined;

  constructor(token: string, maxBytes: number) {
    this.#token = token;
    this.#maxBytes = maxBytes;
    this.#frames = new FrameReader(maxBytes);
  }

  /** The child's hello has been accepted: requests may be written. */
  get ready(): boolean {
    return this.#ready;
  }

  /** The request written and not yet answered, if any. */
  get inFlight(): number | undefined {
    return this.#inFlight;
  }

  get breach(): Breach | undefined {
    return this.#breach;
  }

  /** Bytes of a frame begun and not finished. */
  get buffered(): number {
    return this.#frames.leftover;
  }

  /** Records the request just written: its reply is the only one accepted next. */
  sent(id: number): void {
    this.#inFlight = id;
  }

  /** Events completed by these bytes, in order; after a breach, nothing more. */
  push(chunk: Buffer): GuardEvent[] {
    if (this.#breach !== undefined) return [];
    const events: GuardEvent[] = [];
    for (const event of this.#frames.push(chunk)) {
      const next =
        'problem' in event
          ? this.#fail(event.problem.kind === 'too-large' ? 'reply-size' : 'protocol', this.#describe(event.problem))
          : this.#onFrame(event.frame);
      events.push(next);
      if (next.kind === 'breach') break;
    }
    return events;
  }

  /** The channel closed: an unfinished frame left behind is a breach (a truncated reply). */
  closed(): Breach | undefined {
    if (this.#breach !== undefined || this.#frames.leftover === 0) return undefined;
    const left = this.#frames.leftover;
    const event = this.#fail('protocol', `the child's last frame was cut off (${left} bytes of an unfinished frame)`);
    return event.kind === 'breach' ? event.breach : undefined;
  }

  #onFrame(frame: unknown): GuardEvent {
    const message = frame as { type?: unknown; token?: unknown; id?: unknown };
    const type = typeof frame === 'object' && frame !== null && !Array.isArray(frame) ? message.type : undefined;
    if (!this.#ready) {
      if (type !== 'hello')
        return this.#fail('protocol', 'the child sent data before the harness had started (an early reply)');
      if (message.token !== this.#token)
        return this.#fail('protocol', 'the child sent a hello without the session token (a forged frame)');
      this.#ready = true;
      return { kind: 'hello' };
    }
    if (type !== 'reply' || message.token !== this.#token) {
      return this.#fail(
        'protocol',
        'the child sent a reply without the session token (a forged reply, e.g. written by student code)',
      );
    }
    if (this.#inFlight === undefined || message.id !== this.#inFlight)
      return this.#fail('protocol', 'the child sent more than one reply to one request');
    const reply = asReply(frame);
    if (reply === undefined) return this.#fail('protocol', 'the child sent a malformed reply');
    const id = this.#inFlight;
    this.#inFlight = undefined;
    return { kind: 'reply', id, reply };
  }

  #fail(reason: Breach['reason'], detail: string): GuardEvent {
    this.#breach = { reason, detail };
    return { kind: 'breach', breach: this.#breach };
  }

  #describe(problem: FrameProblem): string {
    return problem.kind === 'too-large'
      ? `the child tried to send ${formatBytes(problem.bytes)} on the reply channel (the cap is ${formatBytes(this.#maxBytes)})`
      : `the child sent a malformed frame: ${problem.detail}`;
  }
}

/**
 * Even with the right token the envelope is checked (a broken harness must not crash the parent);
 * the result inside stays unvalidated for the caller, which parses it against the lab's schema.
 */
function asReply(message: unknown): Reply | undefined {
  const m = message as { ok?: unknown; result?: unknown; error?: unknown; token?: unknown };
  const token = String(m.token);
  if (m.ok === true) return { type: 'reply', id: 0, token, ok: true, result: m.result };
  if (m.ok !== false || typeof m.error !== 'object' || m.error === null) return undefined;
  return { type: 'reply', id: 0, token, ok: false, error: asSerializedError(m.error) };
}

/** A child-sent error as plain strings (any field of the wrong type gets a neutral value). */
export function asSerializedError(value: object): SerializedError {
  const e = value as Record<string, unknown>;
  const text = (v: unknown, fallback: string): string => (typeof v === 'string' ? v : fallback);
  return {
    name: text(e.name, 'Error'),
    message: text(e.message, ''),
    stack: text(e.stack, ''),
    ...(typeof e.code === 'string' ? { code: e.code } : {}),
    ...(typeof e.permission === 'string' ? { permission: e.permission } : {}),
    ...(typeof e.resource === 'string' ? { resource: e.resource } : {}),
  };
}
