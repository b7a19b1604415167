/**
 * A simulation observer that records a run as Chrome trace-event JSON (Perfetto, chrome://tracing).
 *
 * Tracks (pid/tid):
 * - pid 1 "cluster": tid 1 "router" (a slice per router call that placed requests), tid 2
 *   "autoscaler" (instants for scale-up/down requests, replicas added and freed); counters
 *   "router queue" and "replicas".
 * - pid 2 "requests": one thread per client and SLA tier ("client 0 · tier 1"): a marker slice at
 *   each arrival and completion, and deadline-miss instants at the moment the deadline passed.
 * - pid 100 + id "replica <id>": tid 1 "batches", one complete slice per batch (iteration); counters
 *   "queue" (waiting, running, swapped) and "KV blocks"; relegation instants.
 * - flows (cat "request", id = request id): start at the arrival, a step at the routing and at each
 *   batch of the request, finish at its completion.
 *
 * Events are serialised as they happen (in event order, which is deterministic), so a file is
 * byte-identical for the same run. Size is bounded two ways: `window` keeps only what happens in a
 * span of simulated time, and `maxBytes` stops adding events once the file reaches it (the file
 * then says so in `otherData`). Any observer turns the engine's decode fast path off, so every
 * iteration appears as its own slice.
 */
import type { Batch } from '../../entities/batch.js';
import type { Request } from '../../entities/request.js';
import type { RoutedRequest, SimulationObserver } from '../../engine/simulator.js';
import type { ReplicaScheduler } from '../../policies/replica/replica-scheduler.js';
import { deadlineLatency } from '../deadlines.js';
import { renderTimeline, type TimelineData, type TimelineSeries } from './frozen.js';
import type { TraceEvent } from './trace-event.js';

/** 64 MiB: opens in Perfetto's web UI and in chrome://tracing without trouble. */
export const DEFAULT_TIMELINE_MAX_BYTES = 64 * 1024 * 1024;

export interface TimelineOptions {
  /** Keep only what happens within [start, end] simulated seconds (flows: requests arriving in it). */
  readonly window?: readonly [number, number] | undefined;
  /** Stop adding events once the file would pass this many bytes (default 64 MiB). */
  readonly maxBytes?: number | undefined;
  /** Per-tier deadlines, seconds (tier 0 TTFT, others last token): deadline-miss instants for tiered requests. */
  readonly tierDeadlines?: readonly number[] | undefined;
  /** The iteration token budget of chunked-prefill schedulers, shown on each batch. */
  readonly chunkSize?: number | undefined;
  /** Keep the cluster-wide queue and KV series (`series`) for comparing two runs. */
  readonly keepSeries?: boolean | undefined;
  /** With `keepSeries`: merge series points closer than this many seconds (bounds its memory on long runs). */
  readonly seriesResolution?: number | undefined;
  /** Record the series only, no trace events (a first pass that picks the window of a second). */
  readonly seriesOnly?: boolean | undefined;
}

const CLUSTER_PID = 1;
const REQUESTS_PID = 2;
const REPLICA_PID_BASE = 100;
const ROUTER_TID = 1;
const AUTOSCALER_TID = 2;
const BATCHES_TID = 1;
/** Width of the arrival and completion markers, µs: wide enough for a flow to bind to. */
const MARKER_MICROS = 1;

/** Seconds → microseconds, rounded to the nanosecond so the text is short and the same on every platform. */
export const micros = (seconds: number): number => Math.round(seconds * 1e9) / 1e3;

interface ReplicaState {
  readonly replica: ReplicaScheduler;
  readonly pid: number;
  preemptions: number;
  swapOuts: number;
  swapIns: number;
  relegations: number;
  waiting: number;
  running: number;
  kvBlocks: number;
  /** The last counter values written (a counter is written only when it changes). */
  lastQueue: string;
  lastKv: number;
}

/** Duck-typed readings of counters only some schedulers have (vllm-v0 swaps, deadline relegations). */
const counter = (
  replica: ReplicaScheduler,
  key: 'numSwapOuts' | 'numSwapIns' | 'numRelegations' | 'numSwapped',
): number | undefined => {
  const v: unknown = Reflect.get(replica, key);
  return typeof v === 'number' ? v : undefined;
};

export class TimelineRecorder implements SimulationObserver {
  readonly #window: readonly [number, number] | undefined;
  readonly #maxBytes: number;
  readonly #options: TimelineOptions;
  /** Serialised events, in the order they happened, and the simulated [start, end] of each (for `toJson`'s window). */
  readonly #lines: string[] = [];
  readonly #spans: number[] = [];
  /** Track names and sort order, always kept (they are small and name the tracks). */
  readonly #metadata: string[] = [];
  #bytes = 0;
  #dropped = 0;
  #truncatedAt: number | null = null;
  readonly #replicas = new Map<number, ReplicaState>();
  readonly #requestTids = new Map<string, number>();
  /** Requests completed in the batch now ending, flushed by `onBatchEnd`. */
  readonly #completed: Request[] = [];
  readonly #requests: Request[] = [];
  #routerQueued = 0;
  #deadlinesAdded = false;
  readonly #seriesOnly: boolean;
  readonly #resolution: number;
  #totalWaiting = 0;
  #totalRunning = 0;
  #totalKv = 0;
  #totalCapacity = 0;
  readonly #series: TimelineSeries | undefined;

  constructor(options: TimelineOptions = {}) {
    const w = options.window;
    if (w !== undefined && !(w[0] >= 0 && w[1] > w[0]))
      throw new RangeError(`timeline window must be START,END with 0 ≤ START < END, got ${w[0]},${w[1]}`);
    if (options.maxBytes !== undefined && !(Number.isInteger(options.maxBytes) && options.maxBytes > 0)) {
      throw new RangeError(`timeline maxBytes must be a positive integer, got ${options.maxBytes}`);
    }
    this.#window = w;
    this.#maxBytes = options.maxBytes ?? DEFAULT_TIMELINE_MAX_BYTES;
    this.#options = options;
    this.#seriesOnly = options.seriesOnly === true;
    this.#resolution = options.seriesResolution ?? 0;
    this.#series =
      options.keepSeries === true ? { time: [], queued: [], running: [], kvBlocks: [], kvCapacity: [] } : undefined;
    // The series needs every iteration, so a recorder that keeps one gives no span.
    this.iterationSpan =
      w === undefined || options.keepSeries === true ? undefined : () => [w[0], this.#truncatedAt ?? w[1]];
    this.#meta(CLUSTER_PID, 0, 'process_name', 'cluster', 0);
    this.#meta(CLUSTER_PID, ROUTER_TID, 'thread_name', 'router', 0);
    this.#meta(CLUSTER_PID, AUTOSCALER_TID, 'thread_name', 'autoscaler', 1);
    this.#meta(REQUESTS_PID, 0, 'process_name', 'requests (by client and tier)', 1);
  }

  /**
   * With a window, the engine may run decode iterations back to back outside it (see
   * `SimulationObserver.iterationSpan`); without one, every iteration is stepped and recorded.
   */
  readonly iterationSpan: (() => readonly [number, number]) | undefined;

  /** The cluster-wide series (only with `keepSeries`). */
  get series(): TimelineSeries | undefined {
    return this.#series;
  }

  /** Events kept so far (metadata excluded). */
  get numEvents(): number {
    return this.#lines.length;
  }

  // --- observer hooks ---------------------------------------------------------------------

  onReplicaAdded(replica: ReplicaScheduler, now: number): void {
    const pid = REPLICA_PID_BASE + replica.replicaId;
    this.#replicas.set(replica.replicaId, {
      replica,
      pid,
      preemptions: replica.numPreemptions,
      swapOuts: counter(replica, 'numSwapOuts') ?? 0,
      swapIns: counter(replica, 'numSwapIns') ?? 0,
      relegations: counter(replica, 'numRelegations') ?? 0,
      waiting: 0,
      running: 0,
      kvBlocks: 0,
      lastQueue: '',
      lastKv: -1,
    });
    this.#totalCapacity += replica.kv.numBlocks;
    this.#meta(pid, 0, 'process_name', `replica ${replica.replicaId}`, 10 + replica.replicaId);
    this.#meta(pid, BATCHES_TID, 'thread_name', 'batches', 0);
    if (now > 0) this.#instant('replica added', CLUSTER_PID, AUTOSCALER_TID, now, 'g', { replica: replica.replicaId });
    this.#clusterCounters(now);
  }

  onReplicaRemoved(replicaId: number, now: number): void {
    const state = this.#replicas.get(replicaId);
    if (state !== undefined) {
      this.#totalWaiting -= state.waiting;
      this.#totalRunning -= state.running;
      this.#totalKv -= state.kvBlocks;
      this.#totalCapacity -= state.replica.kv.numBlocks;
      this.#replicas.delete(replicaId);
    }
    this.#instant('replica freed', CLUSTER_PID, AUTOSCALER_TID, now, 'g', { replica: replicaId });
    this.#clusterCounters(now);
  }

  onScaleRequested(direction: 'up' | 'down', count: number, now: number): void {
    this.#instant(direction === 'up' ? 'scale up' : 'scale down', CLUSTER_PID, AUTOSCALER_TID, now, 'g', {
      replicas: count,
    });
  }

  onRequestArrival(request: Request, now: number, numQueued: number): void {
    if (this.#options.tierDeadlines !== undefined && request.tier !== undefined) this.#requests.push(request);
    this.#routerQueued = numQueued;
    if (this.#skips(now)) return this.#sample(now);
    const tid = this.#requestTid(request);
    this.#complete('arrival', 'request', REQUESTS_PID, tid, now, MARKER_MICROS, {
      request: request.id,
      prefillTokens: request.numPrefillTokens,
      decodeTokens: request.numDecodeTokens,
    });
    if (this.#flows(request)) this.#flow('s', REQUESTS_PID, tid, micros(now), request.id);
    this.#push(
      { name: 'router queue', ph: 'C', pid: CLUSTER_PID, tid: 0, ts: micros(now), args: { queued: numQueued } },
      now,
    );
    this.#sample(now);
  }

  onRequestsRouted(assignments: readonly RoutedRequest[], now: number, numQueued: number): void {
    this.#routerQueued = numQueued;
    if (this.#skips(now)) {
      for (const a of assignments) this.#replicaCounters(a.replicaId, now);
      return;
    }
    if (assignments.length > 0) {
      this.#complete('route', 'router', CLUSTER_PID, ROUTER_TID, now, MARKER_MICROS, {
        requests: assignments.map((a) => a.request.id),
        replicas: assignments.map((a) => a.replicaId),
      });
      for (const a of assignments)
        if (this.#flows(a.request)) this.#flow('t', CLUSTER_PID, ROUTER_TID, micros(now), a.request.id);
      const touched = new Set<number>();
      for (const a of assignments) touched.add(a.replicaId);
      for (const id of touched) this.#replicaCounters(id, now);
    }
    this.#push(
      { name: 'router queue', ph: 'C', pid: CLUSTER_PID, tid: 0, ts: micros(now), args: { queued: numQueued } },
      now,
    );
    this.#sample(now);
  }

  onBatchStart(batch: Batch, now: number): void {
    const state = this.#replicas.get(batch.replicaId);
    if (state === undefined) return;
    const r = state.replica;
    const preemptions = r.numPreemptions - state.preemptions;
    state.preemptions = r.numPreemptions;
    const swapOuts = counter(r, 'numSwapOuts');
    const swapIns = counter(r, 'numSwapIns');
    const relegations = counter(r, 'numRelegations');
    if (this.#skips(now, now + batch.duration)) {
      if (swapOuts !== undefined) state.swapOuts = swapOuts;
      if (swapIns !== undefined) state.swapIns = swapIns;
      if (relegations !== undefined) state.relegations = relegations;
      return this.#replicaCounters(batch.replicaId, now);
    }
    let prefill = 0;
    let decode = 0;
    const ids: number[] = new Array<number>(batch.requests.length);
    for (let i = 0; i < batch.requests.length; i++) {
      const req = batch.requests[i]!;
      ids[i] = req.id;
      if (req.isPrefillComplete) decode += batch.numTokens[i]!;
      else prefill += batch.numTokens[i]!;
    }
    const args: Record<string, unknown> = {
      requests: ids,
      tokens: batch.numTokens,
      prefillTokens: prefill,
      decodeTokens: decode,
      kvBlocks: r.kv.numAllocatedBlocks,
      preemptions,
    };
    if (swapOuts !== undefined && swapIns !== undefined) {
      args.swapOuts = swapOuts - state.swapOuts;
      args.swapIns = swapIns - state.swapIns;
      state.swapOuts = swapOuts;
      state.swapIns = swapIns;
    }
    if (this.#options.chunkSize !== undefined) args.chunkSize = this.#options.chunkSize;
    if (batch.extraTime > 0) args.swapSeconds = batch.extraTime;
    const name = prefill > 0 && decode > 0 ? 'mixed' : prefill > 0 ? 'prefill' : 'decode';
    const start = micros(now);
    const dur = Math.max(0, Math.round((micros(now + batch.duration) - start) * 1e3) / 1e3);
    this.#complete(name, 'batch', state.pid, BATCHES_TID, now, dur, args, now + batch.duration);
    if (relegations !== undefined && relegations > state.relegations) {
      this.#instant('relegation', state.pid, BATCHES_TID, now, 't', { relegated: relegations - state.relegations });
      state.relegations = relegations;
    }
    // Steps sit mid-slice so they bind to the batch whatever the viewer's tie rules at its edges.
    // A decode iteration that follows the request's previous iteration without a gap gets no step:
    // an arrow per token would multiply the file by the output length and hide the picture; the
    // arrow runs on from the stretch's first batch, and every batch still lists its request ids.
    const mid = Math.round((start + dur / 2) * 1e3) / 1e3;
    for (const req of batch.requests) {
      if (req.isPrefillComplete && req.lastBatchEndedAt === now) continue;
      if (this.#flows(req)) this.#flow('t', state.pid, BATCHES_TID, mid, req.id);
    }
    this.#replicaCounters(batch.replicaId, now);
  }

  onRequestCompleted(request: Request): void {
    this.#completed.push(request);
  }

  onBatchEnd(batch: Batch, now: number): void {
    if (this.#completed.length > 0 && this.#skips(now)) this.#completed.length = 0;
    if (this.#completed.length > 0) {
      const byTid = new Map<number, Request[]>();
      for (const r of this.#completed) {
        const tid = this.#requestTid(r);
        const list = byTid.get(tid);
        if (list === undefined) byTid.set(tid, [r]);
        else list.push(r);
      }
      for (const [tid, list] of byTid) {
        this.#complete('completion', 'request', REQUESTS_PID, tid, now, MARKER_MICROS, {
          requests: list.map((r) => r.id),
        });
        for (const r of list) if (this.#flows(r)) this.#flow('f', REQUESTS_PID, tid, micros(now), r.id);
      }
      this.#completed.length = 0;
    }
    this.#replicaCounters(batch.replicaId, now);
  }

  // --- output -----------------------------------------------------------------------------

  /**
   * The trace-event JSON text. Deadline-miss instants are added here, when every request's outcome
   * is known, at the moment each deadline passed (`endTime`: the run's end, for requests unfinished).
   * `window` narrows what was recorded to the events overlapping [start, end] seconds (the grader
   * picks it after the run, where a student's run and the reference's differ most).
   */
  toJson(endTime: number, window?: readonly [number, number]): string {
    return renderTimeline(this.freeze(endTime), window);
  }

  /**
   * What `toJson` needs, as plain data: it crosses a worker thread (the routing lab records the
   * student's run in the grader's engine worker) and renders later with `FrozenTimeline`.
   */
  freeze(endTime: number): TimelineData {
    this.#addDeadlineMisses(endTime);
    return {
      metadata: [...this.#metadata],
      lines: [...this.#lines],
      spans: [...this.#spans],
      series: this.#series,
      window: this.#window === undefined ? null : [this.#window[0], this.#window[1]],
      maxBytes: this.#maxBytes,
      droppedEvents: this.#dropped,
      truncatedAt: this.#truncatedAt,
    };
  }

  #addDeadlineMisses(endTime: number): void {
    const deadlines = this.#options.tierDeadlines;
    if (deadlines === undefined || this.#deadlinesAdded) return;
    this.#deadlinesAdded = true;
    for (const r of this.#requests) {
      if (r.tier === undefined) continue;
      const deadline = deadlines[r.tier];
      if (deadline === undefined) continue;
      const latency = deadlineLatency(r);
      if (latency !== undefined && latency <= deadline) continue;
      const at = r.arrivedAt + deadline;
      if (latency === undefined && at > endTime) continue; // still in time when the run stopped
      this.#instant('deadline miss', REQUESTS_PID, this.#requestTid(r), at, 't', {
        request: r.id,
        tier: r.tier,
        deadline,
        latency: latency ?? null,
        kind: r.tier === 0 ? 'TTFT' : 'last token',
      });
    }
  }

  // --- internals --------------------------------------------------------------------------

  #requestTid(request: Request): number {
    const key =
      request.tier === undefined ? `client ${request.clientId}` : `client ${request.clientId} · tier ${request.tier}`;
    let tid = this.#requestTids.get(key);
    if (tid === undefined) {
      tid = this.#requestTids.size + 1;
      this.#requestTids.set(key, tid);
      this.#meta(REQUESTS_PID, tid, 'thread_name', key, request.clientId * 100 + (request.tier ?? 0));
    }
    return tid;
  }

  /** Whether nothing from [start, end] can be kept (outside the window, or the file is full); only the series then needs updating. */
  #skips(start: number, end = start): boolean {
    const w = this.#window;
    return this.#seriesOnly || this.#truncatedAt !== null || (w !== undefined && (end < w[0] || start > w[1]));
  }

  /** A request's flow is drawn when it arrives inside the window (all of them without one). */
  #flows(request: Request): boolean {
    const w = this.#window;
    return w === undefined || (request.arrivedAt >= w[0] && request.arrivedAt <= w[1]);
  }

  #replicaCounters(replicaId: number, now: number): void {
    const state = this.#replicas.get(replicaId);
    if (state === undefined) return;
    const r = state.replica;
    const waiting = r.numWaiting;
    const running = r.numRunning;
    const kv = r.kv.numAllocatedBlocks;
    this.#totalWaiting += waiting - state.waiting;
    this.#totalRunning += running - state.running;
    state.running = running;
    this.#totalKv += kv - state.kvBlocks;
    state.waiting = waiting;
    state.kvBlocks = kv;
    if (this.#skips(now)) return this.#sample(now);
    const queue: Record<string, number> = { waiting, running };
    const swapped = counter(r, 'numSwapped');
    if (swapped !== undefined) queue.swapped = swapped;
    const ts = micros(now);
    const queueKey = `${waiting},${queue.running},${swapped ?? ''}`;
    if (
      queueKey !== state.lastQueue &&
      this.#push({ name: 'queue', ph: 'C', pid: state.pid, tid: 0, ts, args: queue }, now)
    )
      state.lastQueue = queueKey;
    if (
      kv !== state.lastKv &&
      this.#push({ name: 'KV blocks', ph: 'C', pid: state.pid, tid: 0, ts, args: { used: kv } }, now)
    )
      state.lastKv = kv;
    this.#sample(now);
  }

  #clusterCounters(now: number): void {
    this.#push(
      { name: 'replicas', ph: 'C', pid: CLUSTER_PID, tid: 0, ts: micros(now), args: { count: this.#replicas.size } },
      now,
    );
    this.#sample(now);
  }

  #sample(now: number): void {
    const s = this.#series;
    if (s === undefined) return;
    const queued = this.#routerQueued + this.#totalWaiting;
    const n = s.time.length;
    // One point per instant, and with a resolution one per bucket of it (the bucket's last state).
    const r = this.#resolution;
    if (n > 0 && (s.time[n - 1] === now || (r > 0 && Math.floor(now / r) === Math.floor(s.time[n - 1]! / r)))) {
      s.queued[n - 1] = queued;
      s.running[n - 1] = this.#totalRunning;
      s.kvBlocks[n - 1] = this.#totalKv;
      s.kvCapacity[n - 1] = this.#totalCapacity;
      return;
    }
    s.time.push(now);
    s.queued.push(queued);
    s.running.push(this.#totalRunning);
    s.kvBlocks.push(this.#totalKv);
    s.kvCapacity.push(this.#totalCapacity);
  }

  #meta(pid: number, tid: number, kind: 'process_name' | 'thread_name', name: string, sortIndex: number): void {
    const sortKind = kind === 'process_name' ? 'process_sort_index' : 'thread_sort_index';
    const a: TraceEvent = { name: kind, ph: 'M', pid, tid, args: { name } };
    const b: TraceEvent = { name: sortKind, ph: 'M', pid, tid, args: { sort_index: sortIndex } };
    this.#metadata.push(JSON.stringify(a), JSON.stringify(b));
  }

  #complete(
    name: string,
    cat: string,
    pid: number,
    tid: number,
    now: number,
    dur: number,
    args: Record<string, unknown>,
    end = now,
  ): void {
    this.#push({ name, cat, ph: 'X', ts: micros(now), dur, pid, tid, args }, now, end);
  }

  #instant(
    name: string,
    pid: number,
    tid: number,
    now: number,
    scope: 't' | 'p' | 'g',
    args: Record<string, unknown>,
  ): void {
    this.#push({ name, cat: 'event', ph: 'i', ts: micros(now), s: scope, pid, tid, args }, now);
  }

  #flow(ph: 's' | 't' | 'f', pid: number, tid: number, ts: number, id: number, at = ts / 1e6): void {
    const e: TraceEvent =
      ph === 'f'
        ? { name: 'request', cat: 'request', ph, ts, id, pid, tid, bp: 'e' }
        : { name: 'request', cat: 'request', ph, ts, id, pid, tid };
    this.#push(e, at);
  }

  /** Keeps an event that overlaps the window, while the size bound allows; says whether it was kept. */
  #push(event: TraceEvent, start: number, end = start): boolean {
    if (this.#seriesOnly) return false;
    const w = this.#window;
    if (w !== undefined && (end < w[0] || start > w[1])) return false;
    if (this.#truncatedAt !== null) {
      this.#dropped++;
      return false;
    }
    const line = JSON.stringify(event);
    // +2 for the ",\n" separator; 512 bytes of slack for the closing object and otherData.
    if (this.#bytes + line.length + 2 + 512 > this.#maxBytes) {
      this.#truncatedAt = start;
      this.#dropped++;
      return false;
    }
    this.#bytes += line.length + 2;
    this.#lines.push(line);
    this.#spans.push(start, end);
    return true;
  }
}
