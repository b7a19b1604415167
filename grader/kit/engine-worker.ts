/**
 * Runs a lab's engine in a worker thread of the grader, so the engine (synchronous, holding the hidden
 * workload) can ask the sandboxed child a question in the middle of a simulation and wait for the
 * answer. The worker talks to the child itself, over the pipes of a worker session
 * (grader/sandbox/worker-channel.ts): it writes a request and blocks in read(2) for the reply, and
 * checks every byte with the same guard as the grader's thread. The grader's thread is not on that
 * path; it keeps the child's timeout, output caps and kill, and hears from the worker only what
 * decides the verdict (the hello, a protocol breach, the handler's error).
 *
 *   worker (engine)                                        sandbox child
 *   askChild(payload) ── request frame (fd 4) ───────────► harness
 *   blocking read     ◄── reply frame (fd 3), ReplyGuard ─
 *
 * The worker's entry is bundled once per grader process with esbuild (plain JavaScript, so it runs
 * the same under tsx, vitest or a built copy) and kept in memory: the worker starts from a data: URL,
 * so no file is left behind however the grader exits.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import * as esbuild from 'esbuild';
import { REPO_ROOT } from '../../sim/config/paths.js';
import type { SandboxSession } from '../sandbox/run-sandboxed.js';
import {
  ChannelEnded,
  inAsk,
  SyncChildChannel,
  type WorkerChannel,
  type WorkerChannelReport,
} from '../sandbox/worker-channel.js';

/** Everything the worker is started with. */
export interface EngineWorkerData<T> {
  readonly data: T;
  readonly channel: WorkerChannel;
}

type FromWorker<R> = { kind: 'channel'; report: WorkerChannelReport } | { kind: 'done'; result: R };

const bundles = new Map<string, Promise<URL>>();

function bundle(entry: string): Promise<URL> {
  let pending = bundles.get(entry);
  if (pending === undefined) {
    pending = esbuild
      .build({
        entryPoints: [entry],
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: 'node20',
        write: false,
        nodePaths: [join(REPO_ROOT, 'node_modules')],
        // A data: URL module has no file URL of its own: give the bundled modules the one they would
        // have (REPO_ROOT is computed from it), and CommonJS dependencies a require() rooted there.
        define: { 'import.meta.url': JSON.stringify(pathToFileURL(join(REPO_ROOT, 'sim', 'config', 'paths.ts')).href) },
        banner: {
          js: `import { createRequire as __servelabRequire } from 'node:module'; const require = __servelabRequire(${JSON.stringify(join(REPO_ROOT, 'package.json'))});`,
        },
        // Stack traces and profiles name the entry, not the whole data: URL.
        footer: { js: `//# sourceURL=${pathToFileURL(entry).href}?engine-worker-bundle` },
        logLevel: 'silent',
      })
      .then(
        (built) =>
          new URL(`data:text/javascript;base64,${Buffer.from(built.outputFiles[0]!.contents).toString('base64')}`),
      );
    bundles.set(entry, pending);
  }
  return pending;
}

export interface EngineWorkerOptions<R> {
  /** A session started with `channel: 'worker'`; the worker asks its child directly. */
  readonly session: SandboxSession;
  /** The result when the child ended before the worker finished (the session's outcome gives the verdict). */
  readonly whenChildEnded: () => R;
}

/**
 * Starts `entry` (a TypeScript module calling `childAsker`) on the session's channel. Settles only
 * once the worker has exited, so `session.finish()` may close the channel's pipes right after.
 * When the child ends first, a worker blocked on it returns by itself (end of file); one computing
 * without asking (a simulation that never ends because the router routes nothing) is terminated,
 * or it would keep the grader busy forever after the child's timeout.
 */
export async function runEngineWorker<T, R>(entry: string, data: T, options: EngineWorkerOptions<R>): Promise<R> {
  const { session } = options;
  const channel = session.worker;
  if (channel === undefined) throw new Error("runEngineWorker: the session was not started with channel: 'worker'");
  const url = await bundle(entry);
  const worker = new Worker(url, { workerData: { data, channel } satisfies EngineWorkerData<T> });
  return new Promise<R>((resolve, reject) => {
    let decided: (() => void) | undefined;
    const decide = (finish: () => void): void => {
      decided ??= finish;
    };
    worker.on('message', (message: FromWorker<R>) => {
      if (message.kind === 'channel') {
        session.workerReport(message.report);
        return;
      }
      decide(() => resolve(message.result));
      void worker.terminate();
    });
    worker.on('error', (error) => decide(() => reject(error)));
    // Messages posted before the worker stopped are delivered before 'exit'.
    worker.on('exit', (code) => {
      decide(() => reject(new Error(`the engine worker exited (code ${code}) without a result`)));
      decided!();
    });
    void session.ended.then(() => {
      // A worker blocked on the child (or about to be) is woken by end of file and reports what it read
      // last; it is left to finish. One computing without asking is stopped.
      const check = (): void => {
        if (decided !== undefined) return;
        if (inAsk(channel.busy)) {
          setTimeout(check, 20);
          return;
        }
        decide(() => resolve(options.whenChildEnded()));
        void worker.terminate();
      };
      setImmediate(check);
    });
  });
}

// ---- worker side -----------------------------------------------------------------------------

/** Thrown in the worker when the child can no longer answer (it ended: timeout, crash, protocol). */
export class ChildGone extends Error {
  constructor() {
    super('the sandboxed child stopped answering');
    this.name = 'ChildGone';
  }
}

/**
 * A synchronous question to the child, for code running inside the engine worker; `post` sends to the
 * grader's thread (parentPort.postMessage). Throws ChildGone once the child cannot answer.
 */
export function childAsker(
  init: EngineWorkerData<unknown>,
  post: (message: unknown) => void,
): (payload: unknown) => unknown {
  const channel = new SyncChildChannel(init.channel, (report) =>
    post({ kind: 'channel', report } satisfies FromWorker<never>),
  );
  return (payload) => {
    try {
      return channel.ask(payload);
    } catch (error) {
      if (error instanceof ChannelEnded) throw new ChildGone();
      throw error;
    }
  };
}
