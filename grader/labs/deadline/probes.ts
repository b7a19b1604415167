/**
 * The deadline lab's unit probes (grader/kit/probes.ts): small scripted replicas and requests, each
 * probe a function of the lab module that returns plain data. The child runs them on the student's
 * code, the parent on the reference (grader/kit/unit-item.ts), so no expected value is written here;
 * the literals in the names are the handout's worked numbers. Hidden variants draw from the probe seed.
 */
import type { Request } from '../../../sim/entities/request.js';
import { KvBlockManager } from '../../../sim/memory/kv-block-manager.js';
import * as btm from '../../../sim/policies/replica/deadline/batch-time-model.js';
import { DeadlineOptions, type DeadlineOptionsInput } from '../../../sim/policies/replica/deadline/deadline-options.js';
import { Rng } from '../../../sim/workload/rng.js';
import { compareFields, compareSteps, probeKind, type Probe, type ProbeSet } from '../../kit/probes.js';
import { advance, holding, ids, req, scripted as request, step as stepOnce } from '../../kit/hand-made.js';
import type { Scripted as Req } from '../../kit/hand-made.js';
import type { DeadlineModule, LabScheduler } from './student.js';

type DeadlineProbe = Probe<DeadlineModule>;
type Run = DeadlineProbe['run'];
/** A fixed public case, a hidden variant (its numbers drawn from the probe seed); `pubState` compares field by field, `hidSteps` iteration by iteration. */
const kind = probeKind<DeadlineModule>;
const [pub, hid, pubState, hidSteps] = [kind(false), kind(true), kind(false, compareFields), kind(true, compareSteps)];
/** A hidden variant with the default options, and one with `drawn` options (tier deadlines, TBT targets, α). */
const both = (drawn: DeadlineOptionsInput, name: string, run: (deadline: DeadlineOptionsInput) => Run) => [
  hid(name, run({})),
  hid(`${name}; drawn tier deadlines, TBT targets and α`, run(drawn)),
];

type SchedulerSpec = { numBlocks?: number; chunkSize?: number; deadline?: DeadlineOptionsInput };

function scheduler(m: DeadlineModule, { numBlocks = 4096, chunkSize = 256, deadline = {} }: SchedulerSpec = {}) {
  const limits = { batchSizeCap: 128, maxTokensInBatch: 4096, chunkSize, maxRequestTokens: 1 << 20 };
  const kv = new KvBlockManager(numBlocks, 16, 0.01);
  return new m.DeadlineScheduler({ replicaId: 0, kv, limits }, DeadlineOptions.parse(deadline));
}

/** A run on a fresh scheduler of the module with `deadline` options. */
function fresh(deadline: DeadlineOptionsInput, f: (s: LabScheduler) => unknown): Run {
  return (m) => f(scheduler(m, { deadline }));
}
const situation = (m: DeadlineModule, spec: SchedulerSpec, running: Req[], waiting: Req[]) =>
  holding(scheduler(m, spec), running, waiting);
const sortedIds = (list: readonly Request[], cmp: (a: Request, b: Request) => number) => ids([...list].sort(cmp));
const round = (x: number) => Math.round(x * 1e9) / 1e9;
/** One iteration through `schedule` (grader/kit/hand-made.ts), with the relegations so far. */
const step = (s: LabScheduler, now: number) => ({ ...stepOnce(s, now), relegations: s.numRelegations });

/** Tier deadlines, TBT targets, output-length prediction and α drawn from the seed (batch tiers' TTFT deadlines stay positive). */
const drawnOptions = (rng: Rng): DeadlineOptionsInput => ({
  tierDeadlines: [rng.int(3, 10), rng.int(30, 120), rng.int(120, 600)],
  interactiveTbt: round(0.02 + 0.2 * rng.next()),
  batchTbt: round(0.1 + 0.7 * rng.next()),
  outputLenPrediction: rng.int(5, 30),
  hybridAlpha: round(0.02 * rng.next()),
});

/** `n` prompts (ids from `first`): tiers 0–2, arrivals in [0, `spread`) s, a third part-way through their prefill (`partial`). */
const prompts = (rng: Rng, n: number, first = 0, partial = true, spread = 5): Req[] =>
  Array.from({ length: n }, (_, k) => {
    const q = req(first + k, round(spread * rng.next()), rng.int(16, 4000), { tier: rng.int(0, 2) });
    return partial && rng.next() < 1 / 3 ? { ...q, computed: rng.int(1, q.prompt - 1) } : q;
  });

/** `n` decodes (ids from `first`): tiers 0–2, prefilled 0–10 s after arrival (tier 0: early or late), 1–40 tokens out. */
const decodes = (rng: Rng, n: number, first = 0): Req[] =>
  Array.from({ length: n }, (_, k) => {
    const arrivedAt = round(5 * rng.next());
    const more = { tier: rng.int(0, 2), prefilledAt: arrivedAt + round(10 * rng.next()), generated: rng.int(1, 40) };
    return req(first + k, arrivedAt, rng.int(16, 600), more);
  });

function priorityKey(seed: number): DeadlineProbe[] {
  const rng = new Rng(seed).fork('priority-key');
  const [mixed, options] = [prompts(rng, 12, 0, true, 150), drawnOptions(rng)];
  const waiting = prompts(rng, 10, 0, false);
  // Tier 0 arriving 588 s after tier 1 (TTFT deadlines 6 and 594 s): the two tiers' keys interleave.
  const flip = (q: Req, k: number) => ({ ...q, tier: 1 - (k % 2), arrivedAt: q.arrivedAt + 588 * (k % 2) });
  const close = prompts(rng, 10, 0, true, 10).map(flip);

  const relegated = rng.shuffle(waiting.map((q) => q.id)).slice(0, 4);
  const order = (reqs: Req[], deadline: DeadlineOptionsInput) =>
    fresh(deadline, (s) => sortedIds(reqs.map(request), (a, b) => s.comparePrefills(a, b)));
  const at = (id: number, arrivedAt: number, prompt: number, tier = 0) => req(id, arrivedAt, prompt, { tier });
  const keys = [at(2, 5, 10, 2), at(1, 5, 10, 1), at(0, 5, 4000)];
  return [
    pub('equal arrivals, tiers 0/1/2, remaining 4000/10/10, α 0.008: keys 38 / 594.08 / 1794.08', order(keys, {})),
    pub(
      'α 0.008: a tier-0 prompt of 4000 tokens goes after a later tier-0 prompt of 100 tokens (6+32 > 1+6+0.8)',
      order([at(0, 0, 4000), at(1, 1, 100)], {}),
    ),
    pub('ties: equal keys go by arrival, then by id', order([at(7, 3, 50), at(4, 3, 50), at(9, 2, 50)], {})),
    hid('12 prompts of tiers 0–2 over 150 s, some in prefill: α = 0 gives EDF order', order(mixed, { hybridAlpha: 0 })),
    hid('the same prompts: a very large α gives SRPF order (remaining prompt)', order(mixed, { hybridAlpha: 1e6 })),
    hid('the same prompts, α 0.008', order(mixed, {})),
    hid(`the same prompts, drawn tier deadlines and α ${options.hybridAlpha}`, order(mixed, options)),
    hid('tier-0 prompts 588 s after tier-1 ones: the keys interleave (α 8e-4)', order(close, { hybridAlpha: 8e-4 })),
    pub('relegated requests go after every request that is not, whatever their keys', (m) => {
      const { s, get } = situation(m, {}, [], [at(0, 0, 20), at(1, 9, 3000, 2), at(2, 1, 30)]);
      s.relegate(get(0));
      const sorted = sortedIds([get(0), get(1), get(2)], (a, b) => s.comparePrefills(a, b));
      return { waiting: ids(s.waiting), sorted };
    }),
    hid(`10 waiting prompts of tiers 0–2, ${relegated.join(', ')} relegated in this order: the waiting queue`, (m) => {
      const { s, get } = situation(m, { deadline: options }, [], waiting);
      for (const id of relegated) s.relegate(get(id));
      return ids(s.waiting);
    }),
  ];
}

function tokenDeadline(seed: number): DeadlineProbe[] {
  const rng = new Rng(seed).fork('token-deadline');
  const [mixed, options] = [[...prompts(rng, 4), ...decodes(rng, 8, 4)], drawnOptions(rng)];
  /** The token deadline of a 100-token prompt arrived at 3 s (prefilled at `prefilledAt`, `generated` tokens out). */
  const td = (prefilledAt?: number, generated?: number, tier = 0) => {
    const q = req(0, 3, 100, { tier, ...(prefilledAt === undefined ? {} : { prefilledAt, generated }) });
    return fresh({}, (s) => round(s.tokenDeadline(request(q))));
  };
  const all = (deadline: DeadlineOptionsInput) =>
    fresh(deadline, (s) => mixed.map((q) => round(s.tokenDeadline(request(q)))));
  return [
    pub('tier 0 before its prefill: arrival + 6 + 0.1', td()),
    pub('tier 0 prefilled at TTFT 2 s (< 6 s), 5 tokens out: arrival + 6 + 0.1 × 6', td(5, 5)),
    pub('tier 0 prefilled late (TTFT 8 s > 6 s): the actual TTFT counts', td(11, 2)),
    pub('tier 1 with 3 tokens out: arrival + (600 − 15 × 0.4) + 0.4 × 4', td(4, 3, 1)),
    ...both(options, '12 requests of tiers 0–2: waiting, in prefill, decoding after an early or a late prefill', all),
  ];
}

function decodeOrder(seed: number): DeadlineProbe[] {
  const rng = new Rng(seed).fork('decode-order');
  const [drawn, options, now] = [decodes(rng, 10), drawnOptions(rng), round(17 + 5 * rng.next())];
  const dec = (id: number, arrivedAt: number, prefilledAt: number, generated: number, tier = 0) =>
    req(id, arrivedAt, 64, { tier, prefilledAt, generated });
  // Token deadlines 6.3, 9.3, 11.1, 7.6 and a tier-1 decode.
  const fixed = [dec(0, 0, 1, 2), dec(1, 0, 9, 2), dec(2, 1, 2, 40), dec(3, 0.5, 1, 10), dec(4, 0, 1, 2, 1)];
  const sorted = (list: Req[], now: number) => (deadline: DeadlineOptionsInput) =>
    fresh(deadline, (s) => sortedIds(list.map(request), (a, b) => s.compareDecodes(a, b, now)));
  /** The decodes batched when there are more than chunkSize. */
  const capped =
    (list: Req[], chunkSize: number, now: number) => (deadline: DeadlineOptionsInput) => (m: DeadlineModule) =>
      step(situation(m, { chunkSize, deadline }, list, []).s, now)
        .batch.map(([id]) => id!)
        .sort((a, b) => a - b);
  return [
    pub('five decodes sorted by ascending slack', sorted(fixed, 5)({})),
    pub('more decodes than chunkSize (3): the three most urgent are batched', capped(fixed, 3, 12)({})),
    ...both(options, `10 decodes of tiers 0–2 sorted at t=${now}`, sorted(drawn, now)),
    ...both(options, 'the same decodes, chunkSize 4: the four most urgent', capped(drawn, 4, now)),
  ];
}

function relegation(seed: number): DeadlineProbe[] {
  const rng = new Rng(seed).fork('relegation');
  const options = drawnOptions(rng);
  // Prompts log-uniform over 500–1,000,000 tokens, at an EMA of 3,000–20,000 tok/s: some can finish, some cannot.
  const waiting = Array.from({ length: 12 }, (_, k) =>
    req(k, round(5 * rng.next()), Math.round(500 * 2000 ** rng.next()), { tier: rng.int(0, 2) }),
  );
  const [throughput, now, numBlocks] = [rng.int(3000, 20000), round(5 + 3 * rng.next()), rng.int(5000, 30000)];
  // and a tier-1 prompt needing 10–400 s: past tier 0's TTFT deadline, within its own.
  waiting.push(req(14, 0, Math.round(throughput * (10 + 390 * rng.next())), { tier: 1 }));
  const inProgress = [req(12, 0, 60000, { computed: 256 }), req(13, 1, 9000, { computed: 512, tier: 1 })];
  /** shouldRelegate for one waiting tier-0 prompt, after `setup`: 'relegated' relegates it, 'ema' sets the EMA to 20,000. */
  const should = (prompt: number, now: number, setup?: 'relegated' | 'ema') => (m: DeadlineModule) => {
    const { s, get } = situation(m, {}, [], [req(0, 0, prompt)]);
    if (setup === 'relegated') s.relegate(get(0));
    if (setup === 'ema') s.prefillThroughput = 20000;
    return s.shouldRelegate(get(0), now);
  };
  /** The drawn replica: its waiting requests' answers, or (`n`) n iterations of getNextBatch. */
  const drawn = (n: number) => (deadline: DeadlineOptionsInput) => (m: DeadlineModule) => {
    const { s, get } = situation(m, { numBlocks, deadline }, inProgress, waiting);
    s.prefillThroughput = throughput;
    if (n > 0) return iterations(s, now, n);
    s.relegate(get(0));
    return [...waiting, ...inProgress].map((q) => s.shouldRelegate(get(q.id), now));
  };
  return [
    pub('tier 0, 50,000 prompt tokens at 8,500 tok/s cannot finish by 6 s: relegate', should(50000, 1)),
    pub('the same request once relegated: not again', should(50000, 1, 'relegated')),
    pub('a request that can still finish (1,000 tokens): no', should(1000, 1)),
    pub('the estimate is the EMA: at 20,000 tok/s the 50,000-token prompt fits in 6 s: no', should(50000, 1, 'ema')),
    pub('exactly on the deadline (now + remaining / throughput = deadline): no', should(8500, 5)),
    ...both(options, `13 waiting prompts (one relegated), 2 in progress, EMA ${throughput} tok/s`, drawn(0)),
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
    hidSteps(`in getNextBatch, the same requests on ${numBlocks} blocks: 4 iterations`, drawn(4)(options)),
  ];
}

/** `n` iterations from `now`, 0.05 s each: the batches, the queues they leave and the relegations so far. */
const iterations = (s: LabScheduler, now: number, n: number) =>
  Array.from({ length: n }, (_, k) => {
    const state = step(s, round(now + 0.05 * k));
    advance(s, round(now + 0.05 * (k + 1)));
    return state;
  });

function modelFit(seed: number): DeadlineProbe[] {
  const truth: btm.BatchTimeModel = {
    small: [0.01, 6e-5, 2e-5, 4e-5, 1e-7, 8e-7],
    large: [0.005, 3e-5, 7e-5, -4e-5, 2e-7, 3e-6],
  };
  /** A batch: large or small at random, or (`split`) exactly SPLIT_TOKENS tokens. */
  const sample = (rng: Rng, noise: number, split = false): btm.BatchSample => {
    const decode = rng.int(0, 120);
    const large = rng.next() < 0.5;
    const prefill = split ? 512 - decode : large ? rng.int(520, 2400) : rng.int(0, Math.max(0, 500 - decode));
    const [decodeContext, context] = [decode * rng.int(100, 3000), rng.int(0, 2000)];
    const prefillContext = prefill > 0 ? prefill + context : 0;
    const numTokens = prefill + decode;
    const f = { numTokens, numPrefillTokens: prefill, numDecodeTokens: decode, decodeContext, prefillContext };
    return { ...f, seconds: btm.predictBatchTime(truth, f) * (1 + noise * (2 * rng.next() - 1)) };
  };
  const batches = (rng: Rng, n: number, noise = 0, split = false) =>
    Array.from({ length: n }, () => sample(rng, noise, split));
  // The public cases' batches are fixed (the handout ships their values); the noisy ones come from the seed.
  const fixed = new Rng(1).fork('model-fit');
  const [heldOut, exact, rng] = [batches(fixed, 20), batches(fixed, 300), new Rng(seed).fork('model-fit')];
  const noisy = [...batches(rng, 300, 0.05), ...batches(rng, 15, 0.05, true)];
  const fewLarge = exact.filter((s) => s.numTokens <= 512).concat(exact.filter((s) => s.numTokens > 512).slice(0, 5));
  const withLarge = (n: number) =>
    noisy.filter((s) => s.numTokens <= 512).concat(noisy.filter((s) => s.numTokens > 512).slice(0, n));
  const predictions = (samples: btm.BatchSample[], minSamples?: number) => (m: DeadlineModule) => {
    const model = m.fitBatchTimeModel(samples, btm.NIYAMA_BATCH_TIME_MODEL, minSamples);
    return heldOut.map((f) => btm.predictBatchTime(model, f));
  };
  return [
    pub('noise-free batches from known coefficients: the fit predicts exactly', predictions(exact.slice(0, 120))),
    hid('315 batches with ±5% noise, 15 of exactly 512 tokens: the least-squares predictions', predictions(noisy)),
    pub('only 5 large batches (< minSamples 12): the large side keeps the fallback coefficients', (m) => {
      const model = m.fitBatchTimeModel(fewLarge, btm.NIYAMA_BATCH_TIME_MODEL);
      const small = heldOut.filter((f) => f.numTokens <= 512);
      return { large: [...model.large], smallPredictions: small.map((f) => btm.predictBatchTime(model, f)) };
    }),
    hid('noisy batches, exactly 12 large ones (= minSamples): both sides fitted', predictions(withLarge(12))),
    hid('noisy batches, 11 large ones: the large side keeps the fallback', predictions(withLarge(11))),
    hid('noisy batches, 39 large ones, minSamples 40: the large side is not fitted', predictions(withLarge(39), 40)),
    pub('no samples at all: both sides keep the fallback', (m) => m.fitBatchTimeModel([], btm.NIYAMA_BATCH_TIME_MODEL)),
  ];
}

function dynamicChunk(seed: number): DeadlineProbe[] {
  const rng = new Rng(seed).fork('dynamic-chunk');
  type Slack = number | ((s: LabScheduler, d: Request[]) => number);
  /** prefillSizeBySlack for decodes of these contexts, the smallest slack `slack`, and `freeBlocks` (default: all). */
  const size = (contexts: number[], slack: Slack, freeBlocks?: number) => (m: DeadlineModule) => {
    const s = scheduler(m);
    const d = contexts.map((c, id) => request({ id, arrivedAt: 0, prompt: c - 1, prefilledAt: 1, generated: 1 }));
    return s.prefillSizeBySlack(typeof slack === 'number' ? slack : slack(s, d), d, freeBlocks ?? s.kv.numFreeBlocks);
  };
  /** `factor` × 1.2 × the predicted time of a batch of T tokens with these decodes (the handout's features): a size's boundary. */
  function boundary(t: number, factor = 1) {
    return (s: LabScheduler, d: Request[]) => {
      const [n, decodeContext] = [d.length, d.reduce((x, r) => x + r.numProcessedTokens, 0)];
      const [prefill, numTokens] = [Math.max(0, t - n), Math.max(t, n)];
      const f = { numTokens, numPrefillTokens: prefill, numDecodeTokens: n, decodeContext, prefillContext: prefill };
      return factor * s.deadline.chunkSafetyFactor * btm.predictBatchTime(s.batchTimeModel, f);
    };
  }
  const ten = new Array<number>(10).fill(500);
  const drawn = Array.from({ length: rng.int(2, 60) }, () => rng.int(100, 3000));
  const [slack, big] = [round(0.02 + 0.3 * rng.next()), btm.CHUNK_SIZES[rng.int(1, btm.CHUNK_SIZES.length - 1)]!];
  const lowBlocks = rng.int(50, 1999);
  const low = btm.LOW_MEMORY_CHUNK_SIZES[rng.int(1, btm.LOW_MEMORY_CHUNK_SIZES.length - 1)]!;
  return [
    pub('no decodes: the largest size, 2552', size([], Number.POSITIVE_INFINITY)),
    pub('smallest slack ≤ 0: 128 − decodes', size(ten, -0.5)),
    pub('slack exactly 1.2 × predict(1024): 1024 − decodes (the boundary is accepted)', size(ten, boundary(1024))),
    pub('slack a hair below 1.2 × predict(1024): 768 − decodes', size(ten, boundary(1024, 1 - 1e-9))),
    pub('low free memory (500 blocks: 250 < 1000): sizes 128/256/384/512 only', size(ten, 10, 500)),
    pub('more decodes than the size chosen: 0 prompt tokens', size(new Array<number>(200).fill(500), -1)),
    hid(`${drawn.length} decodes of 100–3,000 tokens, slack ${slack} s`, size(drawn, slack)),
    hid(`the same decodes, slack on the boundary of ${big}`, size(drawn, boundary(big))),
    hid(`the same decodes, a hair below the boundary of ${big}`, size(drawn, boundary(big, 0.999999))),
    hid(`the same decodes, ${lowBlocks} free blocks, on the boundary of ${low}`, size(drawn, boundary(low), lowBlocks)),
  ];
}

function schedule(seed: number): DeadlineProbe[] {
  const rng = new Rng(seed).fork('schedule');
  const partials = prompts(rng, 4, 8).map((q) => ({ ...q, computed: rng.int(1, q.prompt - 1) }));
  const [running, waiting] = [[...decodes(rng, 8), ...partials], prompts(rng, 6, 12, false)];
  waiting.push(req(18, 1, rng.int(60000, 90000), { tier: rng.int(0, 2) }));
  const [options, numBlocks] = [drawnOptions(rng), rng.int(1500, 5000)];
  const drawn = (chunkSize: number) => (deadline: DeadlineOptionsInput) => (m: DeadlineModule) =>
    iterations(situation(m, { numBlocks, deadline, chunkSize }, running, waiting).s, 17, 4);
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
    hidSteps(`8 decodes, 4 prompts in prefill, 7 waiting (1 hopeless), ${numBlocks} blocks: 4 steps`, drawn(256)({})),
    hidSteps('the same replica, chunkSize 6, drawn tier deadlines, TBT targets and α: 4 steps', drawn(6)(options)),
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
