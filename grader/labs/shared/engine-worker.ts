/**
 * Runs a lab's engine in a worker thread of the grader, so the engine (synchronous, holding the hidden
 * workload) can ask the sandboxed child a question in the middle of a simulation and wait for the
 * answer, while the grader's own thread stays free to enforce the child's timeout and caps.
 *
 *   worker (engine)                    grader thread                       sandbox child
 *   askChild(payload) ── postMessage ─► session.ask(payload) ── frame ───► harness
 *   Atomics.wait        ◄─ port + notify ── answer             ◄─ frame ──
 *
 * The worker's entry is bundled once per grader process with esbuild (plain JavaScript, so it runs
 * the same under tsx, vitest or a built copy) into a temp folder removed at exit.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import * as esbuild from 'esbuild';
import { REPO_ROOT } from '../../../sim/config/paths.js';

/** Everything the worker is started with. */
export interface EngineWorkerData<T> {
  readonly data: T;
  readonly port: MessagePort;
  readonly flag: SharedArrayBuffer;
}

type Relay = { readonly ok: true; readonly result: unknown } | { readonly ok: false };

const bundles = new Map<string, Promise<string>>();

function bundle(entry: string): Promise<string> {
  let pending = bundles.get(entry);
  if (pending === undefined) {
    const dir = mkdtempSync(join(tmpdir(), 'servelab-engine-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    const outfile = join(dir, 'engine.mjs');
    pending = esbuild
      .build({
        entryPoints: [entry],
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: 'node20',
        outfile,
        nodePaths: [join(REPO_ROOT, 'node_modules')],
        // Some engine dependencies are CommonJS and call require(): give the ESM bundle one.
        banner: {
          js: "import { createRequire as __servelabRequire } from 'node:module'; const require = __servelabRequire(import.meta.url);",
        },
        logLevel: 'silent',
      })
      .then(() => outfile);
    bundles.set(entry, pending);
  }
  return pending;
}

export interface EngineWorkerOptions<R> {
  /** Relays one question to the child (rejects once the child has ended). */
  readonly ask: (payload: unknown) => Promise<unknown>;
  /** Settles when the child has ended (SandboxSession.ended). */
  readonly childEnded: Promise<unknown>;
  /** The result when the child ended before the worker finished (the session's outcome gives the verdict). */
  readonly whenChildEnded: () => R;
}

/**
 * Starts `entry` (a TypeScript module calling `engineWorkerData` / `askChild`) and relays its questions.
 * When the child ends first, the worker is terminated: a worker blocked in Atomics.wait is woken by
 * the rejected ask anyway, but one looping without asking (a simulation that never ends because the
 * router routes nothing) would otherwise keep the grader busy forever after the child's timeout.
 */
export async function runEngineWorker<T, R>(entry: string, data: T, options: EngineWorkerOptions<R>): Promise<R> {
  const file = await bundle(entry);
  const flag = new SharedArrayBuffer(4);
  const signal = new Int32Array(flag);
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(file, {
    workerData: { data, port: port2, flag } satisfies EngineWorkerData<T>,
    transferList: [port2],
  });
  return new Promise<R>((resolve, reject) => {
    let settled = false;
    const settle = (finish: () => void): void => {
      if (settled) return;
      settled = true;
      port1.close();
      finish();
    };
    const answer = (relay: Relay): void => {
      if (settled) return;
      port1.postMessage(relay);
      Atomics.store(signal, 0, 1);
      Atomics.notify(signal, 0);
    };
    worker.on('message', (message: { kind: 'ask'; payload: unknown } | { kind: 'done'; result: R }) => {
      if (message.kind === 'done') {
        settle(() => resolve(message.result));
        return;
      }
      options.ask(message.payload).then(
        (result) => answer({ ok: true, result }),
        () => answer({ ok: false }),
      );
    });
    worker.on('error', (error) => settle(() => reject(error)));
    worker.on('exit', (code) =>
      settle(() => reject(new Error(`the engine worker exited (code ${code}) without a result`))),
    );
    void options.childEnded.then(() => {
      // The worker may have posted 'done' just before: its message is handled first if already queued.
      setImmediate(() =>
        settle(() => {
          void worker.terminate();
          resolve(options.whenChildEnded());
        }),
      );
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

/** A synchronous question to the child, for code running inside the engine worker. */
export function childAsker(
  init: EngineWorkerData<unknown>,
  post: (message: unknown) => void,
): (payload: unknown) => unknown {
  const signal = new Int32Array(init.flag);
  return (payload) => {
    Atomics.store(signal, 0, 0);
    post({ kind: 'ask', payload });
    // The grader thread always answers (a result, or ok: false once the child has ended).
    while (Atomics.wait(signal, 0, 0, 60_000) === 'timed-out') {
      // Still waiting: the child's own timeout ends it, and then the answer comes.
    }
    const relay = receiveMessageOnPort(init.port)?.message as Relay | undefined;
    if (relay === undefined || !relay.ok) throw new ChildGone();
    return relay.result;
  };
}
