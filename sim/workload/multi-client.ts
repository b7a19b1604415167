/**
 * Multi-client synthetic workloads, after the VTC paper's suites (Sheng et al., OSDI'24,
 * `fair_bench/trace.py`): every client has its own arrival rate, request lengths and activity
 * pattern (a start and end time, and optional on/off periods), and the clients' streams are merged
 * by arrival time.
 *
 * A client may appear in several specs (same `client` id, different time windows) to model a
 * shifting distribution: e.g. client 0 at 0.5 req/s for the first 300 s, then at 1 req/s.
 */
import { z } from 'zod';
import { Request } from '../entities/request.js';
import { clipLength, type RequestLength } from './lengths.js';
import type { Rng } from './rng.js';
import type { TraceRecord } from './trace-file.js';

const positiveInt = z.number().int().positive();

/** One client's traffic (or one time window of it). */
export const ClientWorkload = z
  .strictObject({
    client: z.number().int().min(0).optional().describe("client id (default: the spec's position in the list)"),
    qps: z.number().positive().describe('arrival rate while active, requests per second'),
    arrivals: z
      .enum(['poisson', 'uniform', 'gamma'])
      .default('poisson')
      .describe(
        'poisson: exponential gaps; uniform: gaps of exactly 1/qps with a random phase (the paper\'s "uniform"); gamma: gaps with coefficient of variation cv',
      ),
    cv: z.number().positive().default(1).describe('gamma arrivals: coefficient of variation of the gaps'),
    lengths: z
      .enum(['fixed', 'trace'])
      .default('fixed')
      .describe(
        'fixed: prefill/decode (or uniform ranges up to prefillMax/decodeMax); trace: sampled from the lengths trace',
      ),
    prefill: positiveInt.default(256).describe('prompt tokens (the lower end with prefillMax)'),
    decode: positiveInt.default(256).describe('output tokens (the lower end with decodeMax)'),
    prefillMax: positiveInt.optional().describe('prompt tokens drawn uniformly from [prefill, prefillMax]'),
    decodeMax: positiveInt.optional().describe('output tokens drawn uniformly from [decode, decodeMax]'),
    start: z.number().nonnegative().default(0).describe('first time the client may send, seconds'),
    end: z.number().positive().optional().describe('the client sends nothing at or after this time'),
    on: z
      .number()
      .positive()
      .optional()
      .describe('on/off pattern: active for `on` seconds from `start`, then silent for `off`, repeating'),
    off: z.number().positive().optional().describe('on/off pattern: silent period, seconds'),
  })
  .superRefine((c, ctx) => {
    if ((c.on === undefined) !== (c.off === undefined))
      ctx.addIssue({
        code: 'custom',
        message: 'give both on and off, or neither',
        path: [c.on === undefined ? 'on' : 'off'],
      });
    if (c.prefillMax !== undefined && c.prefillMax < c.prefill)
      ctx.addIssue({
        code: 'custom',
        message: `prefillMax ${c.prefillMax} is below prefill ${c.prefill}`,
        path: ['prefillMax'],
      });
    if (c.decodeMax !== undefined && c.decodeMax < c.decode)
      ctx.addIssue({
        code: 'custom',
        message: `decodeMax ${c.decodeMax} is below decode ${c.decode}`,
        path: ['decodeMax'],
      });
    if (c.end !== undefined && c.end <= c.start)
      ctx.addIssue({ code: 'custom', message: `end ${c.end} is not after start ${c.start}`, path: ['end'] });
  });
export type ClientWorkload = z.infer<typeof ClientWorkload>;
export type ClientWorkloadInput = z.input<typeof ClientWorkload>;

/**
 * The compact text form used on the command line: specs separated by `;`, fields by `,`, each field
 * `key=value`, e.g. `qps=1.5;qps=3,prefill=512,decode=32,on=60,off=60`. Numbers become numbers; the
 * zod schema then validates every field (a bad one is reported as `clients.<index>.<key>`).
 */
export function parseClientsText(text: string): Record<string, unknown>[] {
  return text
    .split(';')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((spec) => {
      const out: Record<string, unknown> = {};
      for (const field of spec
        .split(',')
        .map((f) => f.trim())
        .filter((f) => f !== '')) {
        const eq = field.indexOf('=');
        const key = eq < 0 ? field : field.slice(0, eq).trim();
        const raw = eq < 0 ? '' : field.slice(eq + 1).trim();
        out[key] = raw !== '' && Number.isFinite(Number(raw)) ? Number(raw) : raw;
      }
      return out;
    });
}

/** `1,2,3,4` → [1, 2, 3, 4]; anything else is left for the schema to reject. */
export function parseWeightsText(text: string): unknown[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => (Number.isFinite(Number(s)) ? Number(s) : s));
}

/** The config field: a list of specs (JSON config) or the text form (command line). */
export const ClientsField = z.preprocess(
  (v) => (typeof v === 'string' ? parseClientsText(v) : v),
  z.array(ClientWorkload).min(1),
);

/** A comma-separated list of numbers on the command line, an array in a JSON config. */
export const numberListField = (item: z.ZodNumber) =>
  z.preprocess((v) => (typeof v === 'string' ? parseWeightsText(v) : v), z.array(item).min(1));

/** Weight per client id (index); clients past the end weigh 1. */
export const ClientWeightsField = numberListField(z.number().positive());

export interface MultiClientOptions {
  readonly clients: readonly ClientWorkload[];
  /** No arrivals at or after this time (seconds). */
  readonly duration: number;
  /** Keep at most this many requests (the earliest). */
  readonly count?: number | undefined;
  /** Prompt + output tokens are clipped to this many. */
  readonly maxTokens: number;
  /** Rows for `lengths: 'trace'` clients. */
  readonly traceRows?: readonly TraceRecord[] | undefined;
}

interface Arrival {
  readonly time: number;
  readonly spec: number;
  readonly clientId: number;
  readonly length: RequestLength;
}

/** Whether a client with this spec is active (may send) at time t. */
export function isActive(spec: Pick<ClientWorkload, 'start' | 'end' | 'on' | 'off'>, t: number): boolean {
  if (t < spec.start || (spec.end !== undefined && t >= spec.end)) return false;
  if (spec.on === undefined || spec.off === undefined) return true;
  const phase = (t - spec.start) % (spec.on + spec.off);
  return phase < spec.on;
}

function lengthGenerator(spec: ClientWorkload, options: MultiClientOptions, rng: Rng): () => RequestLength {
  if (spec.lengths === 'trace') {
    const rows = options.traceRows;
    if (rows === undefined || rows.length === 0)
      throw new Error('a client with lengths=trace needs a lengths trace with at least one row');
    const order = rng.shuffle(Array.from(rows.keys()));
    let next = 0;
    return () => {
      const row = rows[order[next]!]!;
      next = (next + 1) % order.length;
      return clipLength(
        Math.max(1, Math.trunc(row.numPrefillTokens)),
        Math.max(1, Math.trunc(row.numDecodeTokens)),
        options.maxTokens,
      );
    };
  }
  return () =>
    clipLength(
      spec.prefillMax === undefined ? spec.prefill : rng.int(spec.prefill, spec.prefillMax),
      spec.decodeMax === undefined ? spec.decode : rng.int(spec.decode, spec.decodeMax),
      options.maxTokens,
    );
}

/** Gaps between candidate arrivals (in wall time; arrivals in off periods are then dropped). */
function gapGenerator(spec: ClientWorkload, rng: Rng): { first: () => number; next: () => number } {
  switch (spec.arrivals) {
    case 'poisson':
      // Unclipped exponential gaps, as numpy's in the paper's traces (Vidur's generator clips at 3/qps).
      return { first: () => rng.exponential(spec.qps), next: () => rng.exponential(spec.qps) };
    case 'uniform':
      return { first: () => rng.next() / spec.qps, next: () => 1 / spec.qps };
    case 'gamma': {
      const shape = 1 / (spec.cv * spec.cv);
      const scale = 1 / (spec.qps * shape);
      return { first: () => rng.gamma(shape, scale), next: () => rng.gamma(shape, scale) };
    }
  }
}

/**
 * Generates every client's arrivals and merges them by time (ties: spec order, then draw order).
 * Request ids follow arrival order from 0. Each spec draws from its own forked streams, so adding a
 * client never changes another client's arrivals or lengths.
 */
export function generateMultiClient(options: MultiClientOptions, rng: Rng): Request[] {
  const arrivals: Arrival[] = [];
  options.clients.forEach((spec, index) => {
    const specRng = rng.fork(`client-spec-${index}`);
    const gaps = gapGenerator(spec, specRng.fork('arrivals'));
    const nextLength = lengthGenerator(spec, options, specRng.fork('lengths'));
    const clientId = spec.client ?? index;
    const stop = Math.min(options.duration, spec.end ?? Number.POSITIVE_INFINITY);
    for (let t = spec.start + gaps.first(); t < stop; t += gaps.next()) {
      if (isActive(spec, t)) arrivals.push({ time: t, spec: index, clientId, length: nextLength() });
    }
  });
  // Stable sort: equal times keep spec order, then draw order.
  arrivals.sort((a, b) => a.time - b.time || a.spec - b.spec);
  const kept = options.count === undefined ? arrivals : arrivals.slice(0, options.count);
  return kept.map((a, id) => new Request({ id, arrivedAt: a.time, clientId: a.clientId, ...a.length }));
}

/** The weight of a client under a weights list (1 past its end). */
export function clientWeight(weights: readonly number[] | undefined, clientId: number): number {
  return weights?.[clientId] ?? 1;
}
