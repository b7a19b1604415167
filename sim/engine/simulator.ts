/**
 * The discrete-event simulator. It owns the clock, the event queue, the cluster and the router, and
 * moves requests through them:
 *
 *   arrival → router.addRequest → globalSchedule → replica.addRequest → replicaSchedule
 *     → replica.schedule() forms a batch → execution-time model → batchEnd
 *     → requests advance, replica.onBatchEnd, next replicaSchedule (and globalSchedule)
 *
 * Everything a run needs is passed in; nothing is module-level, so simulations are independent.
 */
import { Batch } from '../entities/batch.js';
import { InputError } from '../errors.js';
import { Request } from '../entities/request.js';
import { KvBlockManager } from '../memory/kv-block-manager.js';
import type { ExecutionTimeModel } from '../predictor/execution-time-model.js';
import type { AutoscalingOptions } from '../policies/autoscaler/autoscaler.js';
import type {
  ReplicaScheduler,
  ReplicaSchedulerInit,
  ReplicaSchedulerLimits,
} from '../policies/replica/replica-scheduler.js';
import { routableView } from '../policies/router/routable-view.js';
import type { Router, RouterInit } from '../policies/router/router.js';
import { Rng } from '../workload/rng.js';
import { Cluster, type ReplicaCountPoint } from './cluster.js';
import { EventQueue } from './event-queue.js';
import {
  AUTOSCALER_TUNE,
  GLOBAL_SCHEDULE,
  SCALE_DOWN,
  SCALE_UP,
  type BatchEndEvent,
  type SimEvent,
  type SimEventKind,
} from './events.js';

/** Longest decode run handled as one event; bounds the work wasted when an arrival cuts a run short. */
const MAX_DECODE_RUN = 1024;

export interface KvCacheSetup {
  readonly numBlocks: number;
  readonly blockSize: number;
  readonly watermarkFraction: number;
}

/**
 * Hooks for collectors and labs; called synchronously, in event order. An observer turns the
 * decode fast path off, so `onBatchStart`/`onBatchEnd` see every iteration, unless it gives an
 * `iterationSpan`.
 */
export interface SimulationObserver {
  /**
   * The span of simulated time [start, end] in which this observer needs every iteration. When every
   * observer gives one, the engine keeps its decode fast path outside the spans: a run never starts
   * inside one and stops at the start of the next (results are identical either way). Read at each
   * batch start, so it may shrink as the run goes (a recorder that is full).
   */
  iterationSpan?(): readonly [number, number];
  onBatchStart?(batch: Batch, now: number): void;
  onBatchEnd?(batch: Batch, now: number): void;
  onRequestCompleted?(request: Request, now: number): void;
  /** A request reached the router; `numQueued` counts what the router holds after adding it. */
  onRequestArrival?(request: Request, now: number, numQueued: number): void;
  /** One router call's assignments (possibly none), and what the router still holds. */
  onRequestsRouted?(assignments: readonly RoutedRequest[], now: number, numQueued: number): void;
  /** A replica joined the cluster (the initial ones at time 0, during construction). */
  onReplicaAdded?(replica: ReplicaScheduler, now: number): void;
  onReplicaRemoved?(replicaId: number, now: number): void;
  /** The autoscaler asked for `count` replicas more ('up') or fewer ('down'), after the min/max clamp. */
  onScaleRequested?(direction: 'up' | 'down', count: number, now: number): void;
}

export interface ReplicaKind {
  /** e.g. "a100" or "h100/tp2"; routers read it as `replica.kind`. */
  readonly label: string;
  readonly numBlocks: number;
  readonly executionModel: ExecutionTimeModel;
  readonly costPerReplicaHour: number;
}

export interface RoutedRequest {
  readonly replicaId: number;
  readonly request: Request;
}

export interface SimulationSetup {
  /** Requests in any order; they are scheduled by arrival time (ties by id). */
  readonly requests: readonly Request[];
  readonly initialReplicas: number;
  readonly kvCache: KvCacheSetup;
  readonly limits: ReplicaSchedulerLimits;
  readonly makeRouter: (init: RouterInit) => Router;
  /** Builds each replica's scheduler, its policy's own options already bound (sim/policies/replica/registry.ts). */
  readonly makeReplicaScheduler: (init: ReplicaSchedulerInit) => ReplicaScheduler;
  readonly executionModel: ExecutionTimeModel;
  readonly seed: number;
  /** Events after this simulated time are not processed; requests then unfinished stay unfinished. */
  readonly timeLimit?: number;
  readonly costPerReplicaHour: number;
  /**
   * Unequal replicas (sim/config/replica-mix.ts): replica id i is `replicaKinds[i mod n]`, with its
   * own KV blocks, execution-time model and price. Absent: every replica has `kvCache.numBlocks`,
   * `executionModel` and `costPerReplicaHour`.
   */
  readonly replicaKinds?: readonly ReplicaKind[];
  readonly autoscaling?: AutoscalingOptions;
  readonly observers?: readonly SimulationObserver[];
  /** Called every `progressEvery` events with the clock and completed count. */
  readonly onProgress?: (now: number, completed: number, total: number) => void;
  readonly progressEvery?: number;
  /**
   * Run a replica's steady decode iterations back to back in one event (default true). Results are
   * identical; it is turned off automatically when observers, an autoscaler or a router that reads
   * KV state need to see every iteration.
   */
  readonly fastForward?: boolean;
  /** Lab mode: routers get request views whose decode length throws (and is counted in the result). */
  readonly guardDecodeTokens?: boolean;
  /** Per-client weights for fair replica schedulers (index = client id; unlisted clients weigh 1). */
  readonly clientWeights?: readonly number[];
}

export interface SimulationResult {
  readonly requests: readonly Request[];
  /** Simulated time of the last processed event (the last completion when nothing was cut off). */
  readonly endTime: number;
  readonly numCompleted: number;
  readonly numBatches: number;
  readonly numEvents: number;
  readonly eventCounts: Readonly<Record<SimEventKind, number>>;
  readonly costDollars: number;
  readonly replicaTimeline: readonly ReplicaCountPoint[];
  /** Requests routed to each replica id (all replicas that ever existed). */
  readonly requestsPerReplica: ReadonlyMap<number, number>;
  readonly numPreemptions: number;
  /** Reads of a request's decode length by the router (only counted with `guardDecodeTokens`). */
  readonly decodeTokenReads: number;
  /** Wall-clock seconds spent in `run()` (event processing only). */
  readonly wallSeconds: number;
}

export class Simulator {
  #now = 0;
  readonly #queue = new EventQueue<SimEvent>();
  readonly #setup: SimulationSetup;
  readonly #cluster: Cluster;
  readonly #router: Router;
  readonly #requests: Request[];
  readonly #requestById: RequestsById;
  readonly #requestsPerReplica = new Map<number, number>();
  readonly #observers: readonly SimulationObserver[];
  readonly #eventCounts: Record<SimEventKind, number> = {
    arrival: 0,
    globalSchedule: 0,
    replicaSchedule: 0,
    batchEnd: 0,
    autoscalerTune: 0,
    scaleUp: 0,
    scaleDown: 0,
  };
  /** Index of the next request to arrive in #requests (arrivals stay out of the heap, see run()). */
  #nextArrival = 0;
  /**
   * `#requests[i].arrivedAt`, side by side: run() reads the next arrival time before every event, and
   * from request objects scattered over the heap those reads were mostly cache misses.
   */
  readonly #arrivalTimes: Float64Array;
  /** Replicas given requests by the current router call, in first-assignment order (reused across calls). */
  readonly #touched: number[] = [];
  /** One immutable replicaSchedule event per replica, reused instead of allocating one per batch. */
  readonly #scheduleEvents = new Map<number, SimEvent>();
  #decodeTokenReads = 0;
  #pendingScaleUps = 0;
  #pendingScaleDowns = 0;
  #numCompleted = 0;
  #numBatches = 0;
  #numPreemptionsOfRemoved = 0;
  #ran = false;
  readonly #fastForward: boolean;
  /** Decode runs in flight, by replica id (only runs of more than one iteration). */
  readonly #runs = new Map<number, BatchEndEvent>();
  /** Per-replica scratch arrays for decode-run times (a replica has one run at a time). */
  readonly #runBuffers = new Map<number, { ends: Float64Array; durations: Float64Array }>();

  constructor(setup: SimulationSetup) {
    this.#setup = setup;
    this.#observers = setup.observers ?? [];
    const rng = new Rng(setup.seed);
    this.#cluster = new Cluster(setup.costPerReplicaHour);
    this.#router = setup.makeRouter({ cluster: this.#cluster, rng: rng.fork('router') });
    if (!Number.isInteger(setup.initialReplicas) || setup.initialReplicas < 1) {
      throw new RangeError(`initialReplicas must be a positive integer, got ${setup.initialReplicas}`);
    }
    for (let i = 0; i < setup.initialReplicas; i++) this.#addReplica(0);
    this.#requests = [...setup.requests].sort((a, b) => a.arrivedAt - b.arrivedAt || a.id - b.id);
    this.#requestById = new RequestsById(this.#requests);
    this.#arrivalTimes = new Float64Array(this.#requests.length); // (Float64Array.from with a map function is slow)
    for (let i = 0; i < this.#requests.length; i++) this.#arrivalTimes[i] = this.#requests[i]!.arrivedAt;
    const { numBlocks, blockSize, watermarkFraction } = setup.kvCache;
    const capacityTokens = (numBlocks - Math.floor(watermarkFraction * numBlocks)) * blockSize;
    for (const request of this.#requests) {
      if (this.#requestById.get(request.id) !== undefined) throw new Error(`duplicate request id ${request.id}`);
      if (request.totalTokens > capacityTokens) {
        throw new InputError(
          `request ${request.id} needs ${request.totalTokens} tokens of KV cache but a replica can admit at most ${capacityTokens}; ` +
            `clip lengths with --max-tokens or give replicas more blocks (--num-blocks)`,
        );
      }
      if (!(request.arrivedAt >= 0))
        throw new RangeError(`request ${request.id} arrives at ${request.arrivedAt}; times must be ≥ 0`);
      this.#requestById.set(request);
    }
    this.#fastForward =
      setup.fastForward !== false &&
      this.#observers.every((o) => o.iterationSpan !== undefined) &&
      setup.autoscaling === undefined &&
      !this.#router.readsKvState;
    if (setup.autoscaling !== undefined) {
      const interval = setup.autoscaling.policy.tuneInterval;
      if (!(interval > 0)) throw new RangeError(`autoscaler tuneInterval must be > 0, got ${interval}`);
      this.#queue.push(interval, AUTOSCALER_TUNE);
    }
  }

  get now(): number {
    return this.#now;
  }

  get cluster(): Cluster {
    return this.#cluster;
  }

  get router(): Router {
    return this.#router;
  }

  run(): SimulationResult {
    if (this.#ran) throw new Error('a Simulator runs once; build a new one for another run');
    this.#ran = true;
    const started = performance.now();
    const limit = this.#setup.timeLimit ?? Number.POSITIVE_INFINITY;
    const total = this.#requests.length;
    const progressEvery = this.#setup.progressEvery ?? 200_000;
    const onProgress = this.#setup.onProgress;
    let processed = 0;
    // Arrivals are already sorted, so they are merged in from a cursor rather than pushed on the heap:
    // the heap then holds only a few events per replica, and pops stay cheap at a million requests.
    // An arrival wins a tie with a queued event, as if it had been queued first (Vidur creates all
    // arrival events up front).
    const requests = this.#requests;
    const arrivalTimes = this.#arrivalTimes;
    for (;;) {
      const queued = this.#queue.peekTime();
      const arrival = this.#nextArrival < total ? arrivalTimes[this.#nextArrival]! : undefined;
      if (arrival !== undefined && (queued === undefined || arrival <= queued)) {
        if (arrival > limit) break;
        this.#advanceTo(arrival);
        this.#eventCounts.arrival++;
        this.#onArrival(requests[this.#nextArrival++]!);
      } else {
        if (queued === undefined || queued > limit) break;
        // The autoscaler's tuner re-arms forever; once every request has finished, nothing is left to scale for.
        if (this.#numCompleted === total && this.#onlyTunerLeft()) break;
        const event = this.#queue.pop()!;
        this.#advanceTo(queued);
        this.#handle(event);
      }
      processed++;
      if (onProgress !== undefined && processed % progressEvery === 0) onProgress(this.#now, this.#numCompleted, total);
    }
    const endTime = this.#now;
    const costDollars = this.#cluster.closeCostAt(endTime);
    let numPreemptions = this.#numPreemptionsOfRemoved;
    for (const r of this.#cluster.replicas) numPreemptions += r.numPreemptions;
    onProgress?.(this.#now, this.#numCompleted, total);
    return {
      requests: this.#requests,
      endTime,
      numCompleted: this.#numCompleted,
      numBatches: this.#numBatches,
      numEvents: processed,
      eventCounts: { ...this.#eventCounts },
      costDollars,
      replicaTimeline: this.#cluster.timeline,
      requestsPerReplica: this.#requestsPerReplica,
      numPreemptions,
      decodeTokenReads: this.#decodeTokenReads,
      wallSeconds: (performance.now() - started) / 1000,
    };
  }

  #advanceTo(next: number): void {
    if (next < this.#now) throw new Error(`time went backwards: ${next} < ${this.#now}`);
    this.#now = next;
  }

  #onlyTunerLeft(): boolean {
    return (
      this.#setup.autoscaling !== undefined && this.#queue.size <= 1 + this.#pendingScaleUps + this.#pendingScaleDowns
    );
  }

  #handle(event: SimEvent): void {
    // Each case counts its own kind: a named increment, where `counts[event.kind]++` was a keyed one
    // costing about 2% of an autoscaling run.
    const counts = this.#eventCounts;
    switch (event.kind) {
      case 'globalSchedule':
        counts.globalSchedule++;
        return this.#onGlobalSchedule();
      case 'replicaSchedule':
        counts.replicaSchedule++;
        return this.#onReplicaSchedule(event.replicaId);
      case 'batchEnd':
        counts.batchEnd++;
        return this.#onBatchEnd(event);
      case 'autoscalerTune':
        counts.autoscalerTune++;
        return this.#onTune();
      case 'scaleUp':
        counts.scaleUp++;
        return this.#onScaleUp();
      case 'scaleDown':
        counts.scaleDown++;
        return this.#onScaleDown();
      default: {
        const unreachable: never = event;
        throw new Error(`unknown event ${JSON.stringify(unreachable)}`);
      }
    }
  }

  #onArrival(request: Request): void {
    const routed =
      this.#setup.guardDecodeTokens === true ? routableView(request, () => this.#decodeTokenReads++) : request;
    this.#router.addRequest(routed);
    this.#setup.autoscaling?.policy.onRequestArrival?.(request, this.#now); // the request itself: autoscalers may read the decode length
    for (const o of this.#observers) o.onRequestArrival?.(request, this.#now, this.#router.numQueued);
    this.#queue.push(this.#now, GLOBAL_SCHEDULE);
  }

  #onGlobalSchedule(): void {
    const assignments = this.#router.schedule(this.#now);
    const touched = this.#touched;
    const routedRequests: RoutedRequest[] | undefined = this.#observers.length > 0 ? [] : undefined;
    for (const { replicaId, request: routed } of assignments) {
      const request = this.#requestById.get(routed.id);
      if (request === undefined) throw new Error(`router assigned unknown request ${routed.id}`);
      if (request.status !== 'pending') throw new Error(`router assigned request ${request.id} twice`);
      const replica = this.#cluster.get(replicaId);
      if (replica === undefined) {
        throw new Error(
          `router assigned request ${request.id} to replica ${replicaId}, which does not exist; ` +
            `existing ids: [${this.#cluster.replicas.map((r) => r.replicaId).join(', ')}]`,
        );
      }
      if (this.#router.replicasToFree.has(replicaId)) {
        throw new Error(
          `router assigned request ${request.id} to replica ${replicaId}, which is marked for scale-down`,
        );
      }
      replica.addRequest(request, this.#now);
      this.#requestsPerReplica.set(replicaId, (this.#requestsPerReplica.get(replicaId) ?? 0) + 1);
      if (!touched.includes(replicaId)) touched.push(replicaId);
      routedRequests?.push({ replicaId, request });
    }
    if (routedRequests !== undefined)
      for (const o of this.#observers) o.onRequestsRouted?.(routedRequests, this.#now, this.#router.numQueued);
    for (const replicaId of touched) {
      this.#cutRun(replicaId);
      this.#queue.push(this.#now, this.#scheduleEvent(replicaId));
    }
    // Emptied by pop, which keeps the array's storage: `length = 0` dropped it, and the next call's
    // push allocated it again.
    while (touched.length > 0) touched.pop();
  }

  #onReplicaSchedule(replicaId: number): void {
    const replica = this.#cluster.get(replicaId);
    if (replica === undefined) return; // freed since the event was created
    const batch = replica.schedule(this.#now);
    if (batch === undefined) return;
    batch.scheduledAt = this.#now;
    const model = this.#modelOf(replicaId);
    batch.duration = model.batchTime(batch) + batch.extraTime;
    if (!(batch.duration > 0) || !Number.isFinite(batch.duration)) {
      throw new Error(`execution-time model ${model.name} returned ${batch.duration} s for a batch`);
    }
    for (const request of batch.requests) request.onBatchStart(this.#now);
    this.#numBatches++;
    for (const o of this.#observers) o.onBatchStart?.(batch, this.#now);
    let steps = this.#fastForward ? replica.decodeRunLength(batch, MAX_DECODE_RUN) : 1;
    if (steps > 1 && this.#observers.length > 0 && this.#insideObserverSpan()) steps = 1;
    const event = steps > 1 ? this.#planDecodeRun(batch, steps) : { kind: 'batchEnd' as const, batch, steps: 1 };
    if (event.steps > 1) this.#runs.set(replicaId, event);
    this.#queue.push(event.ends === undefined ? this.#now + batch.duration : event.ends[event.steps - 1]!, event);
  }

  /**
   * Times the iterations of a decode run: each request gains one KV token per iteration, so each
   * iteration is timed on its own. Iterations ending after the time limit are left out, as the
   * step-by-step run would never process them.
   */
  #planDecodeRun(batch: Batch, maxSteps: number): BatchEndEvent {
    const limit = this.#setup.timeLimit ?? Number.POSITIVE_INFINITY;
    let buffers = this.#runBuffers.get(batch.replicaId);
    if (buffers === undefined) {
      buffers = { ends: new Float64Array(MAX_DECODE_RUN), durations: new Float64Array(MAX_DECODE_RUN) };
      this.#runBuffers.set(batch.replicaId, buffers);
    }
    const { ends, durations } = buffers;
    const model = this.#modelOf(batch.replicaId);
    if (model.decodeRunTimes !== undefined) {
      model.decodeRunTimes(batch, maxSteps, durations);
      if (batch.extraTime !== 0) for (let s = 0; s < maxSteps; s++) durations[s]! += batch.extraTime;
    } else {
      const shape = {
        requests: batch.requests.map((r) => ({ numProcessedTokens: r.numProcessedTokens, isPrefillComplete: true })),
        numTokens: batch.numTokens,
      };
      for (let s = 1; s < maxSteps; s++) {
        for (const r of shape.requests) r.numProcessedTokens += 1;
        durations[s] = model.batchTime(shape) + batch.extraTime;
      }
    }
    durations[0] = batch.duration;
    ends[0] = this.#now + batch.duration;
    let steps = 1;
    while (steps < maxSteps) {
      const end = ends[steps - 1]! + durations[steps]!;
      if (end > limit) break;
      ends[steps] = end;
      steps++;
    }
    if (this.#observers.length > 0) steps = this.#stopBeforeObserverSpans(ends, steps);
    return { kind: 'batchEnd', batch, steps, ends, durations };
  }

  #insideObserverSpan(): boolean {
    for (const o of this.#observers) {
      const [start, end] = o.iterationSpan!();
      if (this.#now >= start && this.#now <= end) return true;
    }
    return false;
  }

  /** Shortens a run so that it ends by the start of every observer's span (the first iteration may cross it). */
  #stopBeforeObserverSpans(ends: Float64Array, steps: number): number {
    for (const o of this.#observers) {
      const [start, end] = o.iterationSpan!();
      if (start <= this.#now || end < start) continue;
      while (steps > 1 && ends[steps - 1]! > start) steps--;
    }
    return steps;
  }

  /** A request was routed to a replica in a decode run: end the run at the first iteration boundary from now. */
  #cutRun(replicaId: number): void {
    const run = this.#runs.get(replicaId);
    if (run === undefined) return;
    const ends = run.ends!;
    let j = 0;
    while (ends[j]! < this.#now) j++;
    if (j + 1 >= run.steps) return;
    run.cancelled = true;
    const cut: BatchEndEvent = { kind: 'batchEnd', batch: run.batch, steps: j + 1, ends, durations: run.durations! };
    this.#runs.set(replicaId, cut);
    this.#queue.push(ends[j]!, cut);
  }

  #onBatchEnd(event: BatchEndEvent): void {
    if (event.cancelled === true) return;
    const { batch, steps } = event;
    if (steps > 1) this.#finishDecodeRun(event);
    batch.completedAt = this.#now;
    let completedAny = false;
    for (let i = 0; i < batch.requests.length; i++) {
      const request = batch.requests[i]!;
      request.onBatchEnd(this.#now, batch.numTokens[i]!, batch.duration);
      if (request.isFinished) {
        this.#numCompleted++;
        completedAny = true;
        for (const o of this.#observers) o.onRequestCompleted?.(request, this.#now);
      }
    }
    const replica = this.#cluster.require(batch.replicaId);
    replica.onBatchEnd(batch, this.#now);
    this.#setup.autoscaling?.policy.onBatchEnd?.(batch, this.#now);
    for (const o of this.#observers) o.onBatchEnd?.(batch, this.#now);
    if (this.#router.replicasToFree.has(replica.replicaId) && replica.isIdle) {
      this.#removeReplica(replica.replicaId);
      this.#pendingScaleDowns--;
      return;
    }
    this.#queue.push(this.#now, this.#scheduleEvent(replica.replicaId));
    if (completedAny && this.#router.numQueued > 0) this.#queue.push(this.#now, GLOBAL_SCHEDULE);
  }

  /**
   * Applies iterations 1..steps−1 of a decode run exactly as the step-by-step engine would have
   * (KV growth, one token and one duration per iteration); the last iteration then ends as a normal batch.
   */
  #finishDecodeRun(event: BatchEndEvent): void {
    const { batch, steps } = event;
    const ends = event.ends!;
    const durations = event.durations!;
    this.#runs.delete(batch.replicaId);
    this.#cluster.require(batch.replicaId).advanceDecodeRun(batch, steps);
    for (const request of batch.requests) request.onDecodeIterations(ends, durations, steps - 1);
    batch.scheduledAt = ends[steps - 2]!;
    batch.duration = durations[steps - 1]!;
    this.#numBatches += steps - 1;
  }

  #onTune(): void {
    const a = this.#setup.autoscaling!;
    const delta = a.policy.tune(this.#now, {
      numReplicas: this.#cluster.size,
      pendingScaleUps: this.#pendingScaleUps,
      pendingScaleDowns: this.#pendingScaleDowns,
    });
    if (!Number.isInteger(delta)) throw new Error(`autoscaler tune() must return an integer, got ${delta}`);
    const effective = this.#cluster.size + this.#pendingScaleUps - this.#pendingScaleDowns;
    if (delta > 0) {
      const n = Math.min(delta, Math.max(0, a.maxReplicas - effective));
      for (let i = 0; i < n; i++) this.#queue.push(this.#now + a.scaleUpDelay, SCALE_UP);
      this.#pendingScaleUps += n;
      if (n > 0) for (const o of this.#observers) o.onScaleRequested?.('up', n, this.#now);
    } else if (delta < 0) {
      const n = Math.min(-delta, Math.max(0, effective - a.minReplicas));
      for (let i = 0; i < n; i++) this.#queue.push(this.#now + a.scaleDownDelay, SCALE_DOWN);
      this.#pendingScaleDowns += n;
      if (n > 0) for (const o of this.#observers) o.onScaleRequested?.('down', n, this.#now);
    }
    this.#queue.push(this.#now + a.policy.tuneInterval, AUTOSCALER_TUNE);
  }

  #onScaleUp(): void {
    this.#pendingScaleUps--;
    const replica = this.#addReplica(this.#now);
    if (this.#router.numQueued > 0) this.#queue.push(this.#now, GLOBAL_SCHEDULE);
    this.#queue.push(this.#now, this.#scheduleEvent(replica.replicaId));
  }

  #scheduleEvent(replicaId: number): SimEvent {
    let event = this.#scheduleEvents.get(replicaId);
    if (event === undefined) {
      event = { kind: 'replicaSchedule', replicaId };
      this.#scheduleEvents.set(replicaId, event);
    }
    return event;
  }

  #onScaleDown(): void {
    const a = this.#setup.autoscaling!;
    const unmarked = this.#cluster.replicas.filter((r) => !this.#router.replicasToFree.has(r.replicaId));
    if (unmarked.length <= a.minReplicas) {
      this.#pendingScaleDowns--; // never free below the floor: cancel
      return;
    }
    const idle = unmarked.find((r) => r.isIdle);
    if (idle !== undefined) {
      this.#removeReplica(idle.replicaId);
      this.#pendingScaleDowns--;
      return;
    }
    const marked = this.#router.markReplicaToFree();
    if (marked === null || this.#cluster.get(marked) === undefined) {
      this.#router.replicasToFree.delete(marked ?? -1);
      this.#pendingScaleDowns--; // nothing could be marked: cancel
      return;
    }
    const replica = this.#cluster.require(marked);
    if (replica.isIdle) {
      this.#removeReplica(marked);
      this.#pendingScaleDowns--;
    }
  }

  #kindOf(replicaId: number): ReplicaKind | undefined {
    const kinds = this.#setup.replicaKinds;
    return kinds === undefined || kinds.length === 0 ? undefined : kinds[replicaId % kinds.length];
  }

  #modelOf(replicaId: number): ExecutionTimeModel {
    return this.#kindOf(replicaId)?.executionModel ?? this.#setup.executionModel;
  }

  #addReplica(now: number): ReplicaScheduler {
    const { kvCache, limits } = this.#setup;
    const replicaId = this.#cluster.nextReplicaId();
    const kind = this.#kindOf(replicaId);
    const kv = new KvBlockManager(kind?.numBlocks ?? kvCache.numBlocks, kvCache.blockSize, kvCache.watermarkFraction);
    const replica = this.#setup.makeReplicaScheduler({
      replicaId,
      kv,
      limits,
      clientWeights: this.#setup.clientWeights,
      ...(kind !== undefined ? { kind: kind.label } : {}),
    });
    this.#cluster.add(replica, now, kind?.costPerReplicaHour);
    for (const o of this.#observers) o.onReplicaAdded?.(replica, now);
    return replica;
  }

  #removeReplica(replicaId: number): void {
    this.#numPreemptionsOfRemoved += this.#cluster.require(replicaId).numPreemptions;
    this.#cluster.remove(replicaId, this.#now);
    this.#scheduleEvents.delete(replicaId);
    this.#runBuffers.delete(replicaId);
    this.#router.onReplicaRemoved(replicaId);
    for (const o of this.#observers) o.onReplicaRemoved?.(replicaId, this.#now);
  }
}

/**
 * Requests by id, to find the request behind each of a router's assignments. Ids are normally
 * 0..n−1, so they index an array: a Map of some 10^5 numbers cost as much to fill and read as the rest
 * of a routing step (a CPU profile of the autoscaling lab's runs). Any other ids go in a Map.
 */
class RequestsById {
  readonly #dense: (Request | undefined)[] | undefined;
  readonly #sparse = new Map<number, Request>();

  constructor(requests: readonly Request[]) {
    let maxId = -1;
    for (const r of requests) {
      if (!Number.isInteger(r.id) || r.id < 0) {
        maxId = Number.POSITIVE_INFINITY;
        break;
      }
      maxId = Math.max(maxId, r.id);
    }
    this.#dense = maxId < 2 * requests.length + 1024 ? new Array<Request | undefined>(maxId + 1) : undefined;
  }

  get(id: number): Request | undefined {
    const dense = this.#dense;
    if (dense === undefined) return this.#sparse.get(id);
    return Number.isInteger(id) && id >= 0 && id < dense.length ? dense[id] : undefined;
  }

  set(request: Request): void {
    if (this.#dense !== undefined) this.#dense[request.id] = request;
    else this.#sparse.set(request.id, request);
  }
}

export { Batch, Request };
