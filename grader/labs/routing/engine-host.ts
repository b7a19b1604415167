/**
 * The routing lab's simulations, run in the grader (a worker thread, see ../shared/engine-worker.ts)
 * with the hidden workloads: the student's router lives in the sandboxed child, and a ProxyRouter
 * asks it for every decision the engine needs (schedule, markReplicaToFree), sending only what a
 * router may see (protocol.ts). Decode lengths never leave the grader, and the latencies that are
 * scored come from this engine directly.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Router, type Assignment, type RoutableRequest, type RouterInit } from '../../../sim/policies/router/router.js';
import type { TimelineData } from '../../../sim/metrics/timeline/index.js';
import { childAsker, ChildGone, type EngineWorkerData } from '../shared/engine-worker.js';
import { reportRecorder } from '../../kit/timelines.js';
import { RouterAnswer, RouterOpened, type RouterCall } from '../../kit/router-session.js';
import type { SimulationRun } from './schemas.js';
import { e2eValues, meanE2e, perReplicaCounts } from '../../kit/run-metrics.js';
import { benchmarkConfig, simulateRouting } from './simulate.js';

export interface RunOutcome {
  readonly label: string;
  readonly problems: string[];
  readonly e2e: number | null;
  readonly requestsPerReplica: Record<string, number>;
  readonly e2es: number[];
  /** The run's timeline, frozen to cross the thread (only for the runs asked for: the report's side-by-side view). */
  readonly timeline?: { readonly data: TimelineData; readonly endTime: number };
}

/** What the worker is started with: the runs, and which of them to record as timelines. */
export interface HostInput {
  readonly runs: SimulationRun[];
  readonly timelineRuns?: readonly number[];
}

export interface HostResult {
  readonly runs: RunOutcome[];
  /** The child answered with data of the wrong shape: the item's verdict is invalid-output. */
  readonly invalid?: string;
  /** The child ended before answering (its outcome gives the verdict). */
  readonly ended?: boolean;
}

/** A decision that breaks the routing rules (unknown or repeated request, not a number). */
class RuleBroken extends Error {}
class InvalidAnswer extends Error {}

type Ask = (payload: unknown) => unknown;

class ProxyRouter extends Router {
  override readonly readsKvState: boolean;
  readonly #ask: Ask;
  readonly #run: number;
  /** Requests added and not yet assigned, by id (the engine's own objects, never sent whole). */
  readonly #waiting = new Map<number, RoutableRequest>();
  #arrivals: RoutableRequest[] = [];
  #removed: number[] = [];
  #childQueued = 0;
  #now = 0;
  decodeTokenReads = 0;

  constructor(init: RouterInit, ask: Ask, run: number, seed: number) {
    super(init);
    this.#ask = ask;
    this.#run = run;
    const opened = RouterOpened.safeParse(ask({ task: 'open', run, seed }));
    if (!opened.success) throw new InvalidAnswer('the harness answered the router set-up with data of the wrong shape');
    this.readsKvState = opened.data.readsKvState;
  }

  override get numQueued(): number {
    return this.#childQueued + this.#arrivals.length;
  }

  override addRequest(request: RoutableRequest): void {
    this.#waiting.set(request.id, request);
    this.#arrivals.push(request);
  }

  override schedule(now: number): Assignment[] {
    this.#now = now;
    const answer = this.#call('schedule');
    const out: Assignment[] = [];
    for (const [requestId, replicaId] of answer.assignments) {
      const request = requestId === null ? undefined : this.#waiting.get(requestId);
      if (request === undefined) {
        throw new RuleBroken(
          requestId === null
            ? 'returned an assignment whose request is not one of the queued requests'
            : `the router assigned request ${requestId} at t=${now.toFixed(6)} s, when it was not waiting to be routed (already routed, or unknown)`,
        );
      }
      this.#waiting.delete(request.id);
      // Not a number (null on the wire): the engine refuses it with its own message, as in process.
      out.push({ replicaId: replicaId ?? Number.NaN, request });
    }
    return out;
  }

  override markReplicaToFree(): number | null {
    return this.#call('mark').mark;
  }

  override onReplicaRemoved(replicaId: number): void {
    super.onReplicaRemoved(replicaId);
    this.#removed.push(replicaId);
  }

  #call(op: RouterCall['op']): RouterAnswer {
    const call: RouterCall = {
      task: 'call',
      run: this.#run,
      op,
      now: this.#now,
      arrivals: this.#arrivals.map((r) => [r.id, r.arrivedAt, r.numPrefillTokens, r.clientId, r.tier ?? null]),
      replicas: this.cluster.replicas.map((r) => [
        r.replicaId,
        r.numWaiting,
        r.numRunning,
        r.numOutstanding,
        r.kv.numBlocks,
        r.kv.numFreeBlocks,
      ]),
      marked: [...this.replicasToFree],
      removed: this.#removed,
    };
    this.#arrivals = [];
    this.#removed = [];
    const parsed = RouterAnswer.safeParse(this.#ask(call));
    if (!parsed.success) throw new InvalidAnswer('the harness answered a router call with data of the wrong shape');
    const answer = parsed.data;
    // The student's set is the engine's set, as it would be in process.
    this.replicasToFree.clear();
    for (const id of answer.marked) if (Number.isInteger(id)) this.replicasToFree.add(id);
    this.#childQueued = answer.numQueued;
    this.decodeTokenReads = answer.decodeTokenReads;
    return answer;
  }
}

export function hostRuns(runs: readonly SimulationRun[], ask: Ask, timelineRuns: readonly number[] = []): HostResult {
  const outcomes: RunOutcome[] = [];
  for (const [index, run] of runs.entries()) {
    const problems: string[] = [];
    let proxy: ProxyRouter | undefined;
    try {
      const seed = benchmarkConfig(run.replicas).seed;
      const recorder = timelineRuns.includes(index) ? reportRecorder() : undefined;
      const result = simulateRouting(run, (init) => (proxy = new ProxyRouter(init, ask, index, seed)), {
        guardDecodeTokens: false,
        observers: recorder === undefined ? [] : [recorder],
      });
      const n = run.requests.arrivedAt.length;
      if (proxy!.decodeTokenReads > 0)
        problems.push(`read numDecodeTokens ${proxy!.decodeTokenReads} time(s); routers may not use the decode length`);
      if (result.numCompleted < n)
        problems.push(`${n - result.numCompleted} of ${n} requests were never routed or never finished`);
      outcomes.push({
        label: run.label,
        problems,
        e2e: meanE2e(result),
        requestsPerReplica: perReplicaCounts(result),
        e2es: e2eValues(result),
        ...(recorder !== undefined
          ? { timeline: { data: recorder.freeze(result.endTime), endTime: result.endTime } }
          : {}),
      });
    } catch (err) {
      if (err instanceof ChildGone) return { runs: outcomes, ended: true };
      if (err instanceof InvalidAnswer) return { runs: outcomes, invalid: err.message };
      if (proxy !== undefined && proxy.decodeTokenReads > 0)
        problems.push(`read numDecodeTokens ${proxy.decodeTokenReads} time(s); routers may not use the decode length`);
      problems.push(`the router's decisions break the rules: ${(err as Error).message}`);
      outcomes.push({ label: run.label, problems, e2e: null, requestsPerReplica: {}, e2es: [] });
    }
  }
  return { runs: outcomes };
}

// Worker entry: started by runEngineWorker with the runs; posts one 'done' message.
if (parentPort !== null && (workerData as { data?: unknown } | null)?.data !== undefined) {
  const init = workerData as EngineWorkerData<HostInput>;
  const port = parentPort;
  const result = hostRuns(
    init.data.runs,
    childAsker(init, (m) => port.postMessage(m)),
    init.data.timelineRuns,
  );
  port.postMessage({ kind: 'done', result });
}
