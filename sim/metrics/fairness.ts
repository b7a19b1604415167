/**
 * Fairness metrics after the VTC paper (Sheng et al., "Fairness in Serving Large Language Models", OSDI'24)
 * and the plotting scripts of its artifact (`fair_bench/plot/` in the VTC repository).
 *
 * Service is attributed exactly, at the end of the batch that did the work: w_p per prompt token
 * computed and w_q per output token generated (the first output token comes with the iteration that
 * completes the prefill). Recompute after a preemption is not service: a prompt token counts the
 * first time it is computed and an output token the first time it is generated. (The paper smooths
 * each request's cost over its decode time; servelab uses the smoothing only for plots.)
 *
 * `ServiceRecorder` collects a run's service log through the engine's observer hooks; every other
 * function here is pure over that log.
 */
import type { Batch } from '../entities/batch.js';
import type { Request } from '../entities/request.js';
import type { SimulationObserver } from '../engine/simulator.js';

/** The VTC paper's service cost weights: w_p per prompt token, w_q per output token. */
export const SERVICE_WEIGHTS = { prefill: 1, decode: 2 } as const;

/** Service received, one entry per (batch end, client), in time order. Parallel arrays. */
export interface ServiceLog {
  readonly time: readonly number[];
  readonly client: readonly number[];
  readonly service: readonly number[];
}

export interface ServiceWeights {
  readonly prefill: number;
  readonly decode: number;
}

/**
 * Records every client's service at each batch end. Attach it as an observer (which also makes the
 * engine step decode iterations one by one, so every batch end is seen).
 */
export class ServiceRecorder implements SimulationObserver {
  readonly #time: number[] = [];
  readonly #client: number[] = [];
  readonly #service: number[] = [];
  /** Output tokens already attributed, per request id (a restart re-generates none of them). */
  readonly #generated = new Map<number, number>();
  /** Prompt tokens already attributed, per request id. */
  readonly #prompt = new Map<number, number>();
  readonly #weights: ServiceWeights;

  constructor(weights: ServiceWeights = SERVICE_WEIGHTS) {
    this.#weights = weights;
  }

  onBatchEnd(batch: Batch, now: number): void {
    const perClient = new Map<number, number>();
    for (const r of batch.requests) {
      const prompt = r.numPromptTokensComputed - (this.#prompt.get(r.id) ?? 0);
      const generated = r.numGeneratedTokens - (this.#generated.get(r.id) ?? 0);
      const service = this.#weights.prefill * Math.max(0, prompt) + this.#weights.decode * Math.max(0, generated);
      if (r.isFinished) {
        this.#prompt.delete(r.id);
        this.#generated.delete(r.id);
      } else {
        if (prompt > 0) this.#prompt.set(r.id, r.numPromptTokensComputed);
        if (generated > 0) this.#generated.set(r.id, r.numGeneratedTokens);
      }
      if (service > 0) perClient.set(r.clientId, (perClient.get(r.clientId) ?? 0) + service);
    }
    for (const [client, service] of [...perClient].sort((a, b) => a[0] - b[0])) {
      this.#time.push(now);
      this.#client.push(client);
      this.#service.push(service);
    }
  }

  get log(): ServiceLog {
    return { time: this.#time, client: this.#client, service: this.#service };
  }
}

/** The service a finished request is worth: w_p·prompt + w_q·output. */
export function requestServiceCost(
  r: Pick<Request, 'numPrefillTokens' | 'numDecodeTokens'>,
  weights: ServiceWeights = SERVICE_WEIGHTS,
): number {
  return weights.prefill * r.numPrefillTokens + weights.decode * r.numDecodeTokens;
}

/** Total service per client over the whole log (or over (from, to]). */
export function serviceByClient(
  log: ServiceLog,
  from = Number.NEGATIVE_INFINITY,
  to = Number.POSITIVE_INFINITY,
): Map<number, number> {
  const out = new Map<number, number>();
  for (let i = 0; i < log.time.length; i++) {
    const t = log.time[i]!;
    if (t <= from || t > to) continue;
    out.set(log.client[i]!, (out.get(log.client[i]!) ?? 0) + log.service[i]!);
  }
  return out;
}

/** A client's cumulative service A_j(x) after each of its batch ends: a step function starting at (0, 0). */
export function cumulativeService(log: ServiceLog, clientId: number): [number, number][] {
  const out: [number, number][] = [[0, 0]];
  let total = 0;
  for (let i = 0; i < log.time.length; i++) {
    if (log.client[i] !== clientId) continue;
    total += log.service[i]!;
    out.push([log.time[i]!, total]);
  }
  return out;
}

export interface DifferenceOptions {
  /** The clients compared (e.g. those backlogged over the interval). */
  readonly clients: readonly number[];
  /** Service is counted from this time (exclusive); D starts at 0 here. Default 0. */
  readonly from?: number;
  /** Last time considered (inclusive). Default: the end of the log. */
  readonly to?: number;
  /** Divide each client's service by its weight (weighted VTC compares W_f / weight_f). */
  readonly weights?: readonly number[];
}

export interface DifferenceSeries {
  /** (time, D) after each batch end in the interval, starting with (from, 0): a step function. */
  readonly points: [number, number][];
  /** max over the interval of D. */
  readonly max: number;
  /** When the maximum was first reached. */
  readonly maxAt: number;
}

/**
 * Accumulated service difference D(x) = max_j A_j(x) − min_j A_j(x) over `clients`, where A_j(x) is
 * client j's (weighted) service in (from, x] (the VTC paper's service-difference figure and its artifact's
 * `plot_6.2_work_diff.py`). Exact: D changes
 * only at batch ends, and every one is a point of the series.
 */
export function serviceDifference(log: ServiceLog, options: DifferenceOptions): DifferenceSeries {
  const from = options.from ?? 0;
  const to = options.to ?? Number.POSITIVE_INFINITY;
  const index = new Map(options.clients.map((c, i) => [c, i]));
  const scale = options.clients.map((c) => 1 / (options.weights?.[c] ?? 1));
  const acc = new Float64Array(options.clients.length);
  const points: [number, number][] = [[from, 0]];
  let max = 0;
  let maxAt = from;
  const gap = (): number => {
    let hi = Number.NEGATIVE_INFINITY;
    let lo = Number.POSITIVE_INFINITY;
    for (const a of acc) {
      if (a > hi) hi = a;
      if (a < lo) lo = a;
    }
    return acc.length === 0 ? 0 : hi - lo;
  };
  for (let i = 0; i < log.time.length; i++) {
    const t = log.time[i]!;
    if (t <= from) continue;
    if (t > to) break;
    const k = index.get(log.client[i]!);
    if (k === undefined) continue;
    acc[k]! += log.service[i]! * scale[k]!;
    // Entries of one batch end share a time: record the point once they are all in.
    if (i + 1 < log.time.length && log.time[i + 1] === t) continue;
    const d = gap();
    points.push([t, d]);
    if (d > max) {
      max = d;
      maxAt = t;
    }
  }
  return { points, max, maxAt };
}

/**
 * Windowed service rate y_j(x): client j's service in [x − window/2, x + window/2) divided by the
 * window (paper: 60 s windows, 20 ticks). Windows are clipped to [0, end] and divided by their
 * clipped length, so the ends of a run are not dragged towards 0.
 */
export function windowedServiceRate(
  log: ServiceLog,
  clientId: number,
  ticks: readonly number[],
  window: number,
  end = Number.POSITIVE_INFINITY,
): [number, number][] {
  if (!(window > 0)) throw new RangeError(`window must be > 0, got ${window}`);
  // Prefix sums over this client's entries make every window O(log n).
  const times: number[] = [];
  const prefix: number[] = [0];
  for (let i = 0; i < log.time.length; i++) {
    if (log.client[i] !== clientId) continue;
    times.push(log.time[i]!);
    prefix.push(prefix[prefix.length - 1]! + log.service[i]!);
  }
  const lowerBound = (x: number): number => {
    let lo = 0;
    let hi = times.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (times[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  return ticks.map((x) => {
    const a = Math.max(0, x - window / 2);
    const b = Math.min(end, x + window / 2);
    const span = b - a;
    if (!(span > 0)) return [x, 0];
    return [x, (prefix[lowerBound(b)]! - prefix[lowerBound(a)]!) / span];
  });
}

/** `count` evenly spaced tick times strictly inside (start, end), as the paper's plots use. */
export function ticks(start: number, end: number, count: number): number[] {
  if (!(count >= 1) || !(end > start)) return [];
  const step = (end - start) / (count + 1);
  return Array.from({ length: count }, (_, i) => start + step * (i + 1));
}

/** The paper's fairness bound for two backlogged clients: 2U, U = max(w_p·L_input, w_q·M). */
export function vtcFairnessBound(
  maxPromptTokens: number,
  maxBatchTokens: number,
  weights: ServiceWeights = SERVICE_WEIGHTS,
): number {
  return 2 * Math.max(weights.prefill * maxPromptTokens, weights.decode * maxBatchTokens);
}
