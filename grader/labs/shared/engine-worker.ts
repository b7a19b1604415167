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
        banner: { js: "import { createRequire as __servelabRequire } from 'node:module'; const require = __servelabRequire(import.meta.url);" },
        logLevel: 'silent',
      })
      .then(() => outfile);
    bundles.set(entry, pending);
  }
  return pending;
}

/** Starts `entry` (a TypeScript module calling `engineWorkerData` / `askChild`) and relays its questions to `ask`. */
export async function runEngineWorker<T, R>(entry: string, data: T, ask: (payload: unknown) => Promise<unknown>): Promise<R> {
  const file = await bundle(entry);
  const flag = new SharedArrayBuffer(4);
  const signal = new Int32Array(flag);
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(file, { workerData: { data, port: port2, flag } satisfies EngineWorkerData<T>, transferList: [port2] });
  return new Promise<R>((resolve, reject) => {
    let settled = false;
    const answer = (relay: Relay): void => {
      port1.postMessage(relay);
      Atomics.store(signal, 0, 1);
      Atomics.notify(signal, 0);
    };
    worker.on('message', (message: { kind: 'ask'; payload: unknown } | { kind: 'done'; result: R }) => {
      if (message.kind === 'done') {
        settled = true;
        port1.close();
        resolve(message.result);
        return;
      }
      ask(message.payload).then(
        (result) => answer({ ok: true, result }),
        () => answer({ ok: false }),
      );
    });
    worker.on('error', (error) => {
      settled = true;
      port1.close();
      reject(error);
    });
    worker.on('exit', (code) => {
      if (!settled) reject(new Error(`the engine worker exited (code ${code}) without a result`));
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
export function childAsker(init: EngineWorkerData<unknown>, post: (message: unknown) => void): (payload: unknown) => unknown {
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
