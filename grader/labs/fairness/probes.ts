/**
 * The fairness lab's unit probes: hand-built situations (counters, queues, a KV cache), calls on the
 * student's module, and what came back with the state it left; the parent runs the same probes on the
 * reference (lab.ts), so no expected value is written here. Every item has the handout's public cases and
 * hidden variants drawn from the probe seed (other client ids, counters, sizes and weights).
 */
import type { Request } from '../../../sim/entities/request.js';
import { KvBlockManager } from '../../../sim/memory/kv-block-manager.js';
import { Rng } from '../../../sim/workload/rng.js';
import { endBatch, enqueue, requestAt, splitBatch } from '../../kit/hand-made.js';
import { compareFields, finiteOrNull as num, type Probe, type ProbeSet } from '../../kit/probes.js';
import type { SchedulerKind } from './schemas.js';
import { schedulerClass, type FairnessModule, type VtcSarathiScheduler, type VtcScheduler } from './student.js';

/**
 * A request of a situation, `done` tokens processed: waiting (in listed order), admitted and holding KV blocks
 * (`prefilling`: its prompt computed up to `done`, a partial prefill when below `prefill`), or a recompute victim.
 */
type State = 'running' | 'restarted';
type Req = readonly [id: number, client: number, prefill: number, done: number, state?: State, decode?: number];
const at =
  (state?: State) =>
  (id: number, c: number, prefill: number, done = 0, decode?: number): Req => [id, c, prefill, done, state, decode];
const [waiting, prefilling, restarted] = [at(), at('running'), at('restarted')];
/** Decoding: prompt done, `generated` output tokens so far (of 200). */
const decoding = (id: number, client: number, prefill = 100, generated = 5, decode = 200): Req =>
  prefilling(id, client, prefill, prefill + generated, decode);

type More = { last?: number; weights?: number[]; batchSizeCap?: number; chunkSize?: number };
type Counters = Readonly<Record<number, number>>;
const situation =
  (kind: SchedulerKind) =>
  (numBlocks: number, counters: Counters, reqs: Req[], more: More = {}) => ({ kind, numBlocks, counters, reqs, more });
type Situation = ReturnType<ReturnType<typeof situation>>;
const [vtc, sarathi] = [situation('vtc'), situation('vtc-sarathi')];

/** The call: a request arrives (addRequest), a batch ends ([id, tokens, id, tokens, …]), a selection, a schedule. */
type Action = { arrive: [id: number, client: number] } | { end: number[] } | { select: number[] } | 'schedule';
const arrive = (id: number, client: number): Action => ({ arrive: [id, client] });
const end = (...idTokens: number[]): Action => ({ end: idTokens });
const select = (...runningPrefills: number[]): Action => ({ select: runningPrefills });

const request = (id: number, clientId: number, at: number, p: number, d: number, done = 0, restart = false) =>
  requestAt({ id, clientId, arrivedAt: at, numPrefillTokens: p, numDecodeTokens: d }, done, { restarted: restart });

function build(m: FairnessModule, s: Situation) {
  const { batchSizeCap = 128, chunkSize = 512, weights: clientWeights = [], last } = s.more;
  const limits = { batchSizeCap, maxTokensInBatch: 4096, chunkSize, maxRequestTokens: 4096 };
  const init = { replicaId: 0, kv: new KvBlockManager(s.numBlocks, 16, 0), limits, clientWeights };
  const scheduler = new (schedulerClass(m, s.kind))(init);
  if (!(scheduler.virtualCounters instanceof Map))
    throw new TypeError('the scheduler has no virtualCounters Map; keep the given field');
  for (const [client, value] of Object.entries(s.counters)) scheduler.virtualCounters.set(Number(client), value);
  scheduler.lastClientScheduled = last;
  const requests = new Map<number, Request>();
  for (const [id, client, prefill, done, state, decode = state === 'running' ? 200 : 50] of s.reqs) {
    const r = request(id, client, id * 0.01, prefill, decode, done, state === 'restarted');
    requests.set(id, r);
    enqueue(scheduler, r, state === 'running');
  }
  return { scheduler, requests };
}

/**
 * Makes the call and observes: counters of every client in the situation (absent: 0), and what the call
 * returned with the queues it left; a schedule's batch split into decodes and prompt entries.
 */
function observe(m: FairnessModule, s: Situation, action: Action): unknown {
  const { scheduler, requests } = build(m, s);
  const clients = new Set([...Object.keys(s.counters).map(Number), ...s.reqs.map((r) => r[1])]);
  const waiting = () => scheduler.waiting.map((r) => num(r?.id));
  let seen: Record<string, unknown> = {};
  if (action === 'schedule') {
    const decoding = new Set(scheduler.running.filter((r) => r.isPrefillComplete).map((r) => r.id));
    const batch = splitBatch(scheduler.schedule(10), decoding);
    const blocks = [...requests.keys()].sort((a, b) => a - b).map((id) => [id, scheduler.kv.blocksHeldBy(id)]);
    const held = blocks.filter(([, n]) => n! > 0);
    seen = { batch, waiting: waiting(), lastClientScheduled: num(scheduler.lastClientScheduled), blocks: held };
  } else if ('arrive' in action) {
    clients.add(action.arrive[1]);
    scheduler.addRequest(request(...action.arrive, 5, 100, 20), 5);
  } else if ('end' in action) {
    const [ids, tokens] = [0, 1].map((odd) => action.end.filter((_, i) => i % 2 === odd)) as [number[], number[]];
    const reqs = ids.map((id) => requests.get(id)!);
    endBatch(scheduler, reqs, tokens, 20);
  } else {
    const got =
      s.kind === 'vtc'
        ? (scheduler as VtcScheduler).selectNextRequest()
        : (scheduler as VtcSarathiScheduler).selectNextRequest(action.select.map((id) => requests.get(id)!));
    const isRunningPrefill = got?.isRunningPrefill ?? null;
    const selection = got == null ? null : { id: num(got.request?.id), index: num(got.index) };
    const shown = selection && (s.kind === 'vtc' ? selection : { ...selection, isRunningPrefill });
    seen = { selection: shown, waiting: waiting() };
  }
  const counters = [...clients].sort((a, b) => a - b).map((c) => [c, num(scheduler.virtualCounters.get(c) ?? 0)]);
  return { ...seen, counters: Object.fromEntries(counters) };
}

type P = Probe<FairnessModule>;
/** A scheduler probe; a cost function's starter default it calls along the way is not its fault (`ownDefaults`). */
const probe = (hidden: boolean, name: string, expect: string | undefined, s: Situation, action: Action): P => ({
  name,
  hidden,
  expect,
  run: (m) => observe(m, s, action),
  compare: compareFields,
  ownDefaults: [],
});
/** Five distinct client ids of 0–9, drawn. */
const clientPool = (rng: Rng) =>
  rng.shuffle(Array.from({ length: 10 }, (_, i) => i)) as [number, number, number, number, number];
const weightsWith = (w: Counters) => Array.from({ length: 10 }, (_, c) => w[c] ?? 1);

type CostFn = 'getPrefillTokenServiceCost' | 'getDecodeTokenServiceCost' | 'getServiceCost';
const cost = (hidden: boolean, name: string, fn: CostFn, args: number[], expect: string): P => ({
  name,
  hidden,
  expect: `${fn}(${args.join(', ')}) = ${expect}`,
  run: (m) => {
    const f: unknown = m.cost?.[fn];
    if (typeof f !== 'function') throw new TypeError(`service-cost.ts does not export the function ${fn}`);
    return (f as (...a: number[]) => unknown)(...args);
  },
  ownDefaults: [fn],
});

// The probe sets below are tables of cases, kept one case per few lines (a formatter would give each argument its own).

// biome-ignore format: a table of cases
const costPrefill = (rng: Rng): P[] => {
  const one = (tokens: number, hidden: boolean) =>
    cost(hidden, `prefill cost of ${tokens} tokens`, 'getPrefillTokenServiceCost', [tokens], `${tokens}`);
  return [one(100, false), one(1, false), one(rng.int(2, 999), true), one(rng.int(1000, 4000), true), one(0, true)];
};

// biome-ignore format: a table of cases
const costDecode = (rng: Rng): P[] => {
  const req = (p: number, d: number, hidden: boolean, value = `${p} + 2 × ${d}`) =>
    cost(hidden, `service cost of a ${p}/${d} request`, 'getServiceCost', [p, d], value);
  return [cost(false, 'decode token cost', 'getDecodeTokenServiceCost', [], '2'), req(100, 10, false, '120'),
    req(rng.int(1, 3000), rng.int(1, 1000), true), req(rng.int(1, 50), rng.int(500, 2000), true), req(0, 1, true)];
};

// biome-ignore format: a table of cases
const vtcArrival = (rng: Rng): P[] => {
  const [a, b, c, x, d] = clientPool(rng);
  const weights = weightsWith(Object.fromEntries(rng.shuffle([0.5, 1, 1.5, 2, 3]).map((w, i) => [[a, b, c, x, d][i], w])));
  const [c1, c2, c3] = [rng.int(100, 300), rng.int(400, 600), rng.int(700, 900)];
  const [own1, own2, t] = [rng.int(0, 90), rng.int(c1 + 1, c2 - 1), rng.int(200, 800) + 1 / 3];
  const low = rng.int(own1 + 1, c1 - 1);
  const [lo, mid, hi] = [a, b, x].sort((p, q) => p - q);
  const [sa, sb, la, lb] = [rng.int(5, 40), rng.int(100, 200), rng.int(0, 50), rng.int(100, 500)];
  // Per part: three waiting clients of distinct counters and weights and a running client (part 2: a prompt in
  // progress) below them, where lifting to the smallest, the largest, the running client's counter or not at all
  // give four different counters; two waiting counters within the tie band; the empty queue, a running client above.
  const both = (['vtc', 'vtc-sarathi'] as const).flatMap((kind) => {
    const [at, P] = kind === 'vtc' ? [vtc, ''] : [sarathi, 'part 2: '];
    const busy = (id: number, cl = d) => (kind === 'vtc' ? decoding(id, cl) : prefilling(id, cl, 900, 100));
    const three = (own: number) => at(1000, { [a]: c2, [b]: c1, [c]: c3, [x]: own, [d]: low },
      [waiting(0, a, 100), waiting(1, c, 100), waiting(2, b, 100), waiting(3, a, 100), busy(4)], { weights });
    return [
      probe(true, `${P}lift to the minimum of three waiting clients`, "not the largest, nor a running client's",
        three(own1), arrive(5, x)),
      probe(true, `${P}never lowered`, "the arriving client's counter is already above the smallest waiting counter → unchanged",
        three(own2), arrive(5, x)),
      probe(true, `${P}two waiting counters within the 10⁻⁹ band`, 'lifted to the smaller (rounding noise apart: a tie)',
        at(1000, { [lo]: t * (1 + 4e-10), [mid]: t, [hi]: own1 }, [waiting(0, mid, 100), waiting(1, lo, 100)], { weights }), arrive(2, hi)),
      probe(true, `${P}empty queue: lift to the last client scheduled`, 'not to a running client above it',
        at(1000, { [a]: la, [b]: lb, [c]: lb + 300 }, [busy(0, c)], { last: b, weights }), arrive(1, a)),
    ];
  });
  return [
    probe(false, 'lift to the smallest waiting counter',
      'clients 0 (counter 50) and 1 (80) are waiting; client 2 (counter 0) arrives → its counter becomes 50',
      vtc(1000, { 0: 50, 1: 80 }, [waiting(0, 0, 100), waiting(1, 1, 100)]), arrive(2, 2)),
    probe(false, 'nobody waiting: lift to the last client scheduled',
      'nobody is waiting, client 1 (counter 90) was the last scheduled; client 0 (counter 10) arrives → 90',
      vtc(1000, { 0: 10, 1: 90 }, [], { last: 1 }), arrive(0, 0)),
    probe(false, 'part 2: a prompt in progress is not waiting',
      'part 2: client 1 (counter 20) has a prompt in progress, client 0 (50) is waiting; client 2 (counter 0) arrives → 50',
      sarathi(1000, { 0: 50, 1: 20 }, [prefilling(0, 1, 1000, 300), waiting(1, 0, 100)]), arrive(2, 2)),
    ...both,
    probe(true, 'no lift while the client has a request waiting', 'the arriving client already has a waiting request → unchanged',
      vtc(1000, { [a]: sa, [b]: sb }, [waiting(0, b, 100), waiting(1, a, 100)]), arrive(2, a)),
    probe(true, 'empty queue, the last client scheduled is the arriving one', 'unchanged', vtc(1000, { [a]: la, [b]: lb }, [], { last: a }), arrive(0, a)),
    probe(true, 'empty queue, nobody scheduled yet', 'a new client stays at 0', vtc(1000, { [b]: lb }, []), arrive(0, a)),
    probe(true, 'empty queue, never lowered', 'the arriving client is already above the last scheduled client → unchanged',
      vtc(1000, { [a]: lb + 50, [b]: lb }, [], { last: b }), arrive(0, a)),
  ];
};

// biome-ignore format: a table of cases
const vtcBatchCompletion = (rng: Rng): P[] => {
  const [a, b, c] = clientPool(rng);
  const [k, n, wa, p1, p2] = [rng.int(3, 7), rng.int(1, 3), rng.int(2, 5), rng.int(50, 500), rng.int(50, 500)];
  const many = [...Array.from({ length: k }, (_, i) => decoding(i, a)), ...Array.from({ length: n }, (_, i) => decoding(k + i, b))];
  const weights = weightsWith({ [a]: wa, [b]: 0.5 });
  return [
    probe(false, 'weights divide the decode charge', 'clients 0 (weight 1) and 1 (weight 2) each decode one token → +2 and +1',
      vtc(1000, { 0: 10, 1: 10 }, [decoding(0, 0), decoding(1, 1)], { weights: [1, 2] }), end(0, 1, 1, 1)),
    probe(false, 'a prefill batch charges only the first output token',
      'two prompts (already charged at admission) finish their prefill; each produced its first token → +2 each',
      vtc(1000, { 0: 300, 1: 500 }, [prefilling(0, 0, 300, 0), prefilling(1, 1, 200, 0)]), end(0, 300, 1, 200)),
    probe(true, 'every decode token is charged', 'two clients decode; a third runs outside the batch → +0',
      vtc(2000, {}, [...many, decoding(k + n, c)]), end(...many.flatMap((r) => [r[0], 1]))),
    probe(true, 'weighted decode charges', 'weights w, 0.5 and 1 → +2·tokens/weight',
      vtc(2000, { [a]: 100, [b]: 100, [c]: 100 }, [decoding(0, a), decoding(1, a), decoding(2, b), decoding(3, c)], { weights }),
      end(0, 1, 1, 1, 2, 1, 3, 1)),
    probe(true, 'the last token is charged once', 'a request produces its last output token and finishes → +2, nothing extra for finishing',
      vtc(2000, { [a]: 40 }, [decoding(0, a, 100, 19, 20)]), end(0, 1)),
    probe(true, 'weighted prefill batch', 'a prefill batch of two weighted clients → each +2/weight for its first token only',
      vtc(2000, { [a]: p1, [b]: p2 }, [prefilling(0, a, p1, 0), prefilling(1, b, p2, 0)], { weights }), end(0, p1, 1, p2)),
  ];
};

// biome-ignore format: a table of cases
const vtcSelect = (rng: Rng): P[] => {
  const [a, b, c, d] = clientPool(rng);
  const [ca, cb, cc] = [rng.int(10, 100), rng.int(200, 300), rng.int(400, 500)];
  const order = rng.shuffle([a, b, c, a, b, c]);
  const tie = rng.int(10, 90);
  return [
    probe(false, 'the head of the smallest counter',
      'waiting: [client 1, client 0, client 1]; counters 0 → 10, 1 → 5 → request 0 (index 0), nothing changed',
      vtc(1000, { 0: 10, 1: 5 }, [waiting(0, 1, 100), waiting(1, 0, 100), waiting(2, 1, 100)]), select()),
    probe(false, 'ties go to the lower client id', "clients 3 and 1 both at 7 → client 1's request (index 1)",
      vtc(1000, { 3: 7, 1: 7 }, [waiting(0, 3, 100), waiting(1, 1, 100)]), select()),
    probe(true, 'three clients interleaved', "three clients' requests interleaved → the first waiting request of the smallest counter",
      vtc(1000, { [a]: ca, [b]: cb, [c]: cc }, order.map((client, i) => waiting(i, client, 100))), select()),
    probe(true, 'a restarted request keeps its place at the front', "the smallest client's recompute victim → that one",
      vtc(1000, { [a]: 5, [b]: 50 }, [restarted(3, a, 100, 110), waiting(0, b, 100), waiting(1, a, 100)]), select()),
    probe(true, 'only waiting requests compete', 'a client with counter 0 has only a running request → not selected; the smallest waiting client is',
      vtc(1000, { [b]: 30, [c]: 20 }, [decoding(0, a), waiting(1, b, 100), waiting(2, c, 100)]), select()),
    probe(true, 'empty queue', 'nothing waiting → undefined', vtc(1000, { [a]: 3 }, [decoding(0, a)]), select()),
    probe(true, 'three-way tie', 'three clients tied at the smallest counter → the lowest client id',
      vtc(1000, { [a]: tie, [b]: tie, [c]: tie, [d]: tie + 1 },
        [waiting(0, d, 100), ...[a, b, c].sort((x, y) => y - x).map((cl, i) => waiting(i + 1, cl, 100))]), select()),
    probe(true, 'counters within a relative 10⁻⁹ are equal', 'the lower client id is 10⁻¹⁰ above the other (rounding noise): a tie → the lower id',
      vtc(1000, { [Math.min(a, b)]: tie * (1 + 4e-10) + 1 / 3, [Math.max(a, b)]: tie + 1 / 3 }, [waiting(0, Math.max(a, b), 100), waiting(1, Math.min(a, b), 100)]), select()),
    probe(true, 'a client never seen', 'a waiting client with no counter yet counts as 0 → its request',
      vtc(1000, { [a]: 40, [b]: 60 }, [waiting(0, a, 100), waiting(1, b, 100), waiting(2, d, 100)]), select()),
  ];
};

// biome-ignore format: a table of cases
const vtcNextBatch = (rng: Rng): P[] => {
  const [a, b, c] = clientPool(rng);
  const shuffled = rng.shuffle([a, a, b, b, c, c].map((client, i) => waiting(i, client, rng.int(100, 400))));
  const start = { [a]: rng.int(0, 300), [b]: rng.int(0, 300), [c]: rng.int(0, 300) };
  const free = rng.int(30, 60);
  const big = (free + rng.int(1, 10)) * 16; // needs more blocks than are free
  const [small, long, p, g, w, pw, pl] =
    [rng.int(60, 200), rng.int(2100, 3000), rng.int(100, 300), rng.int(5, 30), rng.int(2, 4), 100 * rng.int(2, 6), rng.int(600, 900)];
  return [
    probe(false, 'admission order follows the counters, charged as admitted',
      'client 0 (counter 0) has 3 prompts of 300 tokens, client 1 (250) has 2 → prefill batch [0, 3, 1, 4, 2]; counters 900 and 850; last client scheduled 0',
      vtc(4000, { 0: 0, 1: 250 }, [0, 0, 0, 1, 1].map((client, id) => waiting(id, client, 300))), 'schedule'),
    probe(false, "head of line: the smallest client's request does not fit",
      "client 0 (smallest counter) needs 57 KV blocks, 41 are free; client 1's small prompt would fit but must not skip ahead → a decode batch [0], nobody admitted",
      vtc(50, { 0: 0, 1: 100, 2: 400 }, [decoding(0, 2, 100, 40), waiting(1, 0, 900), waiting(2, 1, 32)]), 'schedule'),
    probe(true, 'admission order, three clients', 'two prompts each: each prompt charged before the next pick',
      vtc(4000, start, shuffled), 'schedule'),
    probe(true, 'head of line, never skip', "the smallest client's prompt does not fit → nobody admitted",
      vtc(free + 5, { [a]: 10, [b]: 20, [c]: 5 }, [decoding(0, c, 64, 10), waiting(1, b, 48), waiting(2, a, big), waiting(3, b, 16)]), 'schedule'),
    probe(true, 'the padded token limit stops admission',
      `client b's ${small}-token prompt goes first; then client a's ${long}-token prompt would make the padded batch 2 × ${long} > 4096 → stop (b's next small prompt must not skip ahead)`,
      vtc(4000, { [a]: 50, [b]: 0 }, [waiting(0, b, small), waiting(1, a, long), waiting(2, b, small)]), 'schedule'),
    probe(true, 'no admission: every running request decodes', 'nothing waiting → one token for every running request; counters untouched until the batch ends',
      vtc(2000, { [a]: 7, [b]: 9 }, [decoding(0, a), decoding(1, b), decoding(2, a)]), 'schedule'),
    probe(true, 'recompute is not charged again', 'a recompute victim admitted uncharged, then the other client',
      vtc(2000, { [a]: 500, [b]: 900 }, [restarted(0, a, p, p + g), waiting(1, b, 100)]), 'schedule'),
    probe(true, 'weighted prefill charge', 'a client of weight w is charged prompt/w per admission, so it gets more admissions before the other client',
      vtc(2000, { [a]: 0, [b]: 120 }, [waiting(0, a, pw), waiting(1, a, pw), waiting(2, b, 100)], { weights: weightsWith({ [a]: w }) }), 'schedule'),
    probe(true, 'batch-size cap', 'batchSizeCap 2 and two requests already hold KV blocks → no admission, the two decode',
      vtc(2000, { [a]: 1, [b]: 0 }, [decoding(0, a), decoding(1, b), waiting(2, b, 50)], { batchSizeCap: 2 }), 'schedule'),
    probe(true, 'last client scheduled', 'unchanged while the admitted client still has a prompt waiting',
      vtc(2000, { [a]: 0, [b]: 1000 }, [waiting(0, a, pl), waiting(1, a, 4096 - pl), waiting(2, b, 50)], { last: c }), 'schedule'),
  ];
};

// biome-ignore format: a table of cases
const sarathiBatchCompletion = (rng: Rng): P[] => {
  const [a, b, c] = clientPool(rng);
  const [wb, pa, pb, restB, k] = [rng.int(2, 4), rng.int(600, 2000), rng.int(600, 2000), rng.int(50, 400), rng.int(2, 5)];
  const doneA = rng.int(100, pa - 300);
  const weights = weightsWith({ [b]: wb });
  const long = [...Array.from({ length: k }, (_, i) => decoding(i, a)), prefilling(k, a, 800, 0)];
  return [
    probe(false, 'mixed batch: decodes, an unfinished chunk, a last chunk',
      "client 0 decodes 2 tokens (+4); client 1's chunk leaves its prompt unfinished (+0); client 2's chunk finishes its prompt and yields the first token (+2)",
      sarathi(1000, { 0: 100, 1: 100, 2: 100 }, [decoding(0, 0), decoding(1, 0), prefilling(2, 1, 1000, 200), prefilling(3, 2, 1000, 700)]),
      end(0, 1, 1, 1, 2, 300, 3, 300)),
    probe(true, 'weighted mixed batch', 'decodes, an unfinished chunk and a last chunk → +2/weight per output token',
      sarathi(2000, { [a]: 500, [b]: 500, [c]: 500 },
        [decoding(0, c), prefilling(1, a, pa, doneA), prefilling(2, b, pb, pb - restB), decoding(3, b), decoding(4, c)], { weights }),
      end(0, 1, 3, 1, 4, 1, 1, 200, 2, restB)),
    probe(true, 'first chunk of a long prompt', 'with k decodes of its client → +2k only (chunks charged when placed)',
      sarathi(2000, { [a]: 0 }, long), end(...long.flatMap((r, i) => [r[0], i < k ? 1 : 512 - k]))),
    probe(true, 'a prompt finished in one chunk', 'a short prompt finishes in its first chunk (+2/weight), a long one does not (+0)',
      sarathi(2000, { [b]: 77 }, [prefilling(0, b, 300, 0), prefilling(1, c, 900, 0)], { weights }), end(0, 300, 1, 212)),
  ];
};

// biome-ignore format: a table of cases
const sarathiSelect = (rng: Rng): P[] => {
  const [a, b, c, d] = clientPool(rng);
  const three = { [a]: rng.int(0, 100), [b]: rng.int(200, 300), [c]: rng.int(400, 500) };
  const [lo, hi] = [Math.min(a, b), Math.max(a, b)];
  return [
    probe(false, 'a waiting client below the partial prefill',
      "client 1 (counter 30) has a prompt in progress, client 0 (10) is waiting → client 0's waiting request (index 0, not a running prefill)",
      sarathi(1000, { 0: 10, 1: 30 }, [prefilling(0, 1, 1000, 300), waiting(1, 0, 200)]), select(0)),
    probe(false, "the client's prompt in progress before its waiting requests",
      'client 0 (smallest) has a prompt in progress and a waiting request → the prompt in progress (index 0 of runningPrefills)',
      sarathi(1000, { 0: 10, 1: 20 }, [prefilling(0, 0, 1000, 300), waiting(1, 0, 200), waiting(2, 1, 200)]), select(0)),
    probe(true, 'smallest among partial prefills only', "three prompts in progress, nothing waiting → the smallest counter's, at its index in runningPrefills",
      sarathi(2000, three, [prefilling(0, c, 900, 100), prefilling(1, b, 900, 100), prefilling(2, a, 900, 100)]), select(0, 1, 2)),
    probe(true, 'waiting and partial prefills mixed', 'the smallest client only waits → its first request, index',
      sarathi(2000, three, [prefilling(0, b, 900, 100), prefilling(1, c, 900, 100), ...[c, b, a, a].map((cl, i) => waiting(i + 2, cl, 100))]),
      select(0, 1)),
    probe(true, 'tie between a partial prefill and a waiting request', 'at the smallest counter → the lower client id',
      sarathi(2000, { [a]: 50, [b]: 50, [c]: 80 }, [prefilling(0, hi, 900, 100), prefilling(1, c, 900, 100), waiting(2, lo, 100)]), select(1, 0)),
    probe(true, 'oldest partial prefill of the client', 'the smallest client has two prompts in progress → the first in runningPrefills (the oldest)',
      sarathi(2000, { [a]: 5, [b]: 90 }, [prefilling(0, a, 900, 100), prefilling(1, a, 900, 300), waiting(2, a, 100), prefilling(3, b, 900, 200)]),
      select(0, 3, 1)),
    probe(true, 'counters within a relative 10⁻⁹ are equal', 'the lower id, 10⁻¹⁰ above, in progress → the lower id',
      sarathi(2000, { [lo]: 100 / 3 + 1e-11, [hi]: 100 / 3 }, [prefilling(0, lo, 900, 100), waiting(1, hi, 100)]), select(0)),
    probe(true, 'nothing to choose', 'no prompt in progress and nothing waiting → undefined', sarathi(2000, { [a]: 5 }, [decoding(0, a)]), select()),
    probe(true, 'a new client overtakes prompts in progress', 'a waiting client with no counter yet (0) beats clients with prompts in progress',
      sarathi(2000, { [a]: 300, [b]: 200 }, [prefilling(0, a, 900, 100), prefilling(1, b, 900, 100), waiting(2, d, 64)]), select(0, 1)),
  ];
};

// biome-ignore format: a table of cases
const sarathiNextBatch = (rng: Rng): P[] => {
  const [a, b, c, d] = clientPool(rng);
  const p = rng.int(120, 160);
  const [gap, w, done, pn, ca, free, n] = [rng.int(1, p - 1), rng.int(2, 4), rng.int(100, 600), rng.int(100, 300), rng.int(1000, 2000), rng.int(40, 80), rng.int(5, 8)];
  const [cb, long, q, g] = [ca + rng.int(500, 1000), rng.int(2000, 3500), rng.int(100, 300), rng.int(3, 20)];
  const decodes = Array.from({ length: n }, (_, i) => decoding(i, i % 2 === 0 ? a : b));
  return [
    probe(false, "decodes first, then the smallest counter's chunk",
      'two decodes (client 2) take 2 of the 512-token budget; client 0 (counter 0) gets a 510-token chunk of its 1000-token prompt and holds blocks for the whole prompt (63); client 1 waits',
      sarathi(1000, { 0: 0, 1: 100, 2: 10000 }, [decoding(0, 2), decoding(1, 2), waiting(2, 0, 1000), waiting(3, 1, 200)]), 'schedule'),
    probe(false, 'a low-counter newcomer overtakes a prompt in progress',
      "client 1 (5000) is half-way through a 1000-token prompt; client 0 (4000) arrives with 300 tokens → client 0's 300 first, then client 1 gets the remaining 212",
      sarathi(1000, { 0: 4000, 1: 5000 }, [prefilling(0, 1, 1000, 200), waiting(1, 0, 300)]), 'schedule'),
    probe(true, 'chunks alternate between clients', 'three short prompts each; the last chunk is cut to fit',
      sarathi(2000, { [a]: 0, [b]: gap }, [a, b, a, b, a, b].map((cl, i) => waiting(i, cl, p))), 'schedule'),
    probe(true, 'weighted newcomer', 'arrives below a prompt in progress → its whole prompt first, charged prompt/w',
      sarathi(2000, { [a]: ca, [b]: cb }, [prefilling(0, b, 1500, done), waiting(1, a, pn)], { weights: weightsWith({ [a]: w }) }), 'schedule'),
    probe(true, 'head of line closes admission, prompts in progress continue',
      "the smallest client's waiting prompt does not fit in the free blocks → nobody is admitted (the other client's small prompt must not skip ahead), but the prompt in progress gets its chunk",
      sarathi(free + 38, { [a]: 10, [b]: 50 }, [prefilling(0, b, 600, 100), waiting(1, a, (free + 5) * 16), waiting(2, b, 32)]), 'schedule'),
    probe(true, 'decodes past the budget', `chunkSize 4 and ${n} running decodes → every decode runs (1 token each), no prompt chunk`,
      sarathi(2000, { [a]: 100, [b]: 100, [c]: 0 }, [...decodes, waiting(n, c, 64)], { chunkSize: 4 }), 'schedule'),
    probe(true, "recompute victim, and a long prompt's blocks",
      'a recompute victim (prompt + generated tokens) is re-admitted without a charge; then a long prompt gets the rest of the budget and blocks for its whole prompt',
      sarathi(2000, { [c]: 10, [d]: 20 }, [restarted(0, c, q, q + g), waiting(1, d, long)]), 'schedule'),
    probe(true, 'batch-size cap', 'batchSizeCap 2 and two requests hold blocks → no admission; the decode and the prompt in progress run',
      sarathi(2000, { [a]: 0, [b]: 100 }, [decoding(0, b), prefilling(1, b, 800, 100), waiting(2, a, 64)], { batchSizeCap: 2 }), 'schedule'),
  ];
};

/** Every unit item's probes, by item id (the driver gets the same map); each item draws from its own stream of the seed. */
export const FAIRNESS_PROBES: Readonly<Record<string, ProbeSet<FairnessModule>>> = Object.fromEntries(
  Object.entries({
    'cost-prefill': costPrefill,
    'cost-decode': costDecode,
    'vtc-arrival': vtcArrival,
    'vtc-batch-completion': vtcBatchCompletion,
    'vtc-select': vtcSelect,
    'vtc-next-batch': vtcNextBatch,
    'sarathi-batch-completion': sarathiBatchCompletion,
    'sarathi-select': sarathiSelect,
    'sarathi-next-batch': sarathiNextBatch,
  }).map(([item, cases]) => [item, (seed: number) => cases(new Rng(seed).fork(`fairness-${item}`))]),
);
