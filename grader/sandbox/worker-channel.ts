/**
 * A session's channel as an engine worker uses it: the worker writes each request to the child's pipe
 * and blocks in read(2) for the reply (worker-pipes.ts), so a synchronous engine can ask the child in
 * the middle of a simulation with no hop through the grader's thread. The checks are the grader
 * thread's own (reply-guard.ts); what the worker learns that decides the verdict (the hello, a breach,
 * an error reply) it reports to the grader thread, which keeps the timeout, the output caps and the
 * kill, and gives the verdict (run-sandboxed.ts).
 */
import { readSync, writeSync } from 'node:fs';
import { encodeFrame } from './frames.js';
import type { InputMessage, SerializedError } from './protocol.js';
import { ReplyGuard, type Breach, type GuardEvent } from './reply-guard.js';

/** What the worker is given (plain data, passed in workerData). */
export interface WorkerChannel {
  /** Blocking write end of the request pipe. */
  readonly requestFd: number;
  /** Blocking read end of the reply pipe. */
  readonly replyFd: number;
  readonly token: string;
  readonly maxReplyBytes: number;
  /** Int32 flag, 1 while the worker is inside an ask (see `inAsk`). */
  readonly busy: SharedArrayBuffer;
}

/** The worker's view of the channel, sent to the grader thread each time it changes. */
export interface WorkerChannelReport {
  /** The child's hello was accepted. */
  readonly ready: boolean;
  /** Requests answered with a result. */
  readonly answered: number;
  /** The child broke the protocol or the byte cap: the grader thread kills it. */
  readonly breach?: Breach;
  /** The handler threw: the child's error reply (it exits after sending it). */
  readonly error?: SerializedError;
  /** An ask was written and not answered when the channel ended (the child died or was killed). */
  readonly unanswered: boolean;
}

/** Thrown by `ask` once the channel has ended for any reason; the grader thread's outcome says which. */
export class ChannelEnded extends Error {
  constructor() {
    super('the sandboxed child stopped answering');
    this.name = 'ChannelEnded';
  }
}

/** Whether the worker is inside an ask (blocked on the child or about to be): it returns by itself once the child is gone. */
export function inAsk(busy: SharedArrayBuffer): boolean {
  return Atomics.load(new Int32Array(busy), 0) === 1;
}

const READ_CHUNK = 64 * 1024;

export class SyncChildChannel {
  readonly #spec: WorkerChannel;
  readonly #report: (report: WorkerChannelReport) => void;
  readonly #guard: ReplyGuard;
  readonly #busy: Int32Array;
  readonly #buffer = Buffer.allocUnsafe(READ_CHUNK);
  readonly #events: GuardEvent[] = [];
  #nextId = 1;
  #answered = 0;
  #ended = false;

  constructor(spec: WorkerChannel, report: (report: WorkerChannelReport) => void) {
    this.#spec = spec;
    this.#report = report;
    this.#guard = new ReplyGuard(spec.token, spec.maxReplyBytes);
    this.#busy = new Int32Array(spec.busy);
  }

  /** The handler's result for `input`; throws ChannelEnded when the child cannot answer it. */
  ask(input: unknown): unknown {
    if (this.#ended) throw new ChannelEnded();
    // Encoded before anything is written: an input that is not JSON is the caller's fault, not the child's.
    const id = this.#nextId++;
    const frame = encodeFrame({ type: 'input', id, input, last: false } satisfies InputMessage);
    Atomics.store(this.#busy, 0, 1);
    try {
      if (!this.#guard.ready) this.#awaitHello();
      if (this.#ended) throw new ChannelEnded();
      this.#write(frame);
      this.#guard.sent(id);
      return this.#awaitReply();
    } finally {
      Atomics.store(this.#busy, 0, 0);
    }
  }

  #awaitHello(): void {
    const event = this.#next();
    if (event.kind !== 'hello') this.#end(event);
    this.#report(this.#state());
    this.#refuseSurplus();
  }

  #awaitReply(): unknown {
    const event = this.#next();
    if (event.kind !== 'reply' || !event.reply.ok) return this.#end(event);
    this.#answered++;
    this.#refuseSurplus();
    return event.reply.result;
  }

  /**
   * After a hello or a reply the child has nothing to send until the next request: bytes read with it
   * are a surplus or forged frame. The answer already read stands (as on the grader's thread); the
   * breach ends the channel, so the next ask throws, and the grader's thread kills the child.
   */
  #refuseSurplus(): void {
    if (this.#events.length === 0 && this.#guard.buffered === 0) return;
    const queued = this.#events.find((e) => e.kind === 'breach');
    const breach: Breach =
      queued?.kind === 'breach'
        ? queued.breach
        : { reason: 'protocol', detail: 'the child sent data after its answer, before the next request' };
    this.#events.length = 0;
    this.#ended = true;
    this.#report({ ...this.#state(), breach });
  }

  #write(frame: Buffer): void {
    let offset = 0;
    while (offset < frame.length) {
      try {
        offset += writeSync(this.#spec.requestFd, frame, offset);
      } catch (error) {
        if (isRetry(error)) continue;
        // EPIPE: the child is gone (no reader left).
        return this.#end(undefined);
      }
    }
  }

  /** The next event from the guard, reading as much as it needs. */
  #next(): GuardEvent {
    for (;;) {
      const queued = this.#events.shift();
      if (queued !== undefined) return queued;
      let n: number;
      try {
        n = readSync(this.#spec.replyFd, this.#buffer, 0, READ_CHUNK, null);
      } catch (error) {
        if (isRetry(error)) continue;
        n = 0;
      }
      if (n === 0) {
        const breach = this.#guard.closed();
        return this.#end(breach === undefined ? undefined : { kind: 'breach', breach });
      }
      // Copied: the guard keeps partial frames, and the read buffer is reused.
      this.#events.push(...this.#guard.push(Buffer.from(this.#buffer.subarray(0, n))));
    }
  }

  /** Ends the channel: reports what ended it (nothing: the child went away) and throws. */
  #end(event: GuardEvent | undefined): never {
    this.#ended = true;
    // Only asks end the channel: this one got no answer unless the answer was the handler's error.
    const base = this.#state(event?.kind !== 'reply');
    if (event?.kind === 'breach') this.#report({ ...base, breach: event.breach });
    else if (event?.kind === 'reply' && !event.reply.ok) this.#report({ ...base, error: event.reply.error });
    else if (event?.kind === 'hello') {
      // A second hello is refused by the guard as a forged reply, so this is unreachable; kept total.
      this.#report({ ...base, breach: { reason: 'protocol', detail: 'the child said hello twice' } });
    } else this.#report(base);
    throw new ChannelEnded();
  }

  #state(unanswered = false): WorkerChannelReport {
    return { ready: this.#guard.ready, answered: this.#answered, unanswered };
  }
}

function isRetry(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'EINTR' || code === 'EAGAIN';
}
