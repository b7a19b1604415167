/**
 * Runs the unit cases of the fairness lab: builds a scheduler in a hand-made situation (counters,
 * queues, KV cache), makes the calls a case lists and reports what came back and the state left.
 * Shared by the child harness (the student's classes) and the lab's tests (the reference), so both
 * see exactly the same situations. It only observes; expectations live in cases.ts.
 */
import { Batch } from '../../../sim/entities/batch.js';
import { Request } from '../../../sim/entities/request.js';
import { KvBlockManager } from '../../../sim/memory/kv-block-manager.js';
import type { ReplicaScheduler, ReplicaSchedulerInit } from '../../../sim/policies/replica/replica-scheduler.js';
import {
  Situation,
  UnitCase,
  type ActionObservation,
  type ActionResult,
  type SchedulerKind,
  type SituationRequest,
  type StateSnapshot,
  type UnitCaseResult,
} from './protocol.js';

/** What the student modules export, read loosely: a missing export becomes an error in the case that needs it. */
export interface StudentModules {
  readonly cost: Record<string, unknown>;
  readonly vtc: Record<string, unknown>;
  readonly vtcSarathi: Record<string, unknown>;
}

/** The members of a VTC scheduler the cases use (the handout's contract). */
interface VtcScheduler extends ReplicaScheduler {
  virtualCounters: Map<number, number>;
  lastClientScheduled: number | undefined;
  selectNextRequest(...args: unknown[]): unknown;
}

export const CLASS_NAMES: Readonly<
  Record<SchedulerKind, { module: keyof StudentModules; name: string; file: string }>
> = {
  vtc: { module: 'vtc', name: 'VtcReplicaScheduler', file: 'vtc-replica-scheduler.ts' },
  'vtc-sarathi': { module: 'vtcSarathi', name: 'VtcSarathiReplicaScheduler', file: 'vtc-sarathi-replica-scheduler.ts' },
};

export function schedulerClass(
  modules: StudentModules,
  kind: SchedulerKind,
): new (
  init: ReplicaSchedulerInit,
) => ReplicaScheduler {
  const { module, name, file } = CLASS_NAMES[kind];
  const cls = modules[module][name];
  if (typeof cls !== 'function')
    throw new TypeError(`${file} does not export the class ${name}; keep the class name and its export`);
  return cls as new (
    init: ReplicaSchedulerInit,
  ) => ReplicaScheduler;
}

/**
 * Calls one service-cost function. The starter's defaults (starter/fairness/service-cost.ts) record
 * themselves in STARTER_DEFAULTS: the function under test running its own default is "not written yet",
 * even though the default gives the handout's weights; another function's default it calls is not its
 * fault (the scheduler items likewise charge through whatever the cost functions are), so that each
 * method can be written and checked on its own.
 */
function callCost(modules: StudentModules, name: string, args: number[]): number | null {
  const fn = modules.cost[name];
  if (typeof fn !== 'function') throw new TypeError(`service-cost.ts does not export the function ${name}`);
  const defaults =
    modules.cost.STARTER_DEFAULTS instanceof Set ? (modules.cost.STARTER_DEFAULTS as Set<unknown>) : undefined;
  defaults?.clear();
  const value: unknown = (fn as (...a: number[]) => unknown)(...args);
  if (defaults?.has(name) === true)
    throw new Error(`not written yet: ${name} (the starter's default ran) in starter/fairness/service-cost.ts`);
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** Advances a fresh request by `processed` tokens the way batches would: its prompt (or part), then one output token per iteration. */
function advance(r: Request, processed: number): void {
  if (processed <= 0) return;
  r.onBatchStart(0);
  if (processed < r.numPrefillTokens) {
    r.onBatchEnd(0, processed, 0);
    return;
  }
  r.onBatchEnd(0, r.numPrefillTokens, 0); // completes the prompt and yields the first output token
  for (let n = r.numPrefillTokens + 1; n < processed; n++) r.onBatchEnd(0, 1, 0);
}

function makeRequest(s: SituationRequest): Request {
  return new Request({
    id: s.id,
    arrivedAt: s.arrivedAt,
    numPrefillTokens: s.prefill,
    numDecodeTokens: s.decode,
    clientId: s.client,
  });
}

interface Built {
  readonly kind: SchedulerKind;
  readonly scheduler: VtcScheduler;
  readonly requests: Map<number, Request>;
}

function build(modules: StudentModules, raw: Situation): Built {
  const s = Situation.parse(raw);
  const Cls = schedulerClass(modules, s.scheduler);
  const kv = new KvBlockManager(s.numBlocks, 16, s.watermarkFraction);
  const scheduler = new Cls({
    replicaId: 0,
    kv,
    limits: {
      batchSizeCap: s.batchSizeCap,
      maxTokensInBatch: s.maxTokensInBatch,
      chunkSize: s.chunkSize,
      maxRequestTokens: 4096,
    },
    clientWeights: s.clientWeights,
  }) as VtcScheduler;
  if (!(scheduler.virtualCounters instanceof Map))
    throw new TypeError('the scheduler has no virtualCounters Map; keep the given field');
  for (const [client, value] of s.counters) scheduler.virtualCounters.set(client, value);
  scheduler.lastClientScheduled = s.lastClientScheduled ?? undefined;
  const requests = new Map<number, Request>();
  for (const spec of s.requests) {
    const r = makeRequest(spec);
    requests.set(r.id, r);
    advance(r, spec.processed);
    r.replicaId = 0;
    if (spec.at === 'waiting') {
      if (spec.restarted) r.restart();
      r.status = 'waiting';
      scheduler.waiting.push(r);
    } else {
      r.status = 'running';
      // Admitted requests hold their whole prompt's blocks; decoding ones at least their tokens so far.
      kv.allocate(r.id, kv.blocksFor(Math.max(r.prefillTarget, r.numProcessedTokens)));
      scheduler.running.push(r);
    }
  }
  return { kind: s.scheduler, scheduler, requests };
}

function snapshot(b: Built): StateSnapshot {
  const s = b.scheduler;
  const counters: [number, number | null][] = [...s.virtualCounters.entries()]
    .map(([c, v]): [number, number | null] => [Number(c), typeof v === 'number' && Number.isFinite(v) ? v : null])
    .sort((x, y) => x[0] - y[0]);
  const ids = [...b.requests.keys()].sort((x, y) => x - y);
  const last = s.lastClientScheduled;
  return {
    counters,
    lastClientScheduled: typeof last === 'number' && Number.isFinite(last) ? last : null,
    waiting: s.waiting.map((r) => Number(r?.id)),
    running: s.running.map((r) => Number(r?.id)),
    blocks: ids.filter((id) => s.kv.blocksHeldBy(id) > 0).map((id): [number, number] => [id, s.kv.blocksHeldBy(id)]),
    restarts: ids
      .filter((id) => b.requests.get(id)!.numRestarts > 0)
      .map((id): [number, number] => [id, b.requests.get(id)!.numRestarts]),
  };
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

function selection(value: unknown, b: Built): ActionResult {
  if (value === undefined || value === null)
    return { kind: 'selection', id: null, index: null, isRunningPrefill: null };
  const v = value as { request?: { id?: unknown }; index?: unknown; isRunningPrefill?: unknown };
  const id = num(v.request?.id);
  if (id === null || !b.requests.has(id))
    throw new TypeError(
      'selectNextRequest() returned something that is not { request, index } with one of the queued requests',
    );
  return {
    kind: 'selection',
    id,
    index: num(v.index),
    isRunningPrefill: typeof v.isRunningPrefill === 'boolean' ? v.isRunningPrefill : null,
  };
}

function act(modules: StudentModules, b: Built | undefined, raw: UnitCase['actions'][number]): ActionResult {
  switch (raw.kind) {
    case 'cost-prefill':
      return { kind: 'number', value: callCost(modules, 'getPrefillTokenServiceCost', [raw.tokens]) };
    case 'cost-decode':
      return { kind: 'number', value: callCost(modules, 'getDecodeTokenServiceCost', []) };
    case 'cost-request':
      return { kind: 'number', value: callCost(modules, 'getServiceCost', [raw.prefill, raw.decode]) };
    default:
      break;
  }
  if (b === undefined) throw new Error(`case error: action ${raw.kind} needs a situation`);
  const s = b.scheduler;
  switch (raw.kind) {
    case 'arrive': {
      const r = makeRequest({ ...raw.request, at: 'waiting' });
      b.requests.set(r.id, r);
      s.addRequest(r, r.arrivedAt);
      return { kind: 'none' };
    }
    case 'batch-end': {
      const reqs = raw.batch.map(([id]) => {
        const r = b.requests.get(id);
        if (r === undefined) throw new Error(`case error: unknown request ${id}`);
        return r;
      });
      const inBatch = new Set(raw.batch.map(([id]) => id));
      s.running = s.running.filter((r) => !inBatch.has(r.id)); // the batch was executing: not in running
      const now = 20;
      raw.batch.forEach(([, tokens], i) => {
        reqs[i]!.onBatchStart(now - 0.01);
        reqs[i]!.onBatchEnd(now, tokens, 0.01);
      });
      s.numRunningBatches = 1;
      s.onBatchEnd(
        new Batch(
          0,
          reqs,
          raw.batch.map(([, t]) => t),
        ),
        now,
      );
      return { kind: 'none' };
    }
    case 'select': {
      const prefills = (raw.runningPrefills ?? []).map((id) => b.requests.get(id)!);
      return selection(b.kind === 'vtc-sarathi' ? s.selectNextRequest(prefills) : s.selectNextRequest(), b);
    }
    case 'schedule': {
      const batch = s.schedule(raw.now ?? 10);
      if (batch === undefined || batch === null) return { kind: 'batch', batch: null };
      return {
        kind: 'batch',
        batch: batch.requests.map((r, i): [number | null, number | null] => [num(r?.id), num(batch.numTokens[i])]),
      };
    }
  }
}

/** "Name: message (at starter/fairness/file.ts:line)" for an error thrown by student code. */
export function describeError(err: unknown): string {
  if (!(err instanceof Error)) return `a non-Error value was thrown: ${String(err)}`;
  const where = /(starter\/fairness\/[\w.-]+\.ts:\d+)/.exec(err.stack ?? '')?.[1];
  return `${err.name}: ${err.message}${where !== undefined ? ` (at ${where})` : ''}`;
}

export function runUnitCase(modules: StudentModules, raw: UnitCase): UnitCaseResult {
  const c = UnitCase.parse(raw);
  const observations: ActionObservation[] = [];
  let built: Built | undefined;
  try {
    built = c.situation === null ? undefined : build(modules, c.situation);
    for (const action of c.actions) {
      const result = act(modules, built, action);
      observations.push({ result, state: built === undefined ? null : snapshot(built) });
    }
    return { name: c.name, observations };
  } catch (err) {
    return { name: c.name, observations, error: describeError(err) };
  }
}
