/**
 * The unit cases of the fairness lab: hand-built situations, one rubric item per student method,
 * and what the servelab rules (labs/fairness/README.md) say must happen in each. Every item has the
 * public cases of the handout plus hidden variants drawn from the hidden seed (other client ids,
 * counters, sizes and weights), so a solution tuned to the public numbers does not pass.
 *
 * Expectations are worked out by hand for each situation and live here, in the parent: the child
 * only runs the calls (situation.ts).
 */
import { Rng } from '../../../sim/workload/rng.js';
import type {
  SituationRequest,
  StateSnapshot,
  UnitCase,
  UnitCaseResult,
  UnitAction,
  Situation,
  ActionResult,
} from './protocol.js';

export const UNIT_ITEMS = [
  'cost-prefill',
  'cost-decode',
  'vtc-arrival',
  'vtc-batch-completion',
  'vtc-select',
  'vtc-next-batch',
  'sarathi-batch-completion',
  'sarathi-select',
  'sarathi-next-batch',
] as const;
export type UnitItemId = (typeof UNIT_ITEMS)[number];

/** What must hold after the case's last call. Unlisted counters must keep their initial value (0 if none). */
export interface Expectation {
  readonly value?: number;
  readonly counters?: Readonly<Record<number, number>>;
  /** The batch as [id, tokens]; `ordered`: in this order (admissions), else any order (decodes). null: no batch. */
  readonly batch?: { readonly entries: readonly (readonly [number, number])[]; readonly ordered: boolean } | null;
  /** Exactly these entries first, in this order, then `rest` in any order. */
  readonly selection?: { readonly id: number; readonly index: number; readonly isRunningPrefill?: boolean } | null;
  readonly waiting?: readonly number[];
  readonly last?: number | null;
  readonly blocks?: Readonly<Record<number, number>>;
  /** The call must leave queues and counters as they were (selection is read-only). */
  readonly unchanged?: boolean;
}

export interface UnitExpectation {
  readonly case: UnitCase;
  /** Shown to students: what the case sets up and what must happen. */
  readonly expect: string;
  readonly want: Expectation;
  readonly hidden: boolean;
}

// ---- building blocks ------------------------------------------------------------------------

type Req = SituationRequest;
const waiting = (id: number, client: number, prefill: number, decode = 50, extra: Partial<Req> = {}): Req => ({
  id,
  client,
  arrivedAt: id * 0.01,
  prefill,
  decode,
  at: 'waiting',
  ...extra,
});
const running = (id: number, client: number, prefill: number, processed: number, decode = 200): Req => ({
  id,
  client,
  arrivedAt: id * 0.01,
  prefill,
  decode,
  at: 'running',
  processed,
});
/** A request decoding: prompt done, `generated` output tokens so far. */
const decoding = (id: number, client: number, prefill = 100, generated = 5, decode = 200): Req =>
  running(id, client, prefill, prefill + generated, decode);

const vtc = (s: Omit<Situation, 'scheduler'>): Situation => ({ scheduler: 'vtc', ...s });
const sarathi = (s: Omit<Situation, 'scheduler'>): Situation => ({ scheduler: 'vtc-sarathi', ...s });
const counters = (o: Record<number, number>): [number, number][] => Object.entries(o).map(([c, v]) => [Number(c), v]);

function clientPool(rng: Rng, n: number): number[] {
  return rng.shuffle(Array.from({ length: 10 }, (_, i) => i)).slice(0, n);
}

/** The VTC admission order for requests that all fit: repeatedly the smallest counter (ties: lower id), charged as admitted. */
function admissionOrder(
  queues: Map<number, { id: number; tokens: number }[]>,
  start: Map<number, number>,
  weight: (c: number) => number,
): { order: [number, number][]; counters: Map<number, number> } {
  const c = new Map(start);
  const q = new Map([...queues].map(([k, v]) => [k, [...v]]));
  const order: [number, number][] = [];
  for (;;) {
    let best: number | undefined;
    for (const [client, list] of q) {
      if (list.length === 0) continue;
      if (
        best === undefined ||
        (c.get(client) ?? 0) < (c.get(best) ?? 0) ||
        ((c.get(client) ?? 0) === (c.get(best) ?? 0) && client < best)
      )
        best = client;
    }
    if (best === undefined) break;
    const r = q.get(best)!.shift()!;
    order.push([r.id, r.tokens]);
    c.set(best, (c.get(best) ?? 0) + r.tokens / weight(best));
  }
  return { order, counters: c };
}

// ---- items ----------------------------------------------------------------------------------

function costPrefill(rng: Rng): UnitExpectation[] {
  const one = (tokens: number, hidden: boolean): UnitExpectation => ({
    case: { name: `prefill cost of ${tokens} tokens`, situation: null, actions: [{ kind: 'cost-prefill', tokens }] },
    expect: `getPrefillTokenServiceCost(${tokens}) = ${tokens}`,
    want: { value: tokens },
    hidden,
  });
  return [one(100, false), one(1, false), one(rng.int(2, 999), true), one(rng.int(1000, 4000), true), one(0, true)];
}

function costDecode(rng: Rng): UnitExpectation[] {
  const req = (p: number, d: number, hidden: boolean): UnitExpectation => ({
    case: {
      name: `service cost of a ${p}/${d} request`,
      situation: null,
      actions: [{ kind: 'cost-request', prefill: p, decode: d }],
    },
    expect: `getServiceCost(${p}, ${d}) = ${p + 2 * d}`,
    want: { value: p + 2 * d },
    hidden,
  });
  return [
    {
      case: { name: 'decode token cost', situation: null, actions: [{ kind: 'cost-decode' }] },
      expect: 'getDecodeTokenServiceCost() = 2',
      want: { value: 2 },
      hidden: false,
    },
    req(100, 10, false),
    req(rng.int(1, 3000), rng.int(1, 1000), true),
    req(rng.int(1, 50), rng.int(500, 2000), true),
    req(0, 1, true),
  ];
}

function arrive(id: number, client: number): UnitAction {
  return { kind: 'arrive', request: { id, client, arrivedAt: 5, prefill: 100, decode: 20 } };
}

function vtcArrival(rng: Rng): UnitExpectation[] {
  const out: UnitExpectation[] = [
    {
      case: {
        name: 'lift to the smallest waiting counter',
        situation: vtc({
          numBlocks: 1000,
          counters: counters({ 0: 50, 1: 80 }),
          requests: [waiting(0, 0, 100), waiting(1, 1, 100)],
        }),
        actions: [arrive(2, 2)],
      },
      expect: 'clients 0 (counter 50) and 1 (80) are waiting; client 2 (counter 0) arrives → its counter becomes 50',
      want: { counters: { 2: 50 } },
      hidden: false,
    },
    {
      case: {
        name: 'nobody waiting: lift to the last client scheduled',
        situation: vtc({ numBlocks: 1000, counters: counters({ 0: 10, 1: 90 }), lastClientScheduled: 1, requests: [] }),
        actions: [arrive(0, 0)],
      },
      expect: 'nobody is waiting, client 1 (counter 90) was the last scheduled; client 0 (counter 10) arrives → 90',
      want: { counters: { 0: 90 } },
      hidden: false,
    },
  ];
  const [a, b, c, x] = clientPool(rng, 4) as [number, number, number, number];
  const [c1, c2, c3] = [rng.int(100, 300), rng.int(400, 600), rng.int(700, 900)];
  const three = (own: number) =>
    vtc({
      numBlocks: 1000,
      counters: counters({ [a]: c2, [b]: c1, [c]: c3, [x]: own }),
      requests: [waiting(0, a, 100), waiting(1, c, 100), waiting(2, b, 100), waiting(3, a, 100)],
    });
  const own1 = rng.int(0, 90);
  out.push({
    case: { name: 'lift to the minimum of three waiting clients', situation: three(own1), actions: [arrive(4, x)] },
    expect:
      'three clients waiting with different counters; a client below all of them arrives → lifted to the smallest (not the largest)',
    want: { counters: { [x]: c1 } },
    hidden: true,
  });
  const own2 = rng.int(c1 + 1, c2 - 1);
  out.push({
    case: { name: 'never lowered', situation: three(own2), actions: [arrive(4, x)] },
    expect: "the arriving client's counter is already above the smallest waiting counter → unchanged",
    want: { counters: { [x]: own2 } },
    hidden: true,
  });
  const [sa, sb] = [rng.int(5, 40), rng.int(100, 200)];
  out.push({
    case: {
      name: 'no lift while the client has a request waiting',
      situation: vtc({
        numBlocks: 1000,
        counters: counters({ [a]: sa, [b]: sb }),
        requests: [waiting(0, b, 100), waiting(1, a, 100)],
      }),
      actions: [arrive(2, a)],
    },
    expect: 'the arriving client already has a waiting request → its counter is unchanged',
    want: { counters: { [a]: sa } },
    hidden: true,
  });
  const [ra, rb] = [rng.int(5, 40), rng.int(100, 200)];
  out.push({
    case: {
      name: 'running requests do not count as waiting',
      situation: vtc({
        numBlocks: 1000,
        counters: counters({ [a]: ra, [b]: rb }),
        requests: [decoding(0, a), waiting(1, b, 100)],
      }),
      actions: [arrive(2, x)],
    },
    expect:
      "one client only has a running request (small counter), another is waiting → lifted to the waiting client's counter",
    want: { counters: { [x]: rb } },
    hidden: true,
  });
  const [la, lb] = [rng.int(0, 50), rng.int(100, 500)];
  out.push({
    case: {
      name: 'empty queue: lift to the last client scheduled',
      situation: vtc({
        numBlocks: 1000,
        counters: counters({ [a]: la, [b]: lb, [c]: lb + 300 }),
        lastClientScheduled: b,
        requests: [decoding(0, c)],
      }),
      actions: [arrive(1, a)],
    },
    expect:
      "nobody is waiting (one request running); the arriving client is lifted to the last scheduled client's counter, not to the largest",
    want: { counters: { [a]: lb } },
    hidden: true,
  });
  out.push({
    case: {
      name: 'empty queue, the last client scheduled is the arriving one',
      situation: vtc({
        numBlocks: 1000,
        counters: counters({ [a]: la, [b]: lb }),
        lastClientScheduled: a,
        requests: [],
      }),
      actions: [arrive(0, a)],
    },
    expect: 'nobody is waiting and the arriving client was itself the last scheduled → unchanged',
    want: { counters: { [a]: la } },
    hidden: true,
  });
  out.push({
    case: {
      name: 'empty queue, nobody scheduled yet',
      situation: vtc({ numBlocks: 1000, counters: counters({ [b]: lb }), requests: [] }),
      actions: [arrive(0, a)],
    },
    expect: 'nobody is waiting and no client has been scheduled yet → a new client stays at 0',
    want: { counters: { [a]: 0 } },
    hidden: true,
  });
  out.push({
    case: {
      name: 'empty queue, never lowered',
      situation: vtc({
        numBlocks: 1000,
        counters: counters({ [a]: lb + 50, [b]: lb }),
        lastClientScheduled: b,
        requests: [],
      }),
      actions: [arrive(0, a)],
    },
    expect: 'nobody is waiting; the arriving client is already above the last scheduled client → unchanged',
    want: { counters: { [a]: lb + 50 } },
    hidden: true,
  });
  return out;
}

function vtcBatchCompletion(rng: Rng, kind: 'vtc' | 'vtc-sarathi'): UnitExpectation[] {
  const make = kind === 'vtc' ? vtc : sarathi;
  const out: UnitExpectation[] = [];
  if (kind === 'vtc') {
    out.push(
      {
        case: {
          name: 'weights divide the decode charge',
          situation: make({
            numBlocks: 1000,
            clientWeights: [1, 2],
            counters: counters({ 0: 10, 1: 10 }),
            requests: [decoding(0, 0), decoding(1, 1)],
          }),
          actions: [
            {
              kind: 'batch-end',
              batch: [
                [0, 1],
                [1, 1],
              ],
            },
          ],
        },
        expect: 'clients 0 (weight 1) and 1 (weight 2) each decode one token → +2 and +1',
        want: { counters: { 0: 12, 1: 11 } },
        hidden: false,
      },
      {
        case: {
          name: 'a prefill batch charges only the first output token',
          situation: make({
            numBlocks: 1000,
            counters: counters({ 0: 300, 1: 500 }),
            requests: [running(0, 0, 300, 0), running(1, 1, 200, 0)],
          }),
          actions: [
            {
              kind: 'batch-end',
              batch: [
                [0, 300],
                [1, 200],
              ],
            },
          ],
        },
        expect:
          'two prompts (already charged at admission) finish their prefill; each produced its first token → +2 each',
        want: { counters: { 0: 302, 1: 502 } },
        hidden: false,
      },
    );
    const [a, b, c] = clientPool(rng, 3) as [number, number, number];
    const [k, m] = [rng.int(3, 7), rng.int(1, 3)];
    const reqs: Req[] = [];
    for (let i = 0; i < k; i++) reqs.push(decoding(reqs.length, a));
    for (let i = 0; i < m; i++) reqs.push(decoding(reqs.length, b));
    reqs.push(decoding(reqs.length, c)); // running, not in the batch
    out.push({
      case: {
        name: 'every decode token is charged',
        situation: make({ numBlocks: 2000, requests: reqs }),
        actions: [{ kind: 'batch-end', batch: reqs.slice(0, k + m).map((r) => [r.id, 1]) }],
      },
      expect:
        'one client decodes several requests, another fewer, a third is running but not in the batch → +2 per token, nothing for the third',
      want: { counters: { [a]: 2 * k, [b]: 2 * m } },
      hidden: true,
    });
    const weights = Array<number>(10).fill(1);
    const [wa, wb] = [rng.int(2, 5), 0.5];
    weights[a] = wa;
    weights[b] = wb;
    out.push({
      case: {
        name: 'weighted decode charges',
        situation: make({
          numBlocks: 2000,
          clientWeights: weights,
          counters: counters({ [a]: 100, [b]: 100, [c]: 100 }),
          requests: [decoding(0, a), decoding(1, a), decoding(2, b), decoding(3, c)],
        }),
        actions: [
          {
            kind: 'batch-end',
            batch: [
              [0, 1],
              [1, 1],
              [2, 1],
              [3, 1],
            ],
          },
        ],
      },
      expect: 'weights w, 0.5 and 1 → +2·tokens/weight',
      want: { counters: { [a]: 100 + 4 / wa, [b]: 100 + 2 / wb, [c]: 102 } },
      hidden: true,
    });
    out.push({
      case: {
        name: 'the last token is charged once',
        situation: make({ numBlocks: 2000, counters: counters({ [a]: 40 }), requests: [decoding(0, a, 100, 19, 20)] }),
        actions: [{ kind: 'batch-end', batch: [[0, 1]] }],
      },
      expect: 'a request produces its last output token and finishes → +2, nothing extra for finishing',
      want: { counters: { [a]: 42 } },
      hidden: true,
    });
    const [p1, p2] = [rng.int(50, 500), rng.int(50, 500)];
    out.push({
      case: {
        name: 'weighted prefill batch',
        situation: make({
          numBlocks: 2000,
          clientWeights: weights,
          counters: counters({ [a]: p1, [b]: p2 }),
          requests: [running(0, a, p1, 0), running(1, b, p2, 0)],
        }),
        actions: [
          {
            kind: 'batch-end',
            batch: [
              [0, p1],
              [1, p2],
            ],
          },
        ],
      },
      expect: 'a prefill batch of two weighted clients → each +2/weight for its first token only',
      want: { counters: { [a]: p1 + 2 / wa, [b]: p2 + 2 / wb } },
      hidden: true,
    });
    return out;
  }
  out.push({
    case: {
      name: 'mixed batch: decodes, an unfinished chunk, a last chunk',
      situation: make({
        numBlocks: 1000,
        counters: counters({ 0: 100, 1: 100, 2: 100 }),
        requests: [decoding(0, 0), decoding(1, 0), running(2, 1, 1000, 200), running(3, 2, 1000, 700)],
      }),
      actions: [
        {
          kind: 'batch-end',
          batch: [
            [0, 1],
            [1, 1],
            [2, 300],
            [3, 300],
          ],
        },
      ],
    },
    expect:
      "client 0 decodes 2 tokens (+4); client 1's chunk leaves its prompt unfinished (+0); client 2's chunk finishes its prompt and yields the first token (+2)",
    want: { counters: { 0: 104, 1: 100, 2: 102 } },
    hidden: false,
  });
  const [a, b, c] = clientPool(rng, 3) as [number, number, number];
  const weights = Array<number>(10).fill(1);
  const wb = rng.int(2, 4);
  weights[b] = wb;
  const [pa, pb] = [rng.int(600, 2000), rng.int(600, 2000)];
  const doneA = rng.int(100, pa - 300);
  const restB = rng.int(50, 400);
  out.push({
    case: {
      name: 'weighted mixed batch',
      situation: make({
        numBlocks: 2000,
        clientWeights: weights,
        counters: counters({ [a]: 500, [b]: 500, [c]: 500 }),
        requests: [
          decoding(0, c),
          running(1, a, pa, doneA),
          running(2, b, pb, pb - restB),
          decoding(3, b),
          decoding(4, c),
        ],
      }),
      actions: [
        {
          kind: 'batch-end',
          batch: [
            [0, 1],
            [3, 1],
            [4, 1],
            [1, 200],
            [2, restB],
          ],
        },
      ],
    },
    expect:
      'decodes of two clients (one weighted), an unfinished chunk and a weighted last chunk → +2/weight per output token only',
    want: { counters: { [a]: 500, [b]: 500 + 4 / wb, [c]: 504 } },
    hidden: true,
  });
  const k = rng.int(2, 5);
  const reqs: Req[] = [];
  for (let i = 0; i < k; i++) reqs.push(decoding(i, a));
  reqs.push(running(k, a, 800, 0));
  out.push({
    case: {
      name: 'first chunk of a long prompt',
      situation: make({ numBlocks: 2000, counters: counters({ [a]: 0 }), requests: reqs }),
      actions: [{ kind: 'batch-end', batch: reqs.map((r, i): [number, number] => [r.id, i < k ? 1 : 512 - k]) }],
    },
    expect:
      'one client decodes k tokens and computes the first chunk of a long prompt → +2k only (the chunk was charged when placed)',
    want: { counters: { [a]: 2 * k } },
    hidden: true,
  });
  out.push({
    case: {
      name: 'a prompt finished in one chunk',
      situation: make({
        numBlocks: 2000,
        clientWeights: weights,
        counters: counters({ [b]: 77 }),
        requests: [running(0, b, 300, 0), running(1, c, 900, 0)],
      }),
      actions: [
        {
          kind: 'batch-end',
          batch: [
            [0, 300],
            [1, 212],
          ],
        },
      ],
    },
    expect: 'a short prompt finishes in its first chunk (+2/weight), a long one does not (+0)',
    want: { counters: { [b]: 77 + 2 / wb } },
    hidden: true,
  });
  return out;
}

function select(rng: Rng): UnitExpectation[] {
  const out: UnitExpectation[] = [
    {
      case: {
        name: 'the head of the smallest counter',
        situation: vtc({
          numBlocks: 1000,
          counters: counters({ 0: 10, 1: 5 }),
          requests: [waiting(0, 1, 100), waiting(1, 0, 100), waiting(2, 1, 100)],
        }),
        actions: [{ kind: 'select' }],
      },
      expect: 'waiting: [client 1, client 0, client 1]; counters 0 → 10, 1 → 5 → request 0 (index 0), nothing changed',
      want: { selection: { id: 0, index: 0 }, unchanged: true },
      hidden: false,
    },
    {
      case: {
        name: 'ties go to the lower client id',
        situation: vtc({
          numBlocks: 1000,
          counters: counters({ 3: 7, 1: 7 }),
          requests: [waiting(0, 3, 100), waiting(1, 1, 100)],
        }),
        actions: [{ kind: 'select' }],
      },
      expect: "clients 3 and 1 both at 7 → client 1's request (index 1)",
      want: { selection: { id: 1, index: 1 }, unchanged: true },
      hidden: false,
    },
  ];
  const [a, b, c, d] = clientPool(rng, 4) as [number, number, number, number];
  const cs = [rng.int(10, 100), rng.int(200, 300), rng.int(400, 500)];
  const order = rng.shuffle([a, b, c, a, b, c]);
  const reqs = order.map((client, i) => waiting(i, client, 100));
  const minClient = [a, b, c][0]!;
  const first = order.indexOf(minClient);
  out.push({
    case: {
      name: 'three clients interleaved',
      situation: vtc({
        numBlocks: 1000,
        counters: counters({ [a]: cs[0]!, [b]: cs[1]!, [c]: cs[2]! }),
        requests: reqs,
      }),
      actions: [{ kind: 'select' }],
    },
    expect: "three clients' requests interleaved → the first waiting request of the smallest counter",
    want: { selection: { id: first, index: first }, unchanged: true },
    hidden: true,
  });
  out.push({
    case: {
      name: 'a restarted request keeps its place at the front',
      situation: vtc({
        numBlocks: 1000,
        counters: counters({ [a]: 5, [b]: 50 }),
        requests: [waiting(3, a, 100, 50, { processed: 110, restarted: true }), waiting(0, b, 100), waiting(1, a, 100)],
      }),
      actions: [{ kind: 'select' }],
    },
    expect: "the smallest client's first request in the queue is a recompute victim at the front → that one",
    want: { selection: { id: 3, index: 0 }, unchanged: true },
    hidden: true,
  });
  out.push({
    case: {
      name: 'only waiting requests compete',
      situation: vtc({
        numBlocks: 1000,
        counters: counters({ [b]: 30, [c]: 20 }),
        requests: [decoding(0, a), waiting(1, b, 100), waiting(2, c, 100)],
      }),
      actions: [{ kind: 'select' }],
    },
    expect: 'a client with counter 0 has only a running request → not selected; the smallest waiting client is',
    want: { selection: { id: 2, index: 1 }, unchanged: true },
    hidden: true,
  });
  out.push({
    case: {
      name: 'empty queue',
      situation: vtc({ numBlocks: 1000, counters: counters({ [a]: 3 }), requests: [decoding(0, a)] }),
      actions: [{ kind: 'select' }],
    },
    expect: 'nothing waiting → undefined',
    want: { selection: null, unchanged: true },
    hidden: true,
  });
  const tie = rng.int(10, 90);
  const tied = [a, b, c].sort((x, y) => y - x);
  out.push({
    case: {
      name: 'three-way tie',
      situation: vtc({
        numBlocks: 1000,
        counters: counters({ [a]: tie, [b]: tie, [c]: tie, [d]: tie + 1 }),
        requests: [waiting(0, d, 100), ...tied.map((client, i) => waiting(i + 1, client, 100))],
      }),
      actions: [{ kind: 'select' }],
    },
    expect: 'three clients tied at the smallest counter → the lowest client id',
    want: { selection: { id: 3, index: 3 }, unchanged: true },
    hidden: true,
  });
  out.push({
    case: {
      name: 'a client never seen',
      situation: vtc({
        numBlocks: 1000,
        counters: counters({ [a]: 40, [b]: 60 }),
        requests: [waiting(0, a, 100), waiting(1, b, 100), waiting(2, d, 100)],
      }),
      actions: [{ kind: 'select' }],
    },
    expect: 'a waiting client with no counter yet counts as 0 → its request',
    want: { selection: { id: 2, index: 2 }, unchanged: true },
    hidden: true,
  });
  return out;
}

function vtcNextBatch(rng: Rng): UnitExpectation[] {
  const out: UnitExpectation[] = [
    {
      case: {
        name: 'admission order follows the counters, charged as admitted',
        situation: vtc({
          numBlocks: 4000,
          counters: counters({ 0: 0, 1: 250 }),
          requests: [
            waiting(0, 0, 300),
            waiting(1, 0, 300),
            waiting(2, 0, 300),
            waiting(3, 1, 300),
            waiting(4, 1, 300),
          ],
        }),
        actions: [{ kind: 'schedule' }],
      },
      expect:
        'client 0 (counter 0) has 3 prompts of 300 tokens, client 1 (250) has 2 → prefill batch [0, 3, 1, 4, 2]; counters 900 and 850; last client scheduled 0',
      want: {
        batch: {
          entries: [
            [0, 300],
            [3, 300],
            [1, 300],
            [4, 300],
            [2, 300],
          ],
          ordered: true,
        },
        counters: { 0: 900, 1: 850 },
        last: 0,
        waiting: [],
      },
      hidden: false,
    },
    {
      case: {
        name: "head of line: the smallest client's request does not fit",
        situation: vtc({
          numBlocks: 50,
          counters: counters({ 0: 0, 1: 100, 2: 400 }),
          requests: [decoding(0, 2, 100, 40), waiting(1, 0, 900), waiting(2, 1, 32)],
        }),
        actions: [{ kind: 'schedule' }],
      },
      expect:
        "client 0 (smallest counter) needs 57 KV blocks, 41 are free; client 1's small prompt would fit but must not skip ahead → a decode batch [0], nobody admitted",
      want: { batch: { entries: [[0, 1]], ordered: false }, counters: { 0: 0, 1: 100, 2: 400 }, waiting: [1, 2] },
      hidden: false,
    },
  ];
  const [a, b, c] = clientPool(rng, 3) as [number, number, number];
  // Random admission order.
  {
    const sizes = [
      rng.int(100, 400),
      rng.int(100, 400),
      rng.int(100, 400),
      rng.int(100, 400),
      rng.int(100, 400),
      rng.int(100, 400),
    ];
    const owners = [a, a, b, b, c, c];
    const reqs = sizes.map((p, i) => waiting(i, owners[i]!, p));
    rng.shuffle(reqs);
    const order = reqs.map((r, i) => ({ ...r, arrivedAt: i * 0.01 }));
    const start = new Map([
      [a, rng.int(0, 300)],
      [b, rng.int(0, 300)],
      [c, rng.int(0, 300)],
    ]);
    const queues = new Map<number, { id: number; tokens: number }[]>([
      [a, []],
      [b, []],
      [c, []],
    ]);
    for (const r of order) queues.get(r.client)!.push({ id: r.id, tokens: r.prefill });
    const { order: admitted, counters: after } = admissionOrder(queues, start, () => 1);
    const lastId = admitted[admitted.length - 1]![0];
    out.push({
      case: {
        name: 'admission order, three clients',
        situation: vtc({ numBlocks: 4000, counters: [...start], requests: order }),
        actions: [{ kind: 'schedule' }],
      },
      expect:
        'three clients with two prompts each and different counters → admitted one at a time by smallest counter, charging each prompt before the next pick',
      want: {
        batch: { entries: admitted, ordered: true },
        counters: Object.fromEntries(after),
        last: order.find((r) => r.id === lastId)!.client,
        waiting: [],
      },
      hidden: true,
    });
  }
  // Head of line with random sizes.
  {
    const free = rng.int(30, 60);
    const big = (free + rng.int(1, 10)) * 16; // needs more blocks than are free
    const reqs = [decoding(0, c, 64, 10), waiting(1, b, 48), waiting(2, a, big), waiting(3, b, 16)];
    const held = Math.ceil(74 / 16);
    out.push({
      case: {
        name: 'head of line, never skip',
        situation: vtc({ numBlocks: free + held, counters: counters({ [a]: 10, [b]: 20, [c]: 5 }), requests: reqs }),
        actions: [{ kind: 'schedule' }],
      },
      expect:
        "the smallest waiting client's prompt does not fit in the free KV blocks; another client's small prompts do → nobody is admitted, the running request decodes",
      want: {
        batch: { entries: [[0, 1]], ordered: false },
        counters: { [a]: 10, [b]: 20, [c]: 5 },
        waiting: [1, 2, 3],
      },
      hidden: true,
    });
  }
  // Padded token limit stops admission.
  {
    const small = rng.int(60, 200);
    const long = rng.int(2100, 3000);
    out.push({
      case: {
        name: 'the padded token limit stops admission',
        situation: vtc({
          numBlocks: 4000,
          counters: counters({ [a]: 50, [b]: 0 }),
          requests: [waiting(0, b, small), waiting(1, a, long), waiting(2, b, small)],
        }),
        actions: [{ kind: 'schedule' }],
      },
      expect: `client b's ${small}-token prompt goes first; then client a's ${long}-token prompt would make the padded batch 2 × ${long} > 4096 → stop (b's next small prompt must not skip ahead)`,
      want: { batch: { entries: [[0, small]], ordered: true }, counters: { [a]: 50, [b]: small }, waiting: [1, 2] },
      hidden: true,
    });
  }
  // Nothing to admit: decode everything, charge nothing now.
  out.push({
    case: {
      name: 'no admission: every running request decodes',
      situation: vtc({
        numBlocks: 2000,
        counters: counters({ [a]: 7, [b]: 9 }),
        requests: [decoding(0, a), decoding(1, b), decoding(2, a)],
      }),
      actions: [{ kind: 'schedule' }],
    },
    expect: 'nothing waiting → one token for every running request; counters untouched until the batch ends',
    want: {
      batch: {
        entries: [
          [0, 1],
          [1, 1],
          [2, 1],
        ],
        ordered: false,
      },
      counters: { [a]: 7, [b]: 9 },
    },
    hidden: true,
  });
  // A recompute victim is re-admitted without a new charge.
  {
    const p = rng.int(100, 300);
    const g = rng.int(5, 30);
    out.push({
      case: {
        name: 'recompute is not charged again',
        situation: vtc({
          numBlocks: 2000,
          counters: counters({ [a]: 500, [b]: 900 }),
          requests: [waiting(0, a, p, 100, { processed: p + g, restarted: true }), waiting(1, b, 100)],
        }),
        actions: [{ kind: 'schedule' }],
      },
      expect:
        'a preempted request comes back (prompt and generated tokens recomputed) → admitted with prompt + generated tokens but its counter unchanged; then the other client (charged)',
      want: {
        batch: {
          entries: [
            [0, p + g],
            [1, 100],
          ],
          ordered: true,
        },
        counters: { [a]: 500, [b]: 1000 },
      },
      hidden: true,
    });
  }
  // Weighted prefill charge.
  {
    const w = rng.int(2, 4);
    const weights = Array<number>(10).fill(1);
    weights[a] = w;
    const p = 100 * rng.int(2, 6);
    out.push({
      case: {
        name: 'weighted prefill charge',
        situation: vtc({
          numBlocks: 2000,
          clientWeights: weights,
          counters: counters({ [a]: 0, [b]: 120 }),
          requests: [waiting(0, a, p), waiting(1, a, p), waiting(2, b, 100)],
        }),
        actions: [{ kind: 'schedule' }],
      },
      expect:
        'a client of weight w is charged prompt/w per admission, so it gets more admissions before the other client',
      want: (() => {
        const { order, counters: after } = admissionOrder(
          new Map([
            [
              a,
              [
                { id: 0, tokens: p },
                { id: 1, tokens: p },
              ],
            ],
            [b, [{ id: 2, tokens: 100 }]],
          ]),
          new Map([
            [a, 0],
            [b, 120],
          ]),
          (cl) => (cl === a ? w : 1),
        );
        return { batch: { entries: order, ordered: true }, counters: Object.fromEntries(after) };
      })(),
      hidden: true,
    });
  }
  // Batch-size cap.
  out.push({
    case: {
      name: 'batch-size cap',
      situation: vtc({
        numBlocks: 2000,
        batchSizeCap: 2,
        counters: counters({ [a]: 1, [b]: 0 }),
        requests: [decoding(0, a), decoding(1, b), waiting(2, b, 50)],
      }),
      actions: [{ kind: 'schedule' }],
    },
    expect: 'batchSizeCap 2 and two requests already hold KV blocks → no admission, the two decode',
    want: {
      batch: {
        entries: [
          [0, 1],
          [1, 1],
        ],
        ordered: false,
      },
      counters: { [a]: 1, [b]: 0 },
      waiting: [2],
    },
    hidden: true,
  });
  // lastClientScheduled only when a client's queue empties.
  {
    const p = rng.int(600, 900);
    out.push({
      case: {
        name: 'last client scheduled',
        situation: vtc({
          numBlocks: 2000,
          counters: counters({ [a]: 0, [b]: 1000 }),
          lastClientScheduled: c,
          requests: [waiting(0, a, p), waiting(1, a, 4096 - p), waiting(2, b, 50)],
        }),
        actions: [{ kind: 'schedule' }],
      },
      expect:
        "only the first of client a's two prompts fits the padded limit → a still has one waiting, so lastClientScheduled stays the previous client",
      want: { batch: { entries: [[0, p]], ordered: true }, counters: { [a]: p, [b]: 1000 }, last: c, waiting: [1, 2] },
      hidden: true,
    });
  }
  return out;
}

function sarathiSelect(rng: Rng): UnitExpectation[] {
  const out: UnitExpectation[] = [
    {
      case: {
        name: 'a waiting client below the partial prefill',
        situation: sarathi({
          numBlocks: 1000,
          counters: counters({ 0: 10, 1: 30 }),
          requests: [running(0, 1, 1000, 300), waiting(1, 0, 200)],
        }),
        actions: [{ kind: 'select', runningPrefills: [0] }],
      },
      expect:
        "client 1 (counter 30) has a prompt in progress, client 0 (10) is waiting → client 0's waiting request (index 0, not a running prefill)",
      want: { selection: { id: 1, index: 0, isRunningPrefill: false }, unchanged: true },
      hidden: false,
    },
    {
      case: {
        name: "the client's prompt in progress before its waiting requests",
        situation: sarathi({
          numBlocks: 1000,
          counters: counters({ 0: 10, 1: 20 }),
          requests: [running(0, 0, 1000, 300), waiting(1, 0, 200), waiting(2, 1, 200)],
        }),
        actions: [{ kind: 'select', runningPrefills: [0] }],
      },
      expect:
        'client 0 (smallest) has a prompt in progress and a waiting request → the prompt in progress (index 0 of runningPrefills)',
      want: { selection: { id: 0, index: 0, isRunningPrefill: true }, unchanged: true },
      hidden: false,
    },
  ];
  const [a, b, c, d] = clientPool(rng, 4) as [number, number, number, number];
  const [ca, cb, cc] = [rng.int(0, 100), rng.int(200, 300), rng.int(400, 500)];
  // Partial prefills listed in an order that is not by client; the smallest is a partial.
  out.push({
    case: {
      name: 'smallest among partial prefills only',
      situation: sarathi({
        numBlocks: 2000,
        counters: counters({ [a]: ca, [b]: cb, [c]: cc }),
        requests: [running(0, c, 900, 100), running(1, b, 900, 100), running(2, a, 900, 100)],
      }),
      actions: [{ kind: 'select', runningPrefills: [0, 1, 2] }],
    },
    expect: "three prompts in progress, nothing waiting → the smallest counter's, at its index in runningPrefills",
    want: { selection: { id: 2, index: 2, isRunningPrefill: true }, unchanged: true },
    hidden: true,
  });
  out.push({
    case: {
      name: 'waiting and partial prefills mixed',
      situation: sarathi({
        numBlocks: 2000,
        counters: counters({ [a]: ca, [b]: cb, [c]: cc }),
        requests: [
          running(0, b, 900, 100),
          running(1, c, 900, 100),
          waiting(2, c, 100),
          waiting(3, b, 100),
          waiting(4, a, 100),
          waiting(5, a, 100),
        ],
      }),
      actions: [{ kind: 'select', runningPrefills: [0, 1] }],
    },
    expect:
      'the smallest client has only waiting requests → its first waiting request, with its index in the waiting queue',
    want: { selection: { id: 4, index: 2, isRunningPrefill: false }, unchanged: true },
    hidden: true,
  });
  const lo = Math.min(a, b);
  const hi = Math.max(a, b);
  out.push({
    case: {
      name: 'tie between a partial prefill and a waiting request',
      situation: sarathi({
        numBlocks: 2000,
        counters: counters({ [a]: 50, [b]: 50, [c]: 80 }),
        requests: [running(0, hi, 900, 100), running(1, c, 900, 100), waiting(2, lo, 100)],
      }),
      actions: [{ kind: 'select', runningPrefills: [1, 0] }],
    },
    expect:
      'two clients tied at the smallest counter, one with a prompt in progress, the other waiting → the lower client id',
    want: { selection: { id: 2, index: 0, isRunningPrefill: false }, unchanged: true },
    hidden: true,
  });
  out.push({
    case: {
      name: 'oldest partial prefill of the client',
      situation: sarathi({
        numBlocks: 2000,
        counters: counters({ [a]: 5, [b]: 90 }),
        requests: [running(0, a, 900, 100), running(1, a, 900, 300), waiting(2, a, 100), running(3, b, 900, 200)],
      }),
      actions: [{ kind: 'select', runningPrefills: [0, 3, 1] }],
    },
    expect: 'the smallest client has two prompts in progress → the first in runningPrefills (the oldest)',
    want: { selection: { id: 0, index: 0, isRunningPrefill: true }, unchanged: true },
    hidden: true,
  });
  out.push({
    case: {
      name: 'nothing to choose',
      situation: sarathi({ numBlocks: 2000, counters: counters({ [a]: 5 }), requests: [decoding(0, a)] }),
      actions: [{ kind: 'select', runningPrefills: [] }],
    },
    expect: 'no prompt in progress and nothing waiting → undefined',
    want: { selection: null, unchanged: true },
    hidden: true,
  });
  out.push({
    case: {
      name: 'a new client overtakes prompts in progress',
      situation: sarathi({
        numBlocks: 2000,
        counters: counters({ [a]: 300, [b]: 200 }),
        requests: [running(0, a, 900, 100), running(1, b, 900, 100), waiting(2, d, 64)],
      }),
      actions: [{ kind: 'select', runningPrefills: [0, 1] }],
    },
    expect: 'a waiting client with no counter yet (0) beats clients with prompts in progress',
    want: { selection: { id: 2, index: 0, isRunningPrefill: false }, unchanged: true },
    hidden: true,
  });
  return out;
}

function sarathiNextBatch(rng: Rng): UnitExpectation[] {
  const out: UnitExpectation[] = [
    {
      case: {
        name: "decodes first, then the smallest counter's chunk",
        situation: sarathi({
          numBlocks: 1000,
          counters: counters({ 0: 0, 1: 100, 2: 10000 }),
          requests: [decoding(0, 2), decoding(1, 2), waiting(2, 0, 1000), waiting(3, 1, 200)],
        }),
        actions: [{ kind: 'schedule' }],
      },
      expect:
        'two decodes (client 2) take 2 of the 512-token budget; client 0 (counter 0) gets a 510-token chunk of its 1000-token prompt and holds blocks for the whole prompt (63); client 1 waits',
      want: {
        batch: {
          entries: [
            [0, 1],
            [1, 1],
            [2, 510],
          ],
          ordered: true,
        },
        counters: { 0: 510, 1: 100, 2: 10000 },
        blocks: { 2: 63 },
        waiting: [3],
      },
      hidden: false,
    },
    {
      case: {
        name: 'a low-counter newcomer overtakes a prompt in progress',
        situation: sarathi({
          numBlocks: 1000,
          counters: counters({ 0: 4000, 1: 5000 }),
          requests: [running(0, 1, 1000, 200), waiting(1, 0, 300)],
        }),
        actions: [{ kind: 'schedule' }],
      },
      expect:
        "client 1 (5000) is half-way through a 1000-token prompt; client 0 (4000) arrives with 300 tokens → client 0's 300 first, then client 1 gets the remaining 212",
      want: {
        batch: {
          entries: [
            [1, 300],
            [0, 212],
          ],
          ordered: true,
        },
        counters: { 0: 4300, 1: 5212 },
        last: 0,
      },
      hidden: false,
    },
  ];
  const [a, b, c, d] = clientPool(rng, 4) as [number, number, number, number];
  // Chunk-by-chunk alternation under the budget.
  {
    const p = rng.int(120, 160);
    const gap = rng.int(1, p - 1);
    const reqs = [
      waiting(0, a, p),
      waiting(1, b, p),
      waiting(2, a, p),
      waiting(3, b, p),
      waiting(4, a, p),
      waiting(5, b, p),
    ];
    const budget = 512;
    const queues = new Map([
      [a, [0, 2, 4]],
      [b, [1, 3, 5]],
    ]);
    const cnt = new Map([
      [a, 0],
      [b, gap],
    ]);
    const entries: [number, number][] = [];
    let used = 0;
    while (used < budget) {
      const client =
        cnt.get(a)! < cnt.get(b)! || (cnt.get(a) === cnt.get(b) && a < b)
          ? queues.get(a)!.length > 0
            ? a
            : b
          : queues.get(b)!.length > 0
            ? b
            : a;
      const id = queues.get(client)!.shift();
      if (id === undefined) break;
      const chunk = Math.min(p, budget - used);
      entries.push([id, chunk]);
      used += chunk;
      cnt.set(client, cnt.get(client)! + chunk);
    }
    out.push({
      case: {
        name: 'chunks alternate between clients',
        situation: sarathi({ numBlocks: 2000, counters: counters({ [a]: 0, [b]: gap }), requests: reqs }),
        actions: [{ kind: 'schedule' }],
      },
      expect:
        'two clients with three short prompts each → admitted alternately by counter until the 512-token budget is used; the last chunk is cut to fit',
      want: { batch: { entries, ordered: true }, counters: Object.fromEntries(cnt) },
      hidden: true,
    });
  }
  // Random variant of the newcomer case, with a weight.
  {
    const w = rng.int(2, 4);
    const weights = Array<number>(10).fill(1);
    weights[a] = w;
    const done = rng.int(100, 600);
    const p = rng.int(100, 300);
    const ca = rng.int(1000, 2000);
    const cb = ca + rng.int(500, 1000);
    const rest = 512 - p;
    out.push({
      case: {
        name: 'weighted newcomer',
        situation: sarathi({
          numBlocks: 2000,
          clientWeights: weights,
          counters: counters({ [a]: ca, [b]: cb }),
          requests: [running(0, b, 1500, done), waiting(1, a, p)],
        }),
        actions: [{ kind: 'schedule' }],
      },
      expect:
        "a weighted client with the smaller counter arrives while another's prompt is in progress → its whole prompt first (charged prompt/weight), then the rest of the budget to the prompt in progress",
      want: {
        batch: {
          entries: [
            [1, p],
            [0, rest],
          ],
          ordered: true,
        },
        counters: { [a]: ca + p / w, [b]: cb + rest },
      },
      hidden: true,
    });
  }
  // Head of line: admission closes, prompts in progress continue.
  {
    const free = rng.int(40, 80);
    const held = Math.ceil(600 / 16);
    out.push({
      case: {
        name: 'head of line closes admission, prompts in progress continue',
        situation: sarathi({
          numBlocks: free + held,
          counters: counters({ [a]: 10, [b]: 50 }),
          requests: [running(0, b, 600, 100), waiting(1, a, (free + 5) * 16), waiting(2, b, 32)],
        }),
        actions: [{ kind: 'schedule' }],
      },
      expect:
        "the smallest client's waiting prompt does not fit in the free blocks → nobody is admitted (the other client's small prompt must not skip ahead), but the prompt in progress gets its chunk",
      want: { batch: { entries: [[0, 500]], ordered: true }, counters: { [a]: 10, [b]: 550 }, waiting: [1, 2] },
      hidden: true,
    });
  }
  // Decodes are never starved.
  {
    const n = rng.int(5, 8);
    const reqs = Array.from({ length: n }, (_, i) => decoding(i, i % 2 === 0 ? a : b));
    out.push({
      case: {
        name: 'decodes past the budget',
        situation: sarathi({
          numBlocks: 2000,
          chunkSize: 4,
          counters: counters({ [a]: 100, [b]: 100, [c]: 0 }),
          requests: [...reqs, waiting(n, c, 64)],
        }),
        actions: [{ kind: 'schedule' }],
      },
      expect: `chunkSize 4 and ${n} running decodes → every decode runs (1 token each), no prompt chunk`,
      want: {
        batch: { entries: reqs.map((r): [number, number] => [r.id, 1]), ordered: false },
        counters: { [a]: 100, [b]: 100, [c]: 0 },
        waiting: [n],
      },
      hidden: true,
    });
  }
  // The whole prompt's blocks with the first chunk; a recompute victim is not charged again.
  {
    const p = rng.int(2000, 3500);
    const q = rng.int(100, 300);
    const g = rng.int(3, 20);
    out.push({
      case: {
        name: "recompute victim, and a long prompt's blocks",
        situation: sarathi({
          numBlocks: 2000,
          counters: counters({ [c]: 10, [d]: 20 }),
          requests: [waiting(0, c, q, 100, { processed: q + g, restarted: true }), waiting(1, d, p)],
        }),
        actions: [{ kind: 'schedule' }],
      },
      expect:
        'a recompute victim (prompt + generated tokens) is re-admitted without a charge; then a long prompt gets the rest of the budget and blocks for its whole prompt',
      want: {
        batch: {
          entries: [
            [0, q + g],
            [1, 512 - q - g],
          ],
          ordered: true,
        },
        counters: { [c]: 10, [d]: 20 + 512 - q - g },
        blocks: { 0: Math.ceil((q + g) / 16), 1: Math.ceil(p / 16) },
      },
      hidden: true,
    });
  }
  // Batch-size cap closes admission; the prompt in progress continues.
  out.push({
    case: {
      name: 'batch-size cap',
      situation: sarathi({
        numBlocks: 2000,
        batchSizeCap: 2,
        counters: counters({ [a]: 0, [b]: 100 }),
        requests: [decoding(0, b), running(1, b, 800, 100), waiting(2, a, 64)],
      }),
      actions: [{ kind: 'schedule' }],
    },
    expect: 'batchSizeCap 2 and two requests hold blocks → no admission; the decode and the prompt in progress run',
    want: {
      batch: {
        entries: [
          [0, 1],
          [1, 511],
        ],
        ordered: true,
      },
      counters: { [a]: 0, [b]: 611 },
      waiting: [2],
    },
    hidden: true,
  });
  return out;
}

/** The cases of one unit item: public ones (fixed) and hidden variants drawn from `hiddenSeed`. */
export function unitCases(item: UnitItemId, hiddenSeed: number): UnitExpectation[] {
  const rng = new Rng(hiddenSeed).fork(`fairness-${item}`);
  switch (item) {
    case 'cost-prefill':
      return costPrefill(rng);
    case 'cost-decode':
      return costDecode(rng);
    case 'vtc-arrival':
      return vtcArrival(rng);
    case 'vtc-batch-completion':
      return vtcBatchCompletion(rng, 'vtc');
    case 'vtc-select':
      return select(rng);
    case 'vtc-next-batch':
      return vtcNextBatch(rng);
    case 'sarathi-batch-completion':
      return vtcBatchCompletion(rng, 'vtc-sarathi');
    case 'sarathi-select':
      return sarathiSelect(rng);
    case 'sarathi-next-batch':
      return sarathiNextBatch(rng);
  }
}

// ---- checking -------------------------------------------------------------------------------

const close = (x: number, y: number): boolean => Math.abs(x - y) <= 1e-6 * Math.max(1, Math.abs(y));
const show = (x: number | null | undefined): string =>
  x === null || x === undefined ? String(x) : Number.isInteger(x) ? String(x) : x.toFixed(4);
const pairs = (xs: readonly (readonly [number | null, number | null])[]): string =>
  `[${xs.map(([i, t]) => `${show(i)}:${show(t)}`).join(', ')}]`;

function initialState(c: UnitCase): { counters: Map<number, number>; waiting: number[] } {
  const s = c.situation;
  return {
    counters: new Map((s?.counters ?? []).map(([k, v]) => [k, v])),
    waiting: (s?.requests ?? []).filter((r) => r.at === 'waiting').map((r) => r.id),
  };
}

function checkCounters(
  want: Readonly<Record<number, number>> | undefined,
  initial: Map<number, number>,
  state: StateSnapshot,
): string[] {
  const observed = new Map(state.counters.map(([c, v]) => [c, v]));
  const clients = new Set<number>([...initial.keys(), ...observed.keys(), ...Object.keys(want ?? {}).map(Number)]);
  const problems: string[] = [];
  for (const c of [...clients].sort((x, y) => x - y)) {
    const expected = want?.[c] ?? initial.get(c) ?? 0;
    const got = observed.has(c) ? observed.get(c)! : 0;
    if (got === null || !close(got, expected))
      problems.push(`client ${c}'s counter: expected ${show(expected)}, got ${show(got)}`);
  }
  return problems;
}

function checkBatch(want: NonNullable<Expectation['batch']> | null, result: ActionResult): string[] {
  if (result.kind !== 'batch') return ['schedule() did not return a batch or undefined'];
  const got = result.batch;
  if (want === null) return got === null ? [] : [`expected no batch, got ${pairs(got)}`];
  if (got === null) return [`expected the batch ${pairs(want.entries)}, got no batch`];
  const key = (e: readonly [number | null, number | null]) => `${e[0]}:${e[1]}`;
  const same = want.ordered
    ? got.length === want.entries.length && got.every((e, i) => key(e) === key(want.entries[i]!))
    : got.length === want.entries.length &&
      [...got.map(key)].sort().join() === [...want.entries.map(key)].sort().join();
  return same
    ? []
    : [
        `expected the batch ${pairs(want.entries)}${want.ordered ? ' (in this order)' : ' (any order)'}, got ${pairs(got)}  (request:tokens)`,
      ];
}

/** Problems with one case's result (empty: passed). */
export function checkUnitCase(e: UnitExpectation, r: UnitCaseResult | undefined): string[] {
  if (r === undefined) return ['no result for this case'];
  if (r.error !== undefined) return [`your code threw ${r.error}`];
  const n = e.case.actions.length;
  if (r.observations.length !== n) return [`only ${r.observations.length} of ${n} calls returned`];
  const last = r.observations[n - 1]!;
  const w = e.want;
  const problems: string[] = [];
  if (w.value !== undefined) {
    const got = last.result.kind === 'number' ? last.result.value : null;
    if (got === null || !close(got, w.value)) problems.push(`expected ${show(w.value)}, got ${show(got)}`);
  }
  if (w.selection !== undefined) {
    const got = last.result;
    if (got.kind !== 'selection') problems.push('selectNextRequest() returned nothing usable');
    else if (w.selection === null) {
      if (got.id !== null) problems.push(`expected undefined (nothing to select), got request ${got.id}`);
    } else {
      if (got.id !== w.selection.id)
        problems.push(`expected request ${w.selection.id}, got ${got.id === null ? 'undefined' : `request ${got.id}`}`);
      else if (got.index !== w.selection.index)
        problems.push(
          `request ${got.id} is at index ${w.selection.index}, but the index returned is ${show(got.index)}`,
        );
      if (
        w.selection.isRunningPrefill !== undefined &&
        got.id !== null &&
        got.isRunningPrefill !== w.selection.isRunningPrefill
      ) {
        problems.push(
          `isRunningPrefill should be ${w.selection.isRunningPrefill}, got ${String(got.isRunningPrefill)}`,
        );
      }
    }
  }
  if (w.batch !== undefined) problems.push(...checkBatch(w.batch, last.result));
  const state = last.state;
  if (state !== null) {
    const initial = initialState(e.case);
    if (w.counters !== undefined || w.unchanged === true || e.case.situation !== null)
      problems.push(...checkCounters(w.counters, initial.counters, state));
    if (w.unchanged === true && state.waiting.join() !== initial.waiting.join()) {
      problems.push(
        `selecting must not change the waiting queue: was [${initial.waiting.join(', ')}], now [${state.waiting.join(', ')}]`,
      );
    }
    if (w.waiting !== undefined && state.waiting.join() !== w.waiting.join())
      problems.push(`waiting queue: expected [${w.waiting.join(', ')}], got [${state.waiting.join(', ')}]`);
    if (w.last !== undefined && state.lastClientScheduled !== w.last)
      problems.push(`lastClientScheduled: expected ${show(w.last)}, got ${show(state.lastClientScheduled)}`);
    if (w.blocks !== undefined) {
      const held = new Map(state.blocks.map(([id, b]) => [id, b]));
      for (const [id, blocks] of Object.entries(w.blocks)) {
        if ((held.get(Number(id)) ?? 0) !== blocks)
          problems.push(
            `request ${id} should hold ${blocks} KV blocks (its whole prompt), holds ${held.get(Number(id)) ?? 0}`,
          );
      }
    }
  }
  return problems;
}
