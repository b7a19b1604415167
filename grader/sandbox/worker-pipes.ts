/**
 * The two pipes of a session handed to an engine worker (worker-channel.ts): named pipes (FIFOs) made
 * in a grader-private 0700 folder and unlinked as soon as every end is open, so they behave as
 * anonymous pipes nobody else can open. Node has no pipe(2); a FIFO gives the same thing with ends
 * whose blocking mode we choose: the worker's ends block (its reads wait in the kernel, no relay
 * through the grader's thread), the child's are whatever its own libuv makes of them.
 *
 *   requests (worker → child)   worker: blocking write end     child: read end, as its fd 4
 *   replies  (child → worker)   worker: blocking read end      child: write end, as its fd 3
 *                               grader: a non-blocking read end, read only after the worker is gone
 *                               (bytes the child sent after its last answer are a breach)
 *
 * Every fd is opened with O_CLOEXEC (libuv's default), so no other child process inherits one: when
 * the sandbox child dies, its write end was the only one, and the worker's blocking read returns end
 * of file. Opening order matters, because opening a FIFO blocks until the other side is open: each
 * blocking open happens only once its counterpart exists.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface WorkerPipes {
  /** The child's ends, in fd order: [replies (write, fd 3), requests (read, fd 4)]. Close after spawn. */
  readonly childEnds: readonly [number, number];
  /** The engine worker's ends (blocking): it writes requests and reads replies. */
  readonly workerEnds: { readonly request: number; readonly reply: number };
  /** A non-blocking read end of the replies for the grader thread's final check. */
  readonly drainEnd: number;
}

export function openWorkerPipes(): WorkerPipes {
  const dir = mkdtempSync(join(tmpdir(), 'servelab-pipes-'));
  const opened: number[] = [];
  const open = (path: string, flags: number): number => {
    const fd = openSync(path, flags);
    opened.push(fd);
    return fd;
  };
  try {
    const requests = join(dir, 'requests');
    const replies = join(dir, 'replies');
    const made = spawnSync('mkfifo', ['-m', '600', requests, replies], { encoding: 'utf8' });
    if (made.error !== undefined || made.status !== 0) {
      throw new Error(
        `could not make the engine worker's pipes with mkfifo: ${made.error?.message ?? made.stderr.trim()}`,
      );
    }
    const { O_RDONLY, O_WRONLY, O_NONBLOCK } = constants;
    // A non-blocking read open never waits; with a reader there, the write opens return at once, and
    // with a writer there, the blocking read open does too.
    const childRequest = open(requests, O_RDONLY | O_NONBLOCK);
    const workerRequest = open(requests, O_WRONLY);
    const drainEnd = open(replies, O_RDONLY | O_NONBLOCK);
    const childReply = open(replies, O_WRONLY);
    const workerReply = open(replies, O_RDONLY);
    return {
      childEnds: [childReply, childRequest],
      workerEnds: { request: workerRequest, reply: workerReply },
      drainEnd,
    };
  } catch (error) {
    for (const fd of opened) closeQuietly(fd);
    throw error;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // Already closed.
  }
}
