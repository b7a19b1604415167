/**
 * The deadline lab's unit probes (grader/kit/probes.ts): small scripted replicas and requests, each
 * probe a function of the lab module that returns plain data. The child runs them on the student's
 * code, the parent on the reference (grader/kit/unit-item.ts), so no expected value is written here;
 * the literals in the names are the handout's worked numbers. Hidden variants draw from the probe seed.
 */
import type { Batch } from '../../../sim/entities/batch.js';
import { Request } from '../../../sim/entities/request.js';
import { KvBlockManager } from '../../../sim/memory/kv-block-manager.js';
import {
  predictBatchTime,
  NIYAMA_BATCH_TIME_MODEL,
  type BatchSample,
  type BatchTimeModel,
} from '../../../sim/policies/replica/deadline/batch-time-model.js';
import { DeadlineOptions, type DeadlineOptionsInput } from '../../../sim/policies/replica/deadline/deadline-options.js';
import { Rng } from '../../../sim/workload/rng.js';
import { compareFields, type Probe, type ProbeSet } from '../../kit/probes.js';
import type { DeadlineModule, LabScheduler } from './student.js';

type DeadlineProbe = Probe<DeadlineModule>;
type Run = DeadlineProbe['run'];
const probe =
  (hidden: boolean, compare?: DeadlineProbe['compare']) =>
  (name: string, run: Run): DeadlineProbe => ({ name, hidden, run, ...(compare !== undefined ? { compare } : {}) });
/** A fixed public case, and a hidden variant (its numbers drawn from the probe seed); `…State` compares field by field. */
const [pub, hid] = [probe(false), probe(true)];
const [pubState, hidState] = [probe(false, compareFields), probe(true, compareFields)];

interface SchedulerSpec {
  numBlocks?: number;
  chunkSize?: number;
  deadline?: DeadlineOptionsInput;
}

function scheduler(m: DeadlineModule, spec: SchedulerSpec = {}): LabScheduler {
  const limits = {
    batchSizeCap: 128,
    maxTokensInBatch: 4096,
    chunkSize: spec.chunkSize ?? 256,
    maxRequestTokens: 1 << 20,
  };
  const kv = new KvBlockManager(spec.numBlocks ?? 4096, 16, 0.01);
  return new m.DeadlineScheduler({ replicaId: 0, kv, limits }, DeadlineOptions.parse(spec.deadline ?? {}));
}

/**
 * A request: `computed` prompt tokens already done (a partial prefill, running), or its prefill
 * completed at `prefilledAt` and `generated − 1` more tokens out (a decode, running).
 */
interface Req {
  id: number;
  arrivedAt: number;
  prompt: number;
  tier?: number;
  computed?: number;
  prefilledAt?: number;
  generated?: number;
}

const req = (id: number, arrivedAt: number, prompt: number, more: Partial<Req> = {}): Req => ({
  id,
  arrivedAt,
  prompt,
  ...more,
});

function request(q: Req): Request {
  const r = new Request({
    id: q.id,
    arrivedAt: q.arrivedAt,
    numPrefillTokens: q.prompt,
    numDecodeTokens: 64,
    tier: q.tier ?? 0,
  });
  if (q.prefilledAt !== undefined || (q.computed ?? 0) > 0) r.onBatchStart(q.arrivedAt);
  if (q.prefilledAt !== undefined) {
    r.onBatchEnd(q.prefilledAt, q.prompt, 0.01);
    for (let k = 1; k < (q.generated ?? 1); k++) r.onBatchEnd(q.prefilledAt + 0.05 * k, 1, 0.01);
  } else if ((q.computed ?? 0) > 0) r.onBatchEnd(q.arrivedAt + 0.01, q.computed!, 0.01);
  return r;
}

/** A scheduler holding `running` (blocks allocated) and `waiting` (inserted through addRequest at time 0). */
function situation(m: DeadlineModule, spec: SchedulerSpec, running: Req[], waiting: Req[]) {
  const s = scheduler(m, spec);
  const all = new Map<number, Request>();
  for (const r of running.map(request)) {
    all.set(r.id, r);
    s.kv.allocate(r.id, s.kv.blocksFor(Math.max(r.numProcessedTokens, r.prefillTarget)));
    r.replicaId = 0;
    s.running.push(r);
  }
  for (const r of waiting.map(request)) {
    all.set(r.id, r);
    s.addRequest(r, 0);
  }
  return { s, get: (id: number) => all.get(id)! };
}

const ids = (list: readonly Request[]) => list.map((r) => r.id);
const sortedIds = (list: readonly Request[], cmp: (a: Request, b: Request) => number) => ids([...list].sort(cmp));
const round = (x: number) => Math.round(x * 1e9) / 1e9;

const lastBatch = new WeakMap<LabScheduler, Batch>();

/** Ends the batch `step` or `schedule` started: its requests advance, then the scheduler's bookkeeping. */
function advance(s: LabScheduler, end: number): void {
  const batch = lastBatch.get(s);
  if (batch === undefined) return;
  lastBatch.delete(s);
  for (let i = 0; i < batch.requests.length; i++) batch.requests[i]!.onBatchEnd(end, batch.numTokens[i]!, 0.05);
  s.onBatchEnd(batch, end);
}

/** Forms one batch through the engine entry point and reports it with the queues it leaves. */
function step(s: LabScheduler, now: number) {
  const batch = s.schedule(now);
  if (batch !== undefined) {
    for (const r of batch.requests) r.onBatchStart(now);
    batch.duration = 0.05;
    lastBatch.set(s, batch);
  }
  return {
    batch: batch === undefined ? [] : batch.requests.map((r, i) => [r.id, batch.numTokens[i]]),
    waiting: ids(s.waiting),
    running: ids(s.running).sort((a, b) => a - b),
    relegations: s.numRelegations,
  };
}

const randomRequests = (rng: Rng, n: number, firstId = 0): Req[] =>
  Array.from({ length: n }, (_, k) => ({
    id: firstId + k,
    arrivedAt: round(rng.next() * 20),
    prompt: rng.int(16, 4000),
    tier: rng.int(0, 2),
  }));

// ---- the probes of each item ------------------------------------------------------------------

function priorityKey(seed: number): DeadlineProbe[] {
  const variant = randomRequests(new Rng(seed).fork('priority-key'), 12);
  const order = (reqs: Req[], deadline: DeadlineOptionsInput) => (m: DeadlineModule) => {
    const s = scheduler(m, { deadline });
    return sortedIds(reqs.map(request), (a, b) => s.comparePrefills(a, b));
  };
  const at = (id: number, arrivedAt: number, prompt: number, tier = 0) => req(id, arrivedAt, prompt, { tier });
  return [
    pub(
      'equal arrivals, tiers 0/1/2, remaining 4000/10/10, α 0.008: keys 38 / 594.08 / 1794.08',
      order([at(2, 5, 10, 2), at(1, 5, 10, 1), at(0, 5, 4000)], {}),
    ),
    pub(
      'α 0.008: a tier-0 prompt of 4000 tokens goes after a later tier-0 prompt of 100 tokens (6+32 > 1+6+0.8)',
      order([at(0, 0, 4000), at(1, 1, 100)], {}),
    ),
    pub('ties: equal keys go by arrival, then by id', order([at(7, 3, 50), at(4, 3, 50), at(9, 2, 50)], {})),
    hid('α = 0 gives EDF order (arrival + TTFT deadline)', order(variant, { hybridAlpha: 0 })),
    hid('a very large α gives SRPF order (remaining prompt)', order(variant, { hybridAlpha: 1e6 })),
    hid('α 0.008 on 12 random requests', order(variant, {})),
    pub('relegated requests go after every request that is not, whatever their keys', (m) => {
      const { s, get } = situation(m, {}, [], [at(0, 0, 20), at(1, 9, 3000, 2), at(2, 1, 30)]);
      s.relegate(get(0));
      return {
        waiting: ids(s.waiting),
        sorted: sortedIds([get(0), get(1), get(2)], (a, b) => s.comparePrefills(a, b)),
      };
    }),
  ];
}

function tokenDeadline(seed: number): DeadlineProbe[] {
  const a = round(new Rng(seed).fork('token-deadline').next() * 50);
  const td =
    (spec: Omit<Req, 'id' | 'prompt'>, deadline: DeadlineOptionsInput = {}) =>
    (m: DeadlineModule) =>
      round(scheduler(m, { deadline }).tokenDeadline(request({ id: 0, prompt: 100, ...spec })));
  return [
    pub('tier 0 before its prefill: arrival + 6 + 0.1', td({ arrivedAt: 3 })),
    pub(
      'tier 0 prefilled at TTFT 2 s (< 6 s), 5 tokens out: arrival + 6 + 0.1 × 6',
      td({ arrivedAt: 3, prefilledAt: 5, generated: 5 }),
    ),
    pub(
      'tier 0 prefilled late (TTFT 8 s > 6 s): the actual TTFT counts',
      td({ arrivedAt: 3, prefilledAt: 11, generated: 2 }),
    ),
    pub(
      'tier 1 with 3 tokens out: arrival + (600 − 15 × 0.4) + 0.4 × 4',
      td({ arrivedAt: 3, tier: 1, prefilledAt: 4, generated: 3 }),
    ),
    hid(
      'tier 2, other TBT targets',
      td({ arrivedAt: a, tier: 2, prefilledAt: a + 1, generated: 7 }, { batchTbt: 0.3, outputLenPrediction: 20 }),
    ),
    hid('tier 0, other TBT target', td({ arrivedAt: a, prefilledAt: a + 9, generated: 4 }, { interactiveTbt: 0.05 })),
  ];
}

function decodeOrder(seed: number): DeadlineProbe[] {
  const rng = new Rng(seed).fork('decode-order');
  const decodes: Req[] = Array.from({ length: 6 }, (_, k) => ({
    id: k,
    arrivedAt: round(rng.next() * 5),
    prompt: 64,
    tier: k % 3 === 0 ? 0 : 1,
    prefilledAt: 6 + round(rng.next() * 3),
    generated: rng.int(1, 30),
  }));
  const decode = (id: number, arrivedAt: number, prefilledAt: number, generated: number, tier = 0) =>
    req(id, arrivedAt, 64, { tier, prefilledAt, generated });
  // Token deadlines 6.3, 9.3, 11.1, 7.6 and a tier-1 decode.
  const fixed = [
    decode(0, 0, 1, 2),
    decode(1, 0, 9, 2),
    decode(2, 1, 2, 40),
    decode(3, 0.5, 1, 10),
    decode(4, 0, 1, 2, 1),
  ];
  const sorted = (list: Req[], now: number) => (m: DeadlineModule) => {
    const s = scheduler(m);
    return sortedIds(list.map(request), (a, b) => s.compareDecodes(a, b, now));
  };
  const capped = (list: Req[], cap: number) => (m: DeadlineModule) =>
    step(situation(m, { chunkSize: cap }, list, []).s, 12)
      .batch.map(([id]) => id!)
      .sort((a, b) => a - b);
  return [
    pub('five decodes sorted by ascending slack', sorted(fixed, 5)),
    pub('more decodes than chunkSize (3): the three most urgent are batched', capped(fixed, 3)),
    hid('random decodes sorted', sorted(decodes, 7)),
    hid('random decodes, chunkSize 4: the four most urgent', capped(decodes, 4)),
  ];
}

function relegation(seed: number): DeadlineProbe[] {
  const extra = new Rng(seed).fork('relegation').int(1, 3000);
  const should =
    (prompt: number, now: number, setup?: (s: LabScheduler, r: Request) => void, tier = 0) =>
    (m: DeadlineModule) => {
      const { s, get } = situation(m, {}, [], [req(0, 0, prompt, { tier })]);
      setup?.(s, get(0));
      return s.shouldRelegate(get(0), now);
    };
  return [
    pub('tier 0, 50,000 prompt tokens at 8,500 tok/s cannot finish by 6 s: relegate', should(50000, 1)),
    pub(
      'the same request once relegated: not again',
      should(50000, 1, (s, r) => s.relegate(r)),
    ),
    pub('a request that can still finish (1,000 tokens): no', should(1000, 1)),
    pub(
      'the estimate is the EMA: at 20,000 tok/s the 50,000-token prompt fits in 6 s: no',
      should(50000, 1, (s) => {
        s.prefillThroughput = 20000;
      }),
    ),
    pub('exactly on the deadline (now + remaining / throughput = deadline): no', should(8500, 5)),
    hid('tier 1: TTFT deadline 594 s', should(8500 + extra, 593, undefined, 1)),
    pub('a request holding KV blocks (a partial prefill) is never relegated', (m) => {
      const { s, get } = situation(m, {}, [req(0, 0, 60000, { computed: 256 })], []);
      return s.shouldRelegate(get(0), 5);
    }),
    pubState(
      'in getNextBatch: a hopeless request is relegated once, before it gets blocks, and is still served',
      (m) => {
        const { s, get } = situation(m, { numBlocks: 8000 }, [], [req(0, 0, 60000), req(1, 0.5, 300)]);
        const first = step(s, 1);
        const holdsAfterFirst = s.kv.holds(0);
        advance(s, 1.5);
        for (let k = 0; k < 400 && !get(0).isPrefillComplete; k++) {
          if (step(s, 2 + k).batch.length === 0) break;
          advance(s, 2.5 + k);
        }
        return { first, holdsAfterFirst, relegations: s.numRelegations, prefilled: get(0).isPrefillComplete };
      },
    ),
  ];
}

function modelFit(seed: number): DeadlineProbe[] {
  const truth: BatchTimeModel = {
    small: [0.01, 6e-5, 2e-5, 4e-5, 1e-7, 8e-7],
    large: [0.005, 3e-5, 7e-5, -4e-5, 2e-7, 3e-6],
  };
  const sample = (rng: Rng, noise: number): BatchSample => {
    const decode = rng.int(0, 120);
    const prefill = rng.next() < 0.5 ? rng.int(520, 2400) : rng.int(0, Math.max(0, 500 - decode));
    const f = {
      numTokens: prefill + decode,
      numPrefillTokens: prefill,
      numDecodeTokens: decode,
      decodeContext: decode * rng.int(100, 3000),
      prefillContext: prefill + rng.int(0, 2000) * (prefill > 0 ? 1 : 0),
    };
    return { ...f, seconds: predictBatchTime(truth, f) * (1 + noise * (2 * rng.next() - 1)) };
  };
  // The public cases' batches are fixed (the handout ships their values); the noisy ones come from the seed.
  const fixed = new Rng(1).fork('model-fit');
  const batches = (rng: Rng, n: number, noise = 0) => Array.from({ length: n }, () => sample(rng, noise));
  const heldOut = batches(fixed, 20);
  const exact = batches(fixed, 300);
  const noisy = batches(new Rng(seed).fork('model-fit'), 300, 0.05);
  const fewLarge = exact.filter((s) => s.numTokens <= 512).concat(exact.filter((s) => s.numTokens > 512).slice(0, 5));
  const predictions = (samples: BatchSample[]) => (m: DeadlineModule) => {
    const model = m.fitBatchTimeModel(samples, NIYAMA_BATCH_TIME_MODEL);
    return heldOut.map((f) => predictBatchTime(model, f));
  };
  return [
    pub('noise-free batches from known coefficients: the fit predicts exactly', predictions(exact.slice(0, 120))),
    hid('300 batches with ±5% noise: the least-squares predictions', predictions(noisy)),
    pub('only 5 large batches (< minSamples 12): the large side keeps the fallback coefficients', (m) => {
      const model = m.fitBatchTimeModel(fewLarge, NIYAMA_BATCH_TIME_MODEL);
      const small = heldOut.filter((f) => f.numTokens <= 512);
      return { large: [...model.large], smallPredictions: small.map((f) => predictBatchTime(model, f)) };
    }),
    pub('no samples at all: both sides keep the fallback', (m) => m.fitBatchTimeModel([], NIYAMA_BATCH_TIME_MODEL)),
  ];
}

function dynamicChunk(seed: number): DeadlineProbe[] {
  const rng = new Rng(seed).fork('dynamic-chunk');
  const size =
    (n: number, context: number, slack: (s: LabScheduler, d: Request[]) => number, freeBlocks?: number) =>
    (m: DeadlineModule) => {
      const s = scheduler(m);
      const d = Array.from({ length: n }, (_, id) =>
        request({ id, arrivedAt: 0, prompt: context - 1, prefilledAt: 1, generated: 1 }),
      );
      return s.prefillSizeBySlack(slack(s, d), d, freeBlocks ?? s.kv.numFreeBlocks);
    };
  /** 1.2 × the predicted time of a batch of T tokens with these decodes (the handout's features): a slack on a size's boundary. */
  const boundary = (t: number) => (s: LabScheduler, d: Request[]) => {
    const prefill = Math.max(0, t - d.length);
    const decodeContext = d.reduce((x, r) => x + r.numProcessedTokens, 0);
    const features = { numTokens: Math.max(t, d.length), numPrefillTokens: prefill, numDecodeTokens: d.length };
    return (
      s.deadline.chunkSafetyFactor *
      predictBatchTime(s.batchTimeModel, { ...features, decodeContext, prefillContext: prefill })
    );
  };
  const n = rng.int(1, 60);
  const ctx = rng.int(100, 3000);
  const slack = round(0.02 + rng.next() * 0.3);
  return [
    pub(
      'no decodes: the largest size, 2552',
      size(0, 0, () => Number.POSITIVE_INFINITY),
    ),
    pub(
      'smallest slack ≤ 0: 128 − decodes',
      size(10, 500, () => -0.5),
    ),
    pub('slack exactly 1.2 × predict(1024): 1024 − decodes (the boundary is accepted)', size(10, 500, boundary(1024))),
    pub(
      'slack a hair below 1.2 × predict(1024): 768 − decodes',
      size(10, 500, (s, d) => boundary(1024)(s, d) * (1 - 1e-9)),
    ),
    pub(
      'low free memory (500 blocks: 250 < 1000): sizes 128/256/384/512 only',
      size(10, 500, () => 10, 500),
    ),
    pub(
      'more decodes than the size chosen: 0 prompt tokens',
      size(200, 500, () => -1),
    ),
    hid(
      `random slack (${slack} s), ${n} decodes of ${ctx} tokens`,
      size(n, ctx, () => slack),
    ),
    hid('random boundary at 1536', size(n, ctx, boundary(1536))),
  ];
}

function schedule(seed: number): DeadlineProbe[] {
  const random = (m: DeadlineModule) => {
    const rng = new Rng(seed).fork('schedule');
    const running: Req[] = Array.from({ length: 8 }, (_, k) => ({
      id: k,
      arrivedAt: round(rng.next() * 4),
      prompt: rng.int(50, 800),
      tier: rng.int(0, 2),
      prefilledAt: 5,
      generated: rng.int(1, 40),
    }));
    const waiting = randomRequests(rng, 6, 8).map((q) => ({ ...q, arrivedAt: 5 + q.arrivedAt / 10 }));
    return step(situation(m, {}, running, waiting).s, 8);
  };
  return [
    pubState('decodes first, then prompts in priority order up to the dynamic chunk', (m) => {
      const decoding = [
        req(0, 0, 300, { prefilledAt: 1, generated: 3 }),
        req(1, 0.2, 200, { tier: 1, prefilledAt: 1.5, generated: 5 }),
      ];
      const waiting = [req(3, 1, 900), req(4, 1.2, 150, { tier: 2 }), req(5, 1.3, 5000)];
      return step(situation(m, {}, [...decoding, req(2, 0.5, 2000, { computed: 512 })], waiting).s, 2);
    }),
    // 150 blocks: the partial prefill keeps taking chunks; the waiting head (3,000 tokens = 188 blocks) does not fit, nobody skips it.
    pubState('a waiting head that does not fit closes admission; the prompt in progress continues', (m) => {
      const waiting = [req(1, 0.1, 3000), req(2, 0.2, 50, { tier: 1 })];
      return step(situation(m, { numBlocks: 150 }, [req(0, 0, 1000, { computed: 256 })], waiting).s, 1);
    }),
    hidState('a random situation', random),
  ];
}

/** Every unit item's probes, by item id (labs/deadline/manifest.json). */
export const DEADLINE_PROBES = {
  'priority-key': priorityKey,
  'token-deadline': tokenDeadline,
  'decode-order': decodeOrder,
  relegation,
  'model-fit': modelFit,
  'dynamic-chunk': dynamicChunk,
  schedule,
} satisfies Record<string, ProbeSet<DeadlineModule>>;
