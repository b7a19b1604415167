/**
 * The autoscaling lab's unit probes: the routers, the envelope, the throughput EMA and tune(). Each
 * probe drives the lab module it is given (the student's in the child, the reference's in the parent)
 * and returns what it observed; expected values are the reference's. The routers' right answers may
 * differ (where a rotation starts, which of two equally loaded replicas gets a request), so their
 * probes check the routing rules instead of the reference's choices.
 */
import { z } from 'zod';
import { Batch } from '../../../sim/entities/batch.js';
import { Request } from '../../../sim/entities/request.js';
import type { ReplicaView } from '../../../sim/policies/router/router.js';
import { Rng } from '../../../sim/workload/rng.js';
import { finiteOrNull as num, firstWrong, showNumber as show, type Probe, type ProbeSet } from '../../kit/probes.js';
import { decodeReadProblem, queueRequest, replicaView, routingRuleProblems } from '../../kit/router-probe.js';
import { Assignments, scheduleCall } from '../../kit/router-session.js';
import type { InferlineConfig } from './schemas.js';
import type { AutoscalingModule as M, Envelope } from './student.js';

const request = (id: number, arrivedAt: number, numPrefillTokens: number, numDecodeTokens = 1) =>
  new Request({ id, arrivedAt, numPrefillTokens, numDecodeTokens });

// ---- routers ------------------------------------------------------------------------------------

/** A replica as [id, waiting, running]. */
type Replica = readonly [number, number, number];
/**
 * One call: the cluster as it is now (replicas gone since the last call were freed, and the router is
 * told, as the engine does), the replicas the engine marks, the requests that arrive, then the call:
 * schedule(), or markReplicaToFree() for a victim (no arrivals).
 */
const step = (replicas: Replica[], arrivals: number, mark: number[] = []) => ({
  replicas,
  mark,
  arrivals,
  victim: false,
});
const victim = (replicas: Replica[], mark: number[] = []) => ({ ...step(replicas, 0, mark), victim: true });
type Step = ReturnType<typeof step>;
const r = (id: number, waiting: number, running: number): Replica => [id, waiting, running];
const idle = (...ids: number[]): Replica[] => ids.map((id) => r(id, 0, 0));

/** Per call: schedule()'s assignments, markReplicaToFree()'s answer, replicasToFree after the call (ascending), and the decode-length reads so far. */
const RouterObservation = z.array(
  z.object({
    assignments: Assignments,
    victim: z.number().nullable().optional(),
    marked: z.array(z.number()),
    decodeTokenReads: z.number(),
  }),
);

function runRouter(m: M, kind: 'round-robin' | 'lor', steps: readonly Step[], seed: number) {
  const cluster = { replicas: [] as ReplicaView[] };
  const Router = kind === 'lor' ? m.routers.LorRouter : m.routers.RoundRobinRouter;
  const router = new Router({ cluster, rng: new Rng(seed) });
  const reads = { count: 0 };
  let nextId = 0;
  return steps.map((s, k) => {
    const present = new Set(s.replicas.map((r) => r[0]));
    for (const r of cluster.replicas) if (!present.has(r.replicaId)) router.onReplicaRemoved(r.replicaId);
    cluster.replicas = s.replicas.map((r) => replicaView(...r));
    for (const id of s.mark) router.replicasToFree.add(id);
    for (let i = 0; i < s.arrivals; i++) queueRequest(router, nextId++, k + 1, 256, reads);
    const marked = () => [...router.replicasToFree].map(Number).sort((a, b) => a - b);
    if (s.victim) {
      const v: unknown = router.markReplicaToFree();
      if (v !== null && num(v) === null)
        throw new TypeError(`markReplicaToFree() returned ${String(v)}, not a replica id or null`);
      return { assignments: [], victim: num(v), marked: marked(), decodeTokenReads: reads.count };
    }
    return { assignments: scheduleCall(router, k + 1, num), marked: marked(), decodeTokenReads: reads.count };
  });
}

/**
 * The routing rules, replayed over a router's observations: the rules every router keeps
 * (grader/kit/router-probe.ts), then least outstanding (LOR), or round robin continuing with the
 * routable replica after the previous one in id order (wrapping), also after the set changed; victims
 * with the fewest outstanding among unmarked replicas.
 */
function routerRules(kind: 'round-robin' | 'lor', steps: readonly Step[]) {
  return (_want: unknown, raw: unknown): string | undefined => {
    const parsed = RouterObservation.safeParse(raw);
    if (!parsed.success) return 'the router returned something other than assignments';
    let marked = new Set<number>();
    let queued: number[] = [];
    let nextId = 0;
    let last: number | undefined;
    for (const [i, s] of steps.entries()) {
      const res = parsed.data[i];
      const fail = (problem: string) => `call ${i + 1}: ${problem}`;
      if (res === undefined) return fail('no result');
      const peeked = decodeReadProblem(res.decodeTokenReads);
      if (peeked !== undefined) return fail(peeked);
      marked = new Set([...marked].filter((id) => s.replicas.some((r) => r[0] === id)));
      for (const id of s.mark) marked.add(id);
      for (let k = 0; k < s.arrivals; k++) queued.push(nextId++);
      const routable = s.replicas.filter((r) => !marked.has(r[0])).sort((a, b) => a[0] - b[0]);
      const load = new Map(routable.map((r) => [r[0], r[1] + r[2]]));
      const set = [...load.keys()].join(', ');
      const least = () => Math.min(...load.values());
      if (s.victim) {
        const v = res.victim ?? null;
        if (load.size === 0 && v !== null)
          return fail(`markReplicaToFree() returned ${v} with every replica marked; expected null`);
        if (load.size > 0 && (v === null || !load.has(v)))
          return fail(`markReplicaToFree() returned ${show(v)}, not an unmarked replica (unmarked: ${set})`);
        if (v !== null && load.get(v) !== least())
          return fail(
            `markReplicaToFree() chose replica ${v} with ${load.get(v)} outstanding requests; the fewest among unmarked replicas is ${least()}`,
          );
        if (v !== null) marked.add(v);
        const want = [...marked].sort((a, b) => a - b).join(', ');
        if (res.marked.join(', ') !== want)
          return fail(
            `replicasToFree is [${res.marked.join(', ')}] after markReplicaToFree(); expected [${want}] (${v === null ? 'nothing to add' : 'add the victim'})`,
          );
        continue;
      }
      const call = { queued, replicas: s.replicas.map((r) => r[0]), marked };
      const { problems, assigned } = routingRuleProblems(call, res.assignments);
      if (problems[0] !== undefined) return fail(problems[0]);
      for (const [req, rep] of res.assignments as [number, number][]) {
        if (kind === 'lor') {
          if (load.get(rep) !== least())
            return fail(
              `sent request ${req} to replica ${rep} with ${load.get(rep)} outstanding; replica ${[...load].find(([, l]) => l === least())![0]} had ${least()}`,
            );
          load.set(rep, load.get(rep)! + 1);
          continue;
        }
        const next = last === undefined ? rep : (routable.find((r) => r[0] > last!) ?? routable[0]!)[0];
        if (rep !== next)
          return fail(
            `sent request ${req} to replica ${rep}; the previous request went to ${last}, so round robin over [${set}] continues with ${next}`,
          );
        last = rep;
      }
      queued = queued.filter((id) => !assigned.has(id));
    }
    return undefined;
  };
}

/**
 * A random run of cluster changes, loads, arrivals and calls, as the engine makes them: a marked
 * replica is freed in a later call (the engine frees it once drained), and at least one replica is
 * always routable (the public cases cover none). LOR victim calls get distinct loads, so the victim is
 * known and can be freed later; other calls keep ties, which either tie-break must pass.
 */
export function randomMembership(rng: Rng, lor: boolean): Step[] {
  let nextId = rng.int(0, 3);
  let live = Array.from({ length: rng.int(3, 6) }, () => nextId++);
  const marked = new Set<number>();
  const pick = (ids: readonly number[]) => ids[rng.int(0, ids.length - 1)]!;
  const unmarked = () => live.filter((id) => !marked.has(id));
  return Array.from({ length: rng.int(14, 20) }, () => {
    const roll = rng.next();
    const mark: number[] = [];
    if (roll < 0.25 && (marked.size > 0 || unmarked().length > 1)) {
      const drained = marked.size > 0 && (unmarked().length < 2 || rng.next() < 0.7);
      const gone = pick(drained ? [...marked] : unmarked());
      live = live.filter((id) => id !== gone);
      marked.delete(gone);
    } else if (roll < 0.4) live = [...live, (nextId += rng.int(1, 3))];
    else if (roll < 0.55 && !lor && unmarked().length > 1) mark.push(pick(unmarked()));
    for (const id of mark) marked.add(id);
    const isVictim = lor && unmarked().length > 1 && rng.next() < 0.3;
    const totals = live.map((_, i) => (isVictim ? 2 * i + rng.int(0, 1) : rng.int(0, 9)));
    if (isVictim) rng.shuffle(totals);
    const replicas = live.map((id, i): Replica => {
      const waiting = lor ? rng.int(0, totals[i]!) : 0;
      return [id, waiting, lor ? totals[i]! - waiting : 0];
    });
    if (!isVictim) return step(replicas, rng.int(lor ? 0 : 1, 4), mark);
    const free = replicas.filter((r) => !marked.has(r[0]));
    marked.add(free.reduce((a, b) => (b[1] + b[2] < a[1] + a[2] ? b : a))[0]);
    return victim(replicas, mark);
  });
}

/** A router's public cases by name: what is checked, and the calls. */
type RouterCases = Readonly<Record<string, readonly [expect: string, steps: Step[]]>>;

function routerProbes(kind: 'round-robin' | 'lor', hiddenName: string, hiddenExpect: string, cases: RouterCases) {
  const probe = (name: string, expect: string, steps: Step[], seed?: number): Probe<M> => ({
    ...{ name, expect, hidden: seed !== undefined },
    run: (m) => runRouter(m, kind, steps, seed ?? 0),
    compare: routerRules(kind, steps),
  });
  return (seed: number) => {
    const rng = new Rng(seed).fork(`${kind}-cases`);
    const variants = [1, 2, 3, 4, 5, 6, 7, 8].map((k) =>
      probe(`${hiddenName} (${k})`, hiddenExpect, randomMembership(rng, kind === 'lor'), seed + k),
    );
    return [...Object.entries(cases).map(([name, [expect, steps]]) => probe(name, expect, steps)), ...variants];
  };
}

const roundRobin = routerProbes(
  'round-robin',
  'replicas come, go and get marked between calls',
  'rotation over the routable replicas, never a marked or missing one',
  {
    'rotates over idle replicas, one request per call': [
      'replicas 0, 1, 2; six calls with one new request each: each replica in turn (0 1 2 0 1 2 from wherever you start)',
      Array.from({ length: 6 }, () => step(idle(0, 1, 2), 1)),
    ],
    'skips a replica marked for scale-down': [
      'replica 1 is marked: 5 requests alternate between replicas 0 and 2',
      [step(idle(0, 1, 2), 5, [1])],
    ],
    'cycles over non-contiguous ids': [
      'replicas 3, 7 and 12 (0..2 were removed): requests rotate over them, across calls too',
      [step(idle(3, 7, 12), 4), step(idle(3, 7, 12), 1), step(idle(3, 7, 12), 2)],
    ],
    'continues after the previous replica when the set changes': [
      'replicas 0–3, 2 requests; 1 freed and 5 added, 3 requests; 3 marked, 2 requests: always the next routable id above the previous one (0 1, 2 3 5, 0 2 when starting at 0)',
      [step(idle(0, 1, 2, 3), 2), step(idle(0, 2, 3, 5), 3), step(idle(0, 2, 3, 5), 2, [3])],
    ],
    'routes nothing while every replica is marked': [
      'both replicas marked: no assignment; then replica 2 is added: both queued requests go to it',
      [step(idle(0, 1), 2, [0, 1]), step(idle(0, 1, 2), 0)],
    ],
  },
);

const lor = routerProbes(
  'lor',
  'loads, scale-downs and victims over several calls',
  'least outstanding among routable replicas; victims with the fewest outstanding among unmarked ones',
  {
    'least outstanding, counting waiting and running requests': [
      'outstanding 5, 2, 1: each request goes to a replica with the fewest outstanding, counting those just assigned',
      [step([r(0, 0, 5), r(1, 2, 0), r(2, 0, 1)], 4)],
    ],
    'marks the replica with the fewest outstanding requests, then skips it': [
      'outstanding 3, 1, 4: markReplicaToFree() returns 1 and marks it; 3 new requests avoid replica 1',
      [victim([r(0, 1, 2), r(1, 0, 1), r(2, 0, 4)]), step([r(0, 1, 2), r(1, 0, 1), r(2, 0, 4)], 3)],
    ],
    'picks among unmarked replicas only, null when none is left': [
      'replica 0 (idle) is already marked: the victim is 1; asked again, nothing is left: null',
      [victim([r(0, 0, 0), r(1, 0, 3)], [0]), victim([r(0, 0, 0), r(1, 0, 3)])],
    ],
    'handles non-contiguous ids': [
      'replicas 4, 9, 13 with 2, 3, 0 outstanding: requests fill the least loaded first',
      [step([r(4, 0, 2), r(9, 1, 2), r(13, 0, 0)], 5)],
    ],
  },
);

// ---- envelope -----------------------------------------------------------------------------------

/** [time, prefill, decode] is an arrival, [time, windowSize, lookBackTime, 'q'] a query. */
type Op = readonly [number, number, number] | readonly [number, number, number, 'q'];
const q = (time: number, windowSize: number, lookBackTime: number): Op => [time, windowSize, lookBackTime, 'q'];

function env(name: string, expect: string, ops: readonly Op[], hidden = true): Probe<M> {
  const queries = ops.filter((o) => o.length === 4);
  return {
    ...{ name, expect, hidden },
    run(m) {
      const envelope = new m.envelope.NetworkEnvelope();
      const values: (number | null)[] = [];
      ops.forEach(([time, a, b, query], i) => {
        if (query === undefined) envelope.onRequestArrival(request(i, time, a, b));
        else values.push(num(envelope.getMaxRequestRate(time, a, b)));
      });
      return values;
    },
    compare: firstWrong(
      (i) => (hidden ? 'query' : `getMaxRequestRate(${queries[i]!.slice(0, 3).map(show).join(', ')})`),
      hidden,
    ),
  };
}

/**
 * Random arrivals on a 1/64 s grid (exact in binary), with queries interleaved in time order. The traffic
 * switches between heavy and light phases, so the heaviest windows leave the look-back while queries go on.
 */
function randomOps(rng: Rng, n: number, every: number, burst: boolean, ...pairs: (readonly [number, number])[]) {
  const ops: Op[] = [];
  let [t, queried, heavy, phaseLeft] = [0, false, true, 0];
  for (let i = 0; i < n; i++) {
    if (phaseLeft-- <= 0) [heavy, phaseLeft] = [!heavy, rng.int(20, 150)];
    // Same-instant bursts, but never an arrival at the time of a query already made (the engine
    // delivers every arrival at t before it tunes at t).
    t += burst && !queried && rng.next() < 0.3 ? 0 : rng.int(1, 96) / 64;
    queried = false;
    ops.push([t, heavy ? rng.int(200, 900) : rng.int(1, 60), rng.int(1, 50)]);
    if ((i + 1) % every === 0) {
      const qt = t + (rng.next() < 0.5 ? 0 : rng.int(1, 32) / 64);
      for (const [w, l] of pairs) ops.push(q(qt, w, l));
      [t, queried] = [qt, true];
    }
  }
  return ops;
}

const envelope: ProbeSet<M> = (seed) => {
  const rng = new Rng(seed).fork('envelope-cases');
  // Hidden edge cases are shifted in time and scaled in tokens by the seed; most follow a heavy burst
  // long outside their look-back, which must not count.
  const t0 = 200 + rng.int(0, 64) * 4;
  const k = rng.int(1, 9);
  const at = (t: number, tokens: number, decode = 1): Op => [t0 + t, tokens * k, decode];
  const qt = (t: number, w: number, l: number) => q(t0 + t, w, l);
  const stale: Op[] = Array.from({ length: rng.int(3, 8) }, (_, i) => [rng.int(1, 20) + i, 5000 * k, 1]);
  const edges: Op[][] = [
    [at(12, 100, 20), at(15, 50, 10), qt(20, 30, 10)],
    [at(1, 100), qt(2, -5, 10)],
    [at(5, 40), at(30, 300, 3), qt(30, 10, 60)],
    [...[10, 10, 10, 30, 30, 30].map((t) => at(t, 100)), at(31, 10), qt(60, 20, 55), qt(61, 20, 55)],
    [at(1, 900), at(2, 900), at(9, 10), qt(10, 5, 9.5)],
    [at(96, 200), at(98, 200), qt(100, 10, 50)],
    [...Array.from({ length: 40 }, () => at(50, 60, 4)), ...[50, 100, 129.5, 130, 131].map((t) => qt(t, 20, 80))],
  ];
  return [
    env('an empty envelope gives 0', 'no arrivals: 0', [q(10, 5, 20)], false),
    env('a zero window gives 0', 'windowSize 0: 0', [[1, 100, 1], q(2, 0, 10)], false),
    env(
      'one request inside the look-back',
      '101 tokens at t=10, query t=20, window 10, look-back 15: 101 / 10 = 10.1',
      [[10, 100, 1], q(20, 10, 15)],
      false,
    ),
    env(
      'an arrival at t − L is outside the look-back',
      'the same request, look-back 10: the only window is (10, 20], which excludes t=10: 0',
      [[10, 100, 1], q(20, 10, 10)],
      false,
    ),
    ...(
      [
        ['a window longer than the look-back is clamped to it', 'W > L: treated as W = L', stale],
        ['a negative window gives 0', 'W < 0: 0', []],
        ['an arrival at the query time counts', 'arrival at t is inside the look-back', stale],
        ['bursts on both edges of a window', 'windows are open on the left and closed on the right', stale],
        [
          'the leftmost window holds the maximum',
          'the window (t − L, t − L + W] counts though no arrival ends it',
          stale,
        ],
        ['no partial windows', 'arrivals only in the last 4 s of a 10 s window: divide by 10, not by 4', []],
        ['many requests at one instant, queried as time passes', 'in view until it leaves the look-back, then 0', []],
      ] as const
    ).map(([name, expect, before], i) => env(name, expect, [...before, ...edges[i]!])),
    env('random traffic, one (W, L) pair', 'the definition on every query', randomOps(rng, 400, 7, false, [8, 40])),
    env('bursty traffic, two (W, L) pairs interleaved', 'the definition on every query of both pairs', [
      ...randomOps(rng, 1500, 11, true, [5, 30], [20, 120]),
    ]),
    env('long run with look-backs of different lengths', 'the definition, also for the longest look-back', [
      ...randomOps(rng, 3000, 25, true, [2, 10], [10, 200], [50, 60]),
    ]),
  ];
};

// ---- throughput EMA -----------------------------------------------------------------------------

/** An envelope that sees nothing (the EMA probes never call tune()). */
const silent: Envelope = { onRequestArrival() {}, getMaxRequestRate: () => 0 };

/** A finished batch: its requests' tokens, when it was scheduled and when it completed. */
type EmaBatch = readonly [tokens: readonly number[], scheduledAt: number, completedAt: number];

function ema(name: string, expect: string, alpha: number, initial: number, batches: EmaBatch[], hidden = true) {
  const about = ([tokens, from, to]: EmaBatch) =>
    ` (batch of ${tokens.reduce((s, t) => s + t, 0)} tokens from t=${from} to ${to}, α ${alpha})`;
  return {
    ...{ name, expect, hidden },
    run(m: M) {
      const { InferlineAutoscaler, INFERLINE_CONFIG } = m.inferline;
      const config = { ...INFERLINE_CONFIG, throughputAlpha: alpha, initialReplicaTokenThroughput: initial };
      const autoscaler = new InferlineAutoscaler(config, silent);
      const values = [num(autoscaler.replicaTokenThroughput)];
      let id = 0;
      for (const [tokens, from, to] of batches) {
        const requests = tokens.map((t) => request(id++, from, t));
        const batch = new Batch(0, requests, [...tokens]);
        [batch.scheduledAt, batch.completedAt, batch.duration] = [from, to, to - from];
        autoscaler.onBatchEnd?.(batch, to);
        values.push(num(autoscaler.replicaTokenThroughput));
      }
      return values;
    },
    compare: firstWrong((i) => {
      if (i === 0) return 'replicaTokenThroughput before any batch';
      return `replicaTokenThroughput after batch ${i}${hidden ? '' : about(batches[i - 1]!)}`;
    }, hidden),
  } satisfies Probe<M>;
}

const throughputEma: ProbeSet<M> = (seed) => {
  const rng = new Rng(seed).fork('ema-cases');
  const randomBatches = (count: number) => {
    let t = rng.int(0, 100);
    return Array.from({ length: count }, (): EmaBatch => {
      const size = rng.int(1, 16);
      const start = t + rng.int(0, 20) / 8;
      t = start + rng.int(1, 64) / 32;
      return [Array.from({ length: size }, () => rng.int(1, 512)), start, t];
    });
  };
  return [
    ema(
      'one batch (the handout example)',
      '225 tokens in 10 s, α 0.5, μ₀ 1: 0.5 × 22.5 + 0.5 × 1 = 11.75',
      0.5,
      1,
      [[[100, 50, 75], 0, 10]],
      false,
    ),
    ema(
      'two batches',
      'μ₀ 1234; 1024 tokens in 0.5 s: 0.5 × 2048 + 0.5 × 1234 = 1641; then 100 tokens in 0.25 s: 0.5 × 400 + 0.5 × 1641 = 1020.5',
      0.5,
      1234,
      [
        [[256, 256, 256, 256], 5, 5.5],
        [[100], 6, 6.25],
      ],
      false,
    ),
    ema('another weight', 'μ ← α · rate + (1 − α) · μ with α = 0.25', 0.25, 800, [[[256, 256], 3, 3.25]]),
    ema('α = 1 keeps only the last batch', "μ = the last batch's rate", 1, 5, randomBatches(3)),
    ema('a run of batches, α 0.1', 'the average after each batch', 0.1, rng.int(1, 5000), randomBatches(8)),
    ema('a run of batches, α 0.7', 'the average after each batch', 0.7, 1, randomBatches(6)),
  ];
};

// ---- tune ---------------------------------------------------------------------------------------

type TuneConfig = Omit<InferlineConfig, 'tuneInterval' | 'throughputAlpha'>;

/** One tune() call: the state passed in, and what the stand-in envelope answers for each (W, L) pair. */
const call = (time: number, numReplicas: number, ups: number, downs: number, upRate: number, downRate = upRate) =>
  ({ time, numReplicas, pendingScaleUps: ups, pendingScaleDowns: downs, upRate, downRate }) as const;
type TuneCall = ReturnType<typeof call>;

/**
 * A case's calls: fixed, or made by an engine from the decisions so far (engineLike), so the counts
 * passed in follow what this autoscaler returned.
 */
type Calls = readonly TuneCall[] | ((deltas: readonly number[]) => TuneCall | undefined);

const TuneObservation = z.object({ deltas: z.array(z.number().nullable()), envelopeProblems: z.array(z.string()) });

function runTune(m: M, cfg: TuneConfig, calls: Calls) {
  const next = typeof calls === 'function' ? calls : (deltas: readonly number[]) => calls[deltas.length];
  const deltas: number[] = [];
  const got: (number | null)[] = [];
  const problems: string[] = [];
  let now: TuneCall | undefined;
  // Answers for the config's two (W, L) pairs at the current call's time; any other question is noted.
  const envelope: Envelope = {
    onRequestArrival() {},
    getMaxRequestRate(time, windowSize, lookBackTime) {
      if (now === undefined) return 0;
      if (time !== now.time) problems.push(`call at t=${now.time}: asked the envelope about time ${time}`);
      if (windowSize === cfg.minWindowSizeScaleUp && lookBackTime === cfg.lookBackTimeScaleUp) return now.upRate;
      if (windowSize === cfg.minWindowSizeScaleDown && lookBackTime === cfg.lookBackTimeScaleDown) return now.downRate;
      problems.push(
        `call at t=${now.time}: asked the envelope about windowSize ${windowSize}, lookBackTime ${lookBackTime}, neither the scale-up nor the scale-down pair of the config`,
      );
      return 0;
    },
  };
  const autoscaler = new m.inferline.InferlineAutoscaler({ ...m.inferline.INFERLINE_CONFIG, ...cfg }, envelope);
  for (now = next(deltas); now !== undefined; now = next(deltas)) {
    const { time, numReplicas, pendingScaleUps, pendingScaleDowns } = now;
    const delta = num(autoscaler.tune(time, Object.freeze({ numReplicas, pendingScaleUps, pendingScaleDowns })));
    got.push(delta);
    deltas.push(delta ?? 0);
  }
  return { deltas: got, envelopeProblems: problems.slice(0, 5) };
}

function tuneProbe(name: string, expect: string, cfg: TuneConfig, calls: Calls, hidden = true): Probe<M> {
  return {
    ...{ name, expect, hidden },
    run: (m) => runTune(m, cfg, calls),
    compare(want, raw) {
      const got = TuneObservation.safeParse(raw);
      if (!got.success) return 'the probe returned something other than decisions';
      const [problem] = got.data.envelopeProblems;
      if (problem !== undefined) return `the envelope was asked the wrong thing: ${problem}`;
      const w = TuneObservation.parse(want).deltas;
      const i = w.findIndex((d, k) => d !== got.data.deltas[k]);
      const [k, delta] = [typeof calls === 'function' ? undefined : calls[i], show(got.data.deltas[i])];
      if (i < 0) return undefined;
      if (hidden || k === undefined) return `call ${i + 1} of ${w.length} returned ${delta}, which is wrong`;
      return (
        `tune(${k.time}) with numReplicas ${k.numReplicas}, pendingScaleUps ${k.pendingScaleUps}, pendingScaleDowns ${k.pendingScaleDowns}, ` +
        `scale-up rate ${k.upRate}, scale-down rate ${k.downRate}, μ ${cfg.initialReplicaTokenThroughput} returned ${delta}; expected ${w[i]}`
      );
    },
  };
}

/** 40 calls 5 s apart: the rate's level wanders; scale-ups land two calls later, scale-downs at once. */
function engineLike(rng: Rng, mu: number): Calls {
  const start = rng.int(1, 4);
  let level = rng.int(1, 6) * mu;
  const rates = Array.from({ length: 40 }, () => {
    if (rng.next() < 0.25) level = Math.max(0, level + (rng.int(-3, 3) * mu) / 2);
    return [level * (1 + rng.int(0, 4) / 8), level * (1 - rng.int(0, 3) / 8)] as const;
  });
  return (deltas) => {
    const i = deltas.length;
    if (i >= rates.length) return undefined;
    let replicas = start;
    const landing: number[] = [];
    deltas.forEach((d, j) => {
      if (d > 0) for (let n = 0; n < d; n++) landing.push(j + 2);
      else replicas += d;
      for (; landing.length > 0 && landing[0]! <= j + 1; landing.shift()) replicas++;
    });
    return call(5 * (i + 1), replicas, landing.length, 0, rates[i]![0], rates[i]![1]);
  };
}

const HANDOUT_CONFIG: TuneConfig = {
  ...{ minWindowSizeScaleUp: 5, lookBackTimeScaleUp: 60, minWindowSizeScaleDown: 20, lookBackTimeScaleDown: 120 },
  ...{ stabilizationDelay: 30, initialReplicaTokenThroughput: 30, minReplicas: 1, maxReplicas: 64 },
};

/** Cases by name: what is checked, the calls, and what the case's config changes. */
type TuneCases = Readonly<Record<string, readonly [expect: string, calls: Calls, over?: Partial<TuneConfig>]>>;

const tune: ProbeSet<M> = (seed) => {
  const rng = new Rng(seed).fork('tune-cases');
  const mu = rng.int(2, 9) * 10; // hidden cases: another throughput, so hard-coded answers fail
  const handout: TuneCases = {
    'scale up, then wait (the handout example)': [
      'rate 100 tok/s, μ 30, 1 replica: +3; at once again (3 pending): 0; rate drops within the stabilisation delay: 0',
      [call(5, 1, 0, 0, 100), call(10, 1, 3, 0, 100), call(15, 4, 0, 0, 20)],
    ],
    'scale down once the stabilisation delay has passed': [
      'scale-up at t=5; at t=15 (10 s later) 0; at t=40 (35 s ≥ 30 s later) down to ceil(20 / 30) = 1: −3',
      [call(5, 1, 0, 0, 100), call(15, 4, 0, 0, 20), call(40, 4, 0, 0, 20)],
    ],
  };
  const hidden: TuneCases = {
    'pending scale-ups are counted once': [
      'effective = replicas + pending scale-ups − pending scale-downs, from the state passed in, nothing kept on the side',
      [call(5, 2, 1, 0, 4 * mu), call(10, 2, 1, 0, 4 * mu), call(100, 2, 1, 0, 2.5 * mu), call(105, 3, 0, 0, 2.5 * mu)],
    ],
    'pending scale-downs are counted': [
      'marked replicas are still counted in numReplicas and their scale-downs are pending',
      [call(5, 5, 0, 2, 3.5 * mu), call(10, 5, 0, 2, 4 * mu), call(60, 4, 0, 1, 1.5 * mu)],
    ],
    'exact multiples and ceil': [
      'ceil(rate / μ): 3μ → 3, 3μ + ε → 4',
      [call(5, 1, 0, 0, 3 * mu), call(50, 3, 0, 0, 3 * mu), call(100, 3, 0, 0, 3 * mu + 0.5)],
    ],
    'targets are clamped to [minReplicas, maxReplicas]': [
      'up to maxReplicas only; down to minReplicas only',
      [call(5, 2, 0, 0, 40 * mu), call(10, 6, 0, 0, 0), call(60, 6, 0, 0, 0)],
      { minReplicas: 2, maxReplicas: 6 },
    ],
    'μ ≤ 0 gives 0': [
      'no decision',
      [call(5, 1, 0, 0, 500), call(10, 3, 0, 0, 0)],
      { initialReplicaTokenThroughput: 0 },
    ],
    'scale-up wins over a lower scale-down target': ['scale-up first', [call(5, 2, 0, 0, 5 * mu, 0.5 * mu)]],
    'no scale-up yet, so no stabilisation wait': ['scale down at once', [call(5, 4, 0, 0, 1.5 * mu)]],
    'the delay runs from the latest scale-up': [
      'scale-ups at t=5 and t=25: at t=40 (15 s after the latest) 0, at t=55 down',
      [call(5, 1, 0, 0, 2 * mu), call(25, 2, 0, 0, 3 * mu), call(40, 3, 0, 0, mu), call(55, 3, 0, 0, mu)],
      { stabilizationDelay: 30 },
    ],
    'separate windows for scaling up and down': [
      'the scale-down target uses the scale-down (W, L) pair',
      [call(5, 3, 0, 0, 2 * mu, 3 * mu), call(10, 3, 0, 0, 2 * mu, 1.2 * mu)],
      { minWindowSizeScaleUp: 7, lookBackTimeScaleUp: 35, minWindowSizeScaleDown: 45, lookBackTimeScaleDown: 300 },
    ],
    'a long run with an engine keeping the counts': [
      'every decision of a 200 s run, with scale-ups landing two calls later',
      engineLike(rng, mu),
      { stabilizationDelay: 20 },
    ],
  };
  return [
    ...Object.entries(handout).map(([name, [expect, calls]]) => tuneProbe(name, expect, HANDOUT_CONFIG, calls, false)),
    ...Object.entries(hidden).map(([name, [expect, calls, over]]) =>
      tuneProbe(name, expect, { ...HANDOUT_CONFIG, initialReplicaTokenThroughput: mu, ...over }, calls),
    ),
  ];
};

/** Every unit item's probes, by item id. */
export const PROBES: Readonly<Record<string, ProbeSet<M>>> = {
  'round-robin': roundRobin,
  lor,
  envelope,
  'throughput-ema': throughputEma,
  tune,
};
