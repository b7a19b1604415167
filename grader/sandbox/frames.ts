/**
 * Length-prefixed frames for the sandbox channel (fd 3, a plain pipe; see protocol.ts): a 4-byte
 * big-endian byte length, then that many bytes of UTF-8 JSON. The reader enforces a byte cap before it
 * buffers anything, so a child announcing or streaming a huge reply costs the parent at most the cap,
 * and it never throws on what it reads: malformed data becomes a `FrameProblem` the caller turns
 * into a verdict. Everything read here is student-chosen data.
 */
export const FRAME_HEADER_BYTES = 4;

export function encodeFrame(message: unknown): Buffer {
  const body = Buffer.from(JSON.stringify(message), 'utf8');
  const header = Buffer.alloc(FRAME_HEADER_BYTES);
  header.writeUInt32BE(body.length, 0);
  return Buffer.concat([header, body]);
}

export type FrameProblem =
  | { readonly kind: 'too-large'; readonly bytes: number }
  | { readonly kind: 'malformed'; readonly detail: string };

export type FrameEvent = { readonly frame: unknown } | { readonly problem: FrameProblem };

/**
 * Reassembles frames from chunks. `maxBytes` caps everything the channel may carry in one run
 * (headers included), so many medium frames cannot add up past it either.
 */
export class FrameReader {
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  #total = 0;
  #failed = false;

  constructor(private readonly maxBytes: number) {}

  /** Frames completed by this chunk, in order; after a problem the reader stops (nothing more is trusted). */
  push(chunk: Buffer): FrameEvent[] {
    if (this.#failed) return [];
    this.#total += chunk.length;
    if (this.#total > this.maxBytes) return this.#fail({ kind: 'too-large', bytes: this.#total });
    this.#pending.push(chunk);
    this.#pendingBytes += chunk.length;
    const events: FrameEvent[] = [];
    for (;;) {
      if (this.#pendingBytes < FRAME_HEADER_BYTES) return events;
      const buffer = this.#flatten();
      const length = buffer.readUInt32BE(0);
      // Checked on the header alone: a frame announcing more than the cap is refused before its body arrives.
      if (length > this.maxBytes) return [...events, ...this.#fail({ kind: 'too-large', bytes: length })];
      if (buffer.length < FRAME_HEADER_BYTES + length) return events;
      const body = buffer.subarray(FRAME_HEADER_BYTES, FRAME_HEADER_BYTES + length);
      this.#pending = [buffer.subarray(FRAME_HEADER_BYTES + length)];
      this.#pendingBytes = this.#pending[0]!.length;
      const parsed = parseJson(body);
      if ('problem' in parsed) return [...events, ...this.#fail(parsed.problem)];
      events.push(parsed);
    }
  }

  /** Bytes of an unfinished frame left when the channel closed (a truncated reply). */
  get leftover(): number {
    return this.#failed ? 0 : this.#pendingBytes;
  }

  get totalBytes(): number {
    return this.#total;
  }

  #flatten(): Buffer {
    if (this.#pending.length !== 1) this.#pending = [Buffer.concat(this.#pending)];
    return this.#pending[0]!;
  }

  #fail(problem: FrameProblem): FrameEvent[] {
    this.#failed = true;
    this.#pending = [];
    this.#pendingBytes = 0;
    return [{ problem }];
  }
}

/** One decoder for every frame: without `stream`, each decode starts afresh (the routing lab decodes ~15,000 per grading). */
const utf8 = new TextDecoder('utf-8', { fatal: true });

function parseJson(body: Buffer): FrameEvent {
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    return { problem: { kind: 'malformed', detail: 'a frame is not valid UTF-8' } };
  }
  try {
    return { frame: JSON.parse(text) as unknown };
  } catch (error) {
    return {
      problem: { kind: 'malformed', detail: `a frame is not valid JSON (${(error as Error).message.slice(0, 120)})` },
    };
  }
}
