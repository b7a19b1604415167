/**
 * The autoscaling lab's unit cases and what a correct implementation must do with them. Cases are made
 * here in the parent (public ones fixed, hidden ones drawn from the hidden seed); the child only runs
 * them, and every expectation (the envelope's exact values, the EMA, tune()'s rule) is computed here.
 */
import { Rng } from '../../../sim/workload/rng.js';
import type {
  EmaCase,
  EmaCaseResult,
  EnvelopeCase,
  EnvelopeCaseResult,
  EnvelopeOp,
  RouterCase,
  RouterCaseResult,
  RouterReplica,
  RouterStep,
  TuneCall,
  TuneCase,
  TuneCaseResult,
  TuneConfig,
} from './protocol.js';

/** A case as the parent keeps it: the input, whether its details may be shown, and a one-line intent. */
export interface Labelled<C> {
  readonly case: C;
  readonly hidden: boolean;
  readonly expect: string;
}

const close = (got: number, want: number) => Math.abs(got - want) <= 1e-9 * Math.max(1, Math.abs(want));
const fmt = (x: number | null | undefined) =>
  x === null || x === undefined
    ? 'not a number'
    : Number.isInteger(x)
      ? String(x)
      : x.toPrecision(10).replace(/0+$/, '').replace(/\.$/, '');

// ---- routers ------------------------------------------------------------------------------------

const rep = (replicaId: number, numWaiting = 0, numRunning = 0): RouterReplica => ({
  replicaId,
  numWaiting,
  numRunning,
});
const idle = (...ids: number[]) => ids.map((id) => rep(id));
const step = (
  replicas: RouterReplica[],
  arrivals: number,
  mark: number[] = [],
  action: RouterStep['action'] = 'schedule',
): RouterStep => ({ replicas, mark, arrivals, action });

export function roundRobinCases(publicSeed: number, hiddenSeed: number): Labelled<RouterCase>[] {
  const rr = (name: string, steps: RouterStep[], seed: number): RouterCase => ({
    name,
    router: 'round-robin',
    steps,
    seed,
  });
  const cases: Labelled<RouterCase>[] = [
    {
      case: rr(
        'rotates over idle replicas, one request per call',
        Array.from({ length: 6 }, () => step(idle(0, 1, 2), 1)),
        publicSeed,
      ),
      hidden: false,
      expect:
        'replicas 0, 1, 2; six calls with one new request each: each replica in turn (0 1 2 0 1 2 from wherever you start)',
    },
    {
      case: rr('skips a replica marked for scale-down', [step(idle(0, 1, 2), 5, [1])], publicSeed),
      hidden: false,
      expect: 'replica 1 is marked: 5 requests alternate between replicas 0 and 2',
    },
    {
      case: rr(
        'cycles over non-contiguous ids',
        [step(idle(3, 7, 12), 4), step(idle(3, 7, 12), 1), step(idle(3, 7, 12), 2)],
        publicSeed,
      ),
      hidden: false,
      expect: 'replicas 3, 7 and 12 (0..2 were removed): requests rotate over them, across calls too',
    },
    {
      case: rr(
        'routes nothing while every replica is marked',
        [step(idle(0, 1), 2, [0, 1]), step(idle(0, 1, 2), 0)],
        publicSeed,
      ),
      hidden: false,
      expect: 'both replicas marked: no assignment; then replica 2 is added: both queued requests go to it',
    },
  ];
  const rng = new Rng(hiddenSeed).fork('round-robin-cases');
  for (let k = 0; k < 4; k++)
    cases.push({
      case: rr(
        `hidden: replicas come, go and get marked between calls (${k + 1})`,
        randomMembership(rng, false),
        hiddenSeed + k,
      ),
      hidden: true,
      expect: 'rotation over the routable replicas, never a marked or missing one',
    });
  return cases;
}

export function lorCases(publicSeed: number, hiddenSeed: number): Labelled<RouterCase>[] {
  const lor = (name: string, steps: RouterStep[], seed: number): RouterCase => ({ name, router: 'lor', steps, seed });
  const cases: Labelled<RouterCase>[] = [
    {
      case: lor(
        'least outstanding, counting waiting and running requests',
        [step([rep(0, 0, 5), rep(1, 2, 0), rep(2, 0, 1)], 4)],
        publicSeed,
      ),
      hidden: false,
      expect:
        'outstanding 5, 2, 1: each request goes to a replica with the fewest outstanding, counting those just assigned',
    },
    {
      case: lor(
        'marks the replica with the fewest outstanding requests, then skips it',
        [
          step([rep(0, 1, 2), rep(1, 0, 1), rep(2, 0, 4)], 0, [], 'markVictim'),
          step([rep(0, 1, 2), rep(1, 0, 1), rep(2, 0, 4)], 3),
        ],
        publicSeed,
      ),
      hidden: false,
      expect: 'outstanding 3, 1, 4: markReplicaToFree() returns 1 and marks it; 3 new requests avoid replica 1',
    },
    {
      case: lor(
        'picks among unmarked replicas only, null when none is left',
        [
          step([rep(0, 0, 0), rep(1, 0, 3)], 0, [0], 'markVictim'),
          step([rep(0, 0, 0), rep(1, 0, 3)], 0, [], 'markVictim'),
        ],
        publicSeed,
      ),
      hidden: false,
      expect: 'replica 0 (idle) is already marked: the victim is 1; asked again, nothing is left: null',
    },
    {
      case: lor('handles non-contiguous ids', [step([rep(4, 0, 2), rep(9, 1, 2), rep(13, 0, 0)], 5)], publicSeed),
      hidden: false,
      expect: 'replicas 4, 9, 13 with 2, 3, 0 outstanding: requests fill the least loaded first',
    },
  ];
  const rng = new Rng(hiddenSeed).fork('lor-cases');
  for (let k = 0; k < 4; k++)
    cases.push({
      case: lor(
        `hidden: loads, scale-downs and victims over several calls (${k + 1})`,
        randomMembership(rng, true),
        hiddenSeed + k,
      ),
      hidden: true,
      expect: 'least outstanding among routable replicas; victims with the fewest outstanding among unmarked ones',
    });
  return cases;
}

/** A random sequence of cluster changes, marks, arrivals and calls. */
function randomMembership(rng: Rng, lor: boolean): RouterStep[] {
  let nextId = rng.int(0, 3);
  let live = Array.from({ length: rng.int(2, 5) }, () => nextId++);
  const steps: RouterStep[] = [];
  const n = rng.int(8, 14);
  for (let s = 0; s < n; s++) {
    const roll = rng.next();
    const mark: number[] = [];
    if (roll < 0.2 && live.length > 1) live = live.filter((_, i) => i !== rng.int(0, live.length - 1));
    else if (roll < 0.35) live = [...live, (nextId += rng.int(1, 3))];
    else if (roll < 0.45 && !lor) mark.push(live[rng.int(0, live.length - 1)]!);
    const replicas = live.map((id) => rep(id, lor ? rng.int(0, 3) : 0, lor ? rng.int(0, 6) : 0));
    const action = lor && rng.next() < 0.3 ? 'markVictim' : 'schedule';
    steps.push(step(replicas, action === 'schedule' ? rng.int(0, 4) : 0, mark, action));
  }
  return steps;
}

/**
 * Replays a router case's results against the rules; returns problems (empty = passed). For hidden
 * cases (`showInputs` false) a problem says what kind of rule broke, not the case's replicas and loads.
 */
export function checkRouterCase(c: RouterCase, r: RouterCaseResult | undefined, showInputs = true): string[] {
  if (r === undefined) return ['no result for this case'];
  const problems: string[] = [];
  const say = (detailed: string, generic: string) => problems.push(showInputs ? detailed : generic);
  let marked = new Set<number>();
  let queued: number[] = [];
  let nextRequestId = 0;
  let lastId: number | undefined;
  let lastSet = '';
  c.steps.forEach((s, i) => {
    const where = `call ${i + 1}`;
    const res = r.steps[i];
    const ids = s.replicas.map((x) => x.replicaId);
    marked = new Set([...marked].filter((id) => ids.includes(id)));
    for (const id of s.mark) marked.add(id);
    for (let k = 0; k < s.arrivals; k++) queued.push(nextRequestId++);
    if (res === undefined) {
      if (problems.length === 0) problems.push(`${where}: ${r.error !== undefined ? `threw ${r.error}` : 'no result'}`);
      return;
    }
    if (problems.length > 0) return;
    const routable = s.replicas.filter((x) => !marked.has(x.replicaId)).sort((a, b) => a.replicaId - b.replicaId);
    if (s.action === 'markVictim') {
      const before = [...marked].sort((a, b) => a - b);
      if (routable.length === 0) {
        if (res.victim !== null)
          say(
            `${where}: markReplicaToFree() returned ${fmt(res.victim)} with every replica marked; expected null`,
            `${where}: markReplicaToFree() returned a replica although every replica was marked (expected null)`,
          );
      } else {
        const least = Math.min(...routable.map((x) => x.numWaiting + x.numRunning));
        const victim = routable.find((x) => x.replicaId === res.victim);
        if (victim === undefined)
          say(
            `${where}: markReplicaToFree() returned ${fmt(res.victim)}, not an unmarked replica (unmarked: ${routable.map((x) => x.replicaId).join(', ')})`,
            `${where}: markReplicaToFree() returned an id that is not an unmarked replica`,
          );
        else if (victim.numWaiting + victim.numRunning !== least) {
          say(
            `${where}: markReplicaToFree() chose replica ${victim.replicaId} with ${victim.numWaiting + victim.numRunning} outstanding requests; the fewest among unmarked replicas is ${least}`,
            `${where}: markReplicaToFree() chose a replica without the fewest outstanding requests`,
          );
        } else marked.add(victim.replicaId);
      }
      const want = [...marked].sort((a, b) => a - b);
      if (problems.length === 0 && JSON.stringify(res.marked) !== JSON.stringify(want)) {
        say(
          `${where}: replicasToFree is [${res.marked.join(', ')}] after markReplicaToFree(); expected [${want.join(', ')}] (${before.length === want.length ? 'nothing to add' : 'add the victim'})`,
          `${where}: replicasToFree is not what it should be after markReplicaToFree() (${before.length === want.length ? 'nothing to add' : 'add the victim'})`,
        );
      }
      return;
    }
    // schedule
    const loads = new Map(routable.map((x) => [x.replicaId, x.numWaiting + x.numRunning]));
    const assigned = new Set<number>();
    const set = routable.map((x) => x.replicaId).join(',');
    for (const [requestId, replicaId] of res.assignments) {
      if (requestId === null || !queued.includes(requestId) || assigned.has(requestId)) {
        say(
          `${where}: assigned ${requestId === null ? 'something that is not a queued request' : `request ${requestId}, which was not waiting (already routed or unknown)`}`,
          `${where}: assigned a request that was not waiting (already routed, or unknown)`,
        );
        break;
      }
      assigned.add(requestId);
      if (replicaId === null || !loads.has(replicaId)) {
        const why =
          replicaId === null ? 'not a number' : marked.has(replicaId) ? 'marked for scale-down' : 'not in the cluster';
        say(
          `${where}: sent request ${requestId} to replica ${fmt(replicaId)}, which is ${why} (routable: ${routable.map((x) => x.replicaId).join(', ')})`,
          `${where}: sent a request to a replica that is ${why}`,
        );
        break;
      }
      if (c.router === 'lor') {
        const least = Math.min(...loads.values());
        if (loads.get(replicaId)! !== least) {
          say(
            `${where}: sent request ${requestId} to replica ${replicaId} with ${loads.get(replicaId)} outstanding; replica ${[...loads].find(([, l]) => l === least)![0]} had ${least}`,
            `${where}: sent a request to a replica without the fewest outstanding requests`,
          );
          break;
        }
        loads.set(replicaId, loads.get(replicaId)! + 1);
      } else {
        if (lastId !== undefined && lastSet === set) {
          const after = routable.find((x) => x.replicaId > lastId!) ?? routable[0]!;
          if (replicaId !== after.replicaId) {
            say(
              `${where}: sent request ${requestId} to replica ${replicaId}; the previous request went to ${lastId}, so round robin over [${set}] continues with ${after.replicaId}`,
              `${where}: broke the rotation (the next request goes to the next routable replica after the previous one)`,
            );
            break;
          }
        }
        lastId = replicaId;
        lastSet = set;
      }
    }
    if (problems.length > 0) return;
    if (routable.length > 0 && assigned.size < queued.length) {
      problems.push(
        `${where}: routed ${assigned.size} of ${queued.length} queued requests; with a routable replica every queued request should be assigned`,
      );
      return;
    }
    queued = queued.filter((id) => !assigned.has(id));
  });
  if (problems.length === 0 && r.error !== undefined && r.steps.length >= c.steps.length)
    problems.push(`threw ${r.error}`);
  return problems;
}

// ---- envelope -----------------------------------------------------------------------------------

const arrive = (time: number, prefill: number, decode = 1): EnvelopeOp => [0, time, prefill, decode];
const query = (time: number, windowSize: number, lookBackTime: number): EnvelopeOp => [
  1,
  time,
  windowSize,
  lookBackTime,
];

/** R(t, W, L) by brute force over the candidate windows (the servelab definition, algorithms.md §4.2). */
export function oracleRate(
  arrivals: readonly (readonly [number, number])[],
  time: number,
  windowSize: number,
  lookBackTime: number,
): number {
  if (!(windowSize > 0) || !(lookBackTime > 0)) return 0;
  const w = Math.min(windowSize, lookBackTime);
  const from = time - lookBackTime;
  // Only arrivals in (t − L, t] can be in a window.
  const inside = arrivals.filter(([a]) => a > from && a <= time);
  const sumIn = (lo: number, hi: number) => {
    let s = 0;
    for (const [a, k] of inside) if (a > lo && a <= hi) s += k;
    return s;
  };
  let best = sumIn(from, from + w);
  for (const [edge] of inside) if (edge - w >= from) best = Math.max(best, sumIn(edge - w, edge));
  return best / w;
}

/** Expected values of a case's queries, in order. */
export function expectedRates(c: EnvelopeCase): number[] {
  const arrivals: [number, number][] = [];
  const out: number[] = [];
  for (const [kind, time, a, b] of c.ops) {
    if (kind === 0) arrivals.push([time, a + b]);
    else out.push(oracleRate(arrivals, time, a, b));
  }
  return out;
}

/** Random arrivals on a 1/64 s grid (exact in binary), with queries interleaved in time order. */
function randomEnvelopeOps(
  rng: Rng,
  n: number,
  queryEvery: number,
  pairs: readonly (readonly [number, number])[],
  burst: boolean,
): EnvelopeOp[] {
  const ops: EnvelopeOp[] = [];
  let t = 0;
  let queried = false;
  for (let i = 0; i < n; i++) {
    // Same-instant bursts, but never an arrival at the time of a query already made (the engine
    // delivers every arrival at t before it tunes at t).
    t += burst && !queried && rng.next() < 0.3 ? 0 : rng.int(1, 96) / 64;
    queried = false;
    ops.push(arrive(t, rng.int(1, 600), rng.int(1, 50)));
    if ((i + 1) % queryEvery === 0) {
      const qt = t + (rng.next() < 0.5 ? 0 : rng.int(1, 32) / 64);
      for (const [w, l] of pairs) ops.push(query(qt, w, l));
      t = qt;
      queried = true;
    }
  }
  return ops;
}

export function envelopeCases(hiddenSeed: number): Labelled<EnvelopeCase>[] {
  const env = (name: string, ops: EnvelopeOp[]): EnvelopeCase => ({ name, ops });
  const rng = new Rng(hiddenSeed).fork('envelope-cases');
  // Hidden edge cases are shifted in time and scaled in tokens by the hidden seed.
  const t0 = rng.int(0, 64) * 4;
  const k = rng.int(1, 9);
  const cases: Labelled<EnvelopeCase>[] = [
    { case: env('an empty envelope gives 0', [query(10, 5, 20)]), hidden: false, expect: 'no arrivals: 0' },
    { case: env('a zero window gives 0', [arrive(1, 100), query(2, 0, 10)]), hidden: false, expect: 'windowSize 0: 0' },
    {
      case: env('one request inside the look-back', [arrive(10, 100, 1), query(20, 10, 15)]),
      hidden: false,
      expect: '101 tokens at t=10, query t=20, window 10, look-back 15: 101 / 10 = 10.1',
    },
    {
      case: env('an arrival at t − L is outside the look-back', [arrive(10, 100, 1), query(20, 10, 10)]),
      hidden: false,
      expect: 'the same request, look-back 10: the only window is (10, 20], which excludes t=10: 0',
    },
    {
      case: env('hidden: a window longer than the look-back is clamped to it', [
        arrive(t0 + 12, 100 * k, 20),
        arrive(t0 + 15, 50 * k, 10),
        query(t0 + 20, 30, 10),
      ]),
      hidden: true,
      expect: 'W > L: treated as W = L',
    },
    {
      case: env('hidden: a negative window gives 0', [arrive(t0 + 1, 100 * k), query(t0 + 2, -5, 10)]),
      hidden: true,
      expect: 'W < 0: 0',
    },
    {
      case: env('hidden: an arrival at the query time counts', [
        arrive(t0 + 5, 40 * k),
        arrive(t0 + 30, 300 * k, 3),
        query(t0 + 30, 10, 60),
      ]),
      hidden: true,
      expect: 'arrival at t is inside the look-back',
    },
    {
      case: env('hidden: bursts on both edges of a window', [
        ...[0, 1, 2].map(() => arrive(t0 + 10, 100 * k)),
        ...[0, 1, 2].map(() => arrive(t0 + 30, 100 * k)),
        arrive(t0 + 31, 10 * k),
        query(t0 + 60, 20, 55),
        query(t0 + 61, 20, 55),
      ]),
      hidden: true,
      expect: 'windows are open on the left and closed on the right',
    },
    {
      case: env('hidden: the leftmost window holds the maximum', [
        arrive(t0 + 1, 900 * k),
        arrive(t0 + 2, 900 * k),
        arrive(t0 + 9, 10 * k),
        query(t0 + 10, 5, 9.5),
      ]),
      hidden: true,
      expect: 'the window (t − L, t − L + W] counts even though no arrival ends it',
    },
    {
      case: env('hidden: no partial windows', [
        arrive(t0 + 96, 200 * k),
        arrive(t0 + 98, 200 * k),
        query(t0 + 100, 10, 50),
      ]),
      hidden: true,
      expect: 'arrivals only in the last 4 s of a 10 s window: divide by 10, not by 4',
    },
    {
      case: env('hidden: many requests at one instant, queried repeatedly as time passes', [
        ...Array.from({ length: 40 }, () => arrive(t0 + 50, 60 * k, 4)),
        query(t0 + 50, 20, 80),
        query(t0 + 100, 20, 80),
        query(t0 + 129.5, 20, 80),
        query(t0 + 130, 20, 80),
        query(t0 + 131, 20, 80),
      ]),
      hidden: true,
      expect: 'the burst stays in view until it leaves the look-back, then 0',
    },
    {
      case: env('hidden: random traffic, one (W, L) pair', randomEnvelopeOps(rng, 400, 7, [[8, 40]], false)),
      hidden: true,
      expect: 'matches the definition on every query',
    },
    {
      case: env(
        'hidden: bursty traffic, two (W, L) pairs interleaved',
        randomEnvelopeOps(
          rng,
          1500,
          11,
          [
            [5, 30],
            [20, 120],
          ],
          true,
        ),
      ),
      hidden: true,
      expect: 'matches the definition on every query of both pairs',
    },
    {
      case: env(
        'hidden: long run with look-backs of different lengths',
        randomEnvelopeOps(
          rng,
          3000,
          25,
          [
            [2, 10],
            [10, 200],
            [50, 60],
          ],
          true,
        ),
      ),
      hidden: true,
      expect: 'matches the definition, also for the longest look-back',
    },
  ];
  return cases;
}

export function checkEnvelopeCase(c: EnvelopeCase, r: EnvelopeCaseResult | undefined, showInputs: boolean): string[] {
  if (r === undefined) return ['no result for this case'];
  const want = expectedRates(c);
  const queries = c.ops.filter((o) => o[0] === 1);
  for (let i = 0; i < want.length; i++) {
    const got = r.values[i];
    if (got === undefined) return [r.error !== undefined ? `threw ${r.error}` : `no value for query ${i + 1}`];
    if (got === null || !close(got, want[i]!)) {
      const [, t, w, l] = queries[i]!;
      return [
        showInputs
          ? `getMaxRequestRate(${fmt(t)}, ${fmt(w)}, ${fmt(l)}) returned ${fmt(got)}; expected ${fmt(want[i])}`
          : `query ${i + 1} of ${want.length} returned ${fmt(got)}, which is wrong`,
      ];
    }
  }
  return r.error !== undefined ? [`threw ${r.error}`] : [];
}

// ---- throughput EMA -----------------------------------------------------------------------------

export function emaCases(hiddenSeed: number): Labelled<EmaCase>[] {
  const rng = new Rng(hiddenSeed).fork('ema-cases');
  const batch = (tokens: number[], scheduledAt: number, completedAt: number) => ({ tokens, scheduledAt, completedAt });
  const randomBatches = (count: number) => {
    let t = rng.int(0, 100);
    return Array.from({ length: count }, () => {
      const size = rng.int(1, 16);
      const start = t + rng.int(0, 20) / 8;
      const end = start + rng.int(1, 64) / 32;
      t = end;
      return batch(
        Array.from({ length: size }, () => rng.int(1, 512)),
        start,
        end,
      );
    });
  };
  return [
    {
      case: { name: 'one batch (the handout example)', alpha: 0.5, initial: 1, batches: [batch([100, 50, 75], 0, 10)] },
      hidden: false,
      expect: '225 tokens in 10 s, α 0.5, μ₀ 1: 0.5 × 22.5 + 0.5 × 1 = 11.75',
    },
    {
      case: {
        name: 'two batches',
        alpha: 0.5,
        initial: 1234,
        batches: [batch([256, 256, 256, 256], 5, 5.5), batch([100], 6, 6.25)],
      },
      hidden: false,
      expect:
        'μ₀ 1234; 1024 tokens in 0.5 s: 0.5 × 2048 + 0.5 × 1234 = 1641; then 100 tokens in 0.25 s: 0.5 × 400 + 0.5 × 1641 = 1020.5',
    },
    {
      case: { name: 'hidden: another weight', alpha: 0.25, initial: 800, batches: [batch([256, 256], 3, 3.25)] },
      hidden: true,
      expect: 'μ ← α · rate + (1 − α) · μ with α = 0.25',
    },
    {
      case: { name: 'hidden: α = 1 keeps only the last batch', alpha: 1, initial: 5, batches: randomBatches(3) },
      hidden: true,
      expect: "μ = the last batch's rate",
    },
    {
      case: {
        name: 'hidden: a run of batches, α 0.1',
        alpha: 0.1,
        initial: rng.int(1, 5000),
        batches: randomBatches(8),
      },
      hidden: true,
      expect: 'the average after each batch',
    },
    {
      case: { name: 'hidden: a run of batches, α 0.7', alpha: 0.7, initial: 1, batches: randomBatches(6) },
      hidden: true,
      expect: 'the average after each batch',
    },
  ];
}

export function expectedEma(c: EmaCase): number[] {
  const out = [c.initial];
  let mu = c.initial;
  for (const b of c.batches) {
    const tokens = b.tokens.reduce((s, t) => s + t, 0);
    mu = c.alpha * (tokens / (b.completedAt - b.scheduledAt)) + (1 - c.alpha) * mu;
    out.push(mu);
  }
  return out;
}

export function checkEmaCase(c: EmaCase, r: EmaCaseResult | undefined, showInputs: boolean): string[] {
  if (r === undefined) return ['no result for this case'];
  const want = expectedEma(c);
  for (let i = 0; i < want.length; i++) {
    const got = r.values[i];
    if (got === undefined) return [r.error !== undefined ? `threw ${r.error}` : `no value after batch ${i}`];
    if (got === null || !close(got, want[i]!)) {
      const when = i === 0 ? 'before any batch' : `after batch ${i}`;
      if (!showInputs) return [`replicaTokenThroughput ${when} is ${fmt(got)}, which is wrong`];
      const b = c.batches[i - 1];
      const detail =
        b === undefined
          ? ''
          : ` (batch of ${b.tokens.reduce((s, t) => s + t, 0)} tokens from t=${b.scheduledAt} to ${b.completedAt}, α ${c.alpha})`;
      return [`replicaTokenThroughput ${when} is ${fmt(got)}; expected ${fmt(want[i])}${detail}`];
    }
  }
  return r.error !== undefined ? [`threw ${r.error}`] : [];
}

// ---- tune ---------------------------------------------------------------------------------------

/** servelab's rule (algorithms.md §4.5), applied to a whole case. */
export function expectedDeltas(c: TuneCase): number[] {
  const cfg = c.config;
  const mu = cfg.initialReplicaTokenThroughput;
  let lastUp = Number.NEGATIVE_INFINITY;
  return c.calls.map((call) => {
    if (!(mu > 0)) return 0;
    const target = (rate: number) => Math.min(cfg.maxReplicas, Math.max(cfg.minReplicas, Math.ceil(rate / mu)));
    const effective = call.numReplicas + call.pendingScaleUps - call.pendingScaleDowns;
    const up = target(call.upRate);
    if (up > effective) {
      lastUp = call.time;
      return up - effective;
    }
    if (call.time - lastUp < cfg.stabilizationDelay) return 0;
    const down = target(call.downRate);
    return down < effective ? down - effective : 0;
  });
}

const baseTuneConfig: TuneConfig = {
  minWindowSizeScaleUp: 5,
  lookBackTimeScaleUp: 60,
  minWindowSizeScaleDown: 20,
  lookBackTimeScaleDown: 120,
  stabilizationDelay: 30,
  initialReplicaTokenThroughput: 30,
  minReplicas: 1,
  maxReplicas: 64,
};

const call = (
  time: number,
  numReplicas: number,
  pendingScaleUps: number,
  pendingScaleDowns: number,
  upRate: number,
  downRate = upRate,
): TuneCall => ({
  time,
  numReplicas,
  pendingScaleUps,
  pendingScaleDowns,
  upRate,
  downRate,
});

/** A little engine: pending scale-ups land after `delay` calls, scale-downs at once; rates follow `rates`. */
function engineLikeCalls(cfg: TuneConfig, rng: Rng, n: number): TuneCall[] {
  const mu = cfg.initialReplicaTokenThroughput;
  const c: TuneCase = { name: '', config: cfg, calls: [] };
  let replicas = rng.int(1, 4);
  const landing: number[] = [];
  let level = rng.int(1, 6) * mu;
  for (let i = 0; i < n; i++) {
    if (rng.next() < 0.25) level = Math.max(0, level + (rng.int(-3, 3) * mu) / 2);
    const upRate = level * (1 + rng.int(0, 4) / 8);
    const downRate = level * (1 - rng.int(0, 3) / 8);
    const time = 5 * (i + 1);
    c.calls.push(call(time, replicas, landing.length, 0, upRate, downRate));
    const delta = expectedDeltas(c).at(-1)!;
    if (delta > 0) for (let k = 0; k < delta; k++) landing.push(i + 2);
    else if (delta < 0) replicas += delta;
    while (landing.length > 0 && landing[0]! <= i + 1) {
      landing.shift();
      replicas++;
    }
  }
  return c.calls;
}

export function tuneCases(hiddenSeed: number): Labelled<TuneCase>[] {
  const rng = new Rng(hiddenSeed).fork('tune-cases');
  const cfg = (over: Partial<TuneConfig> = {}): TuneConfig => ({ ...baseTuneConfig, ...over });
  const mu = rng.int(2, 9) * 10; // hidden cases: another throughput, so hard-coded answers fail
  return [
    {
      case: {
        name: 'scale up, then wait (the handout example)',
        config: cfg(),
        calls: [call(5, 1, 0, 0, 100), call(10, 1, 3, 0, 100), call(15, 4, 0, 0, 20)],
      },
      hidden: false,
      expect:
        'rate 100 tok/s, μ 30, 1 replica: +3; at once again (3 pending): 0; rate drops within the stabilisation delay: 0',
    },
    {
      case: {
        name: 'scale down once the stabilisation delay has passed',
        config: cfg(),
        calls: [call(5, 1, 0, 0, 100), call(15, 4, 0, 0, 20), call(40, 4, 0, 0, 20)],
      },
      hidden: false,
      expect: 'scale-up at t=5; at t=15 (10 s later) 0; at t=40 (35 s ≥ 30 s later) down to ceil(20 / 30) = 1: −3',
    },
    {
      case: {
        name: 'hidden: pending scale-ups are counted once',
        config: cfg({ initialReplicaTokenThroughput: mu }),
        calls: [
          call(5, 2, 1, 0, 4 * mu),
          call(10, 2, 1, 0, 4 * mu),
          call(100, 2, 1, 0, 2.5 * mu),
          call(105, 3, 0, 0, 2.5 * mu),
        ],
      },
      hidden: true,
      expect:
        'effective = replicas + pending scale-ups − pending scale-downs, from the state passed in, nothing kept on the side',
    },
    {
      case: {
        name: 'hidden: pending scale-downs are counted',
        config: cfg({ initialReplicaTokenThroughput: mu }),
        calls: [call(5, 5, 0, 2, 3.5 * mu), call(10, 5, 0, 2, 4 * mu), call(60, 4, 0, 1, 1.5 * mu)],
      },
      hidden: true,
      expect: 'marked replicas are still counted in numReplicas and their scale-downs are pending',
    },
    {
      case: {
        name: 'hidden: exact multiples and ceil',
        config: cfg({ initialReplicaTokenThroughput: mu }),
        calls: [call(5, 1, 0, 0, 3 * mu), call(50, 3, 0, 0, 3 * mu), call(100, 3, 0, 0, 3 * mu + 0.5)],
      },
      hidden: true,
      expect: 'target = ceil(rate / μ): 3μ → 3, 3μ + ε → 4',
    },
    {
      case: {
        name: 'hidden: targets are clamped to [minReplicas, maxReplicas]',
        config: cfg({ initialReplicaTokenThroughput: mu, minReplicas: 2, maxReplicas: 6 }),
        calls: [call(5, 2, 0, 0, 40 * mu), call(10, 6, 0, 0, 0), call(60, 6, 0, 0, 0)],
      },
      hidden: true,
      expect: 'up to maxReplicas only; down to minReplicas only',
    },
    {
      case: {
        name: 'hidden: μ ≤ 0 gives 0',
        config: cfg({ initialReplicaTokenThroughput: 0 }),
        calls: [call(5, 1, 0, 0, 500), call(10, 3, 0, 0, 0)],
      },
      hidden: true,
      expect: 'no throughput estimate: no decision',
    },
    {
      case: {
        name: 'hidden: scale-up wins over a lower scale-down target',
        config: cfg({ initialReplicaTokenThroughput: mu }),
        calls: [call(5, 2, 0, 0, 5 * mu, 0.5 * mu)],
      },
      hidden: true,
      expect: 'the scale-up check comes first',
    },
    {
      case: {
        name: 'hidden: no scale-up yet, so no stabilisation wait',
        config: cfg({ initialReplicaTokenThroughput: mu }),
        calls: [call(5, 4, 0, 0, 1.5 * mu, 1.5 * mu)],
      },
      hidden: true,
      expect: 'the last scale-up is at −∞: scale down at the first call',
    },
    {
      case: {
        name: 'hidden: the delay runs from the latest scale-up',
        config: cfg({ initialReplicaTokenThroughput: mu, stabilizationDelay: 30 }),
        calls: [call(5, 1, 0, 0, 2 * mu), call(25, 2, 0, 0, 3 * mu), call(40, 3, 0, 0, mu), call(55, 3, 0, 0, mu)],
      },
      hidden: true,
      expect: 'scale-ups at t=5 and t=25: at t=40 (15 s after the latest) 0, at t=55 down',
    },
    {
      case: {
        name: 'hidden: separate windows for scaling up and down',
        config: cfg({
          initialReplicaTokenThroughput: mu,
          minWindowSizeScaleUp: 7,
          lookBackTimeScaleUp: 35,
          minWindowSizeScaleDown: 45,
          lookBackTimeScaleDown: 300,
        }),
        calls: [call(5, 3, 0, 0, 2 * mu, 3 * mu), call(10, 3, 0, 0, 2 * mu, 1.2 * mu)],
      },
      hidden: true,
      expect: 'the scale-down target uses the scale-down (W, L) pair',
    },
    {
      case: {
        name: 'hidden: a long run with an engine keeping the counts',
        config: cfg({ initialReplicaTokenThroughput: mu, stabilizationDelay: 20 }),
        calls: engineLikeCalls(cfg({ initialReplicaTokenThroughput: mu, stabilizationDelay: 20 }), rng, 40),
      },
      hidden: true,
      expect: 'every decision of a 200 s run, with scale-ups landing two calls later',
    },
  ];
}

export function checkTuneCase(c: TuneCase, r: TuneCaseResult | undefined, showInputs: boolean): string[] {
  if (r === undefined) return ['no result for this case'];
  const want = expectedDeltas(c);
  if (r.envelopeProblems.length > 0) return [`the envelope was asked the wrong thing: ${r.envelopeProblems[0]}`];
  for (let i = 0; i < want.length; i++) {
    const got = r.deltas[i];
    if (got === undefined)
      return [r.error !== undefined ? `call ${i + 1} threw ${r.error}` : `no result for call ${i + 1}`];
    if (got !== want[i]) {
      if (!showInputs) return [`call ${i + 1} of ${want.length} returned ${fmt(got)}, which is wrong`];
      const k = c.calls[i]!;
      return [
        `tune(${k.time}) with numReplicas ${k.numReplicas}, pendingScaleUps ${k.pendingScaleUps}, pendingScaleDowns ${k.pendingScaleDowns}, ` +
          `scale-up rate ${k.upRate}, scale-down rate ${k.downRate}, μ ${c.config.initialReplicaTokenThroughput} returned ${fmt(got)}; expected ${want[i]}`,
      ];
    }
  }
  return r.error !== undefined ? [`threw ${r.error}`] : [];
}
