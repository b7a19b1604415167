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
import type { Probe, ProbeSet } from '../../kit/probes.js';
import type { DeadlineModule, LabScheduler } from './student.js';

type DeadlineProbe = Probe<DeadlineModule>;

interface SchedulerSpec {
  numBlocks?: number;
  chunkSize?: number;
  batchSizeCap?: number;
  deadline?: DeadlineOptionsInput;
}

function scheduler(m: DeadlineModule, spec: SchedulerSpec = {}): LabScheduler {
  return new m.DeadlineScheduler(
    {
      replicaId: 0,
      kv: new KvBlockManager(spec.numBlocks ?? 4096, 16, 0.01),
      limits: {
        batchSizeCap: spec.batchSizeCap ?? 128,
        maxTokensInBatch: 4096,
        chunkSize: spec.chunkSize ?? 256,
        maxRequestTokens: 1 << 20,
      },
    },
    DeadlineOptions.parse(spec.deadline ?? {}),
  ) as LabScheduler;
}

interface Req {
  id: number;
  arrivedAt: number;
  prompt: number;
  decode?: number;
  tier?: number;
  /** Prompt tokens already computed (a partial prefill); the request then holds its blocks and is running. */
  computed?: number;
  /** Prefill completed at this time, then `generated − 1` more tokens (a decode, running). */
  prefilledAt?: number;
  generated?: number;
}

function request(spec: Req): Request {
  const r = new Request({
    id: spec.id,
    arrivedAt: spec.arrivedAt,
    numPrefillTokens: spec.prompt,
    numDecodeTokens: spec.decode ?? 64,
    tier: spec.tier ?? 0,
  });
  if (spec.prefilledAt !== undefined) {
    r.onBatchStart(spec.arrivedAt);
    r.onBatchEnd(spec.prefilledAt, spec.prompt, 0.01);
    for (let k = 1; k < (spec.generated ?? 1); k++) r.onBatchEnd(spec.prefilledAt + 0.05 * k, 1, 0.01);
  } else if ((spec.computed ?? 0) > 0) {
    r.onBatchStart(spec.arrivedAt);
    r.onBatchEnd(spec.arrivedAt + 0.01, spec.computed!, 0.01);
  }
  return r;
}

/** A scheduler holding `running` (blocks allocated) and `waiting` (inserted through addRequest). */
function situation(m: DeadlineModule, spec: SchedulerSpec, running: Req[], waiting: Req[], now = 0) {
  const s = scheduler(m, spec);
  const all = new Map<number, Request>();
  for (const spec of running) {
    const r = request(spec);
    all.set(r.id, r);
    s.kv.allocate(r.id, s.kv.blocksFor(Math.max(r.numProcessedTokens, r.prefillTarget)));
    r.replicaId = 0;
    s.running.push(r);
  }
  for (const spec of waiting) {
    const r = request(spec);
    all.set(r.id, r);
    s.addRequest(r, now);
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

function randomRequests(rng: Rng, n: number, firstId = 0): Req[] {
  return Array.from({ length: n }, (_, k) => ({
    id: firstId + k,
    arrivedAt: round(rng.next() * 20),
    prompt: rng.int(16, 4000),
    tier: rng.int(0, 2),
  }));
}

// ---- the probes of each item ------------------------------------------------------------------

function priorityKey(seed: number): DeadlineProbe[] {
  const rng = new Rng(seed).fork('priority-key');
  const variant = randomRequests(rng, 12);
  const order = (reqs: Req[], deadline: DeadlineOptionsInput) => (m: DeadlineModule) => {
    const s = scheduler(m, { deadline });
    return sortedIds(reqs.map(request), (a, b) => s.comparePrefills(a, b));
  };
  return [
    {
      name: 'equal arrivals, tiers 0/1/2, remaining 4000/10/10, α 0.008: keys 38 / 594.08 / 1794.08',
      hidden: false,
      run: order(
        [
          { id: 2, arrivedAt: 5, prompt: 10, tier: 2 },
          { id: 1, arrivedAt: 5, prompt: 10, tier: 1 },
          { id: 0, arrivedAt: 5, prompt: 4000, tier: 0 },
        ],
        {},
      ),
    },
    {
      name: 'α 0.008: a tier-0 prompt of 4000 tokens goes after a later tier-0 prompt of 100 tokens (6+32 > 1+6+0.8)',
      hidden: false,
      run: order(
        [
          { id: 0, arrivedAt: 0, prompt: 4000 },
          { id: 1, arrivedAt: 1, prompt: 100 },
        ],
        {},
      ),
    },
    {
      name: 'ties: equal keys go by arrival, then by id',
      hidden: false,
      run: order(
        [
          { id: 7, arrivedAt: 3, prompt: 50 },
          { id: 4, arrivedAt: 3, prompt: 50 },
          { id: 9, arrivedAt: 2, prompt: 50 },
        ],
        {},
      ),
    },
    { name: 'α = 0 gives EDF order (arrival + TTFT deadline)', hidden: true, run: order(variant, { hybridAlpha: 0 }) },
    {
      name: 'a very large α gives SRPF order (remaining prompt)',
      hidden: true,
      run: order(variant, { hybridAlpha: 1e6 }),
    },
    { name: 'α 0.008 on 12 random requests', hidden: true, run: order(variant, {}) },
    {
      name: 'relegated requests go after every request that is not, whatever their keys',
      hidden: false,
      run: (m) => {
        const { s, get } = situation(
          m,
          {},
          [],
          [
            { id: 0, arrivedAt: 0, prompt: 20 },
            { id: 1, arrivedAt: 9, prompt: 3000, tier: 2 },
            { id: 2, arrivedAt: 1, prompt: 30 },
          ],
        );
        s.relegate(get(0));
        return {
          waiting: ids(s.waiting),
          sorted: sortedIds([get(0), get(1), get(2)], (a, b) => s.comparePrefills(a, b)),
        };
      },
    },
  ];
}

function tokenDeadline(seed: number): DeadlineProbe[] {
  const rng = new Rng(seed).fork('token-deadline');
  const td =
    (spec: Req, deadline: DeadlineOptionsInput = {}) =>
    (m: DeadlineModule) =>
      round(scheduler(m, { deadline }).tokenDeadline(request(spec)));
  const a = round(rng.next() * 50);
  return [
    {
      name: 'tier 0 before its prefill: arrival + 6 + 0.1',
      hidden: false,
      run: td({ id: 0, arrivedAt: 3, prompt: 100 }),
    },
    {
      name: 'tier 0 prefilled at TTFT 2 s (< 6 s), 5 tokens out: arrival + 6 + 0.1 × 6',
      hidden: false,
      run: td({ id: 0, arrivedAt: 3, prompt: 100, prefilledAt: 5, generated: 5 }),
    },
    {
      name: 'tier 0 prefilled late (TTFT 8 s > 6 s): the actual TTFT counts',
      hidden: false,
      run: td({ id: 0, arrivedAt: 3, prompt: 100, prefilledAt: 11, generated: 2 }),
    },
    {
      name: 'tier 1 with 3 tokens out: arrival + (600 − 15 × 0.4) + 0.4 × 4',
      hidden: false,
      run: td({ id: 0, arrivedAt: 3, prompt: 100, tier: 1, prefilledAt: 4, generated: 3 }),
    },
    {
      name: 'tier 2, other TBT targets',
      hidden: true,
      run: td(
        { id: 0, arrivedAt: a, prompt: 100, tier: 2, prefilledAt: a + 1, generated: 7 },
        { batchTbt: 0.3, outputLenPrediction: 20 },
      ),
    },
    {
      name: 'tier 0, other TBT target',
      hidden: true,
      run: td({ id: 0, arrivedAt: a, prompt: 100, prefilledAt: a + 9, generated: 4 }, { interactiveTbt: 0.05 }),
    },
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
  const fixed: Req[] = [
    { id: 0, arrivedAt: 0, prompt: 64, prefilledAt: 1, generated: 2 }, // deadline 6.3
    { id: 1, arrivedAt: 0, prompt: 64, prefilledAt: 9, generated: 2 }, // 9.3
    { id: 2, arrivedAt: 1, prompt: 64, prefilledAt: 2, generated: 40 }, // 11.1
    { id: 3, arrivedAt: 0.5, prompt: 64, prefilledAt: 1, generated: 10 }, // 7.6
    { id: 4, arrivedAt: 0, prompt: 64, tier: 1, prefilledAt: 1, generated: 2 },
  ];
  const sorted = (list: Req[], now: number) => (m: DeadlineModule) => {
    const s = scheduler(m);
    return sortedIds(list.map(request), (a, b) => s.compareDecodes(a, b, now));
  };
  const capped = (list: Req[], cap: number) => (m: DeadlineModule) => {
    const { s } = situation(m, { chunkSize: cap }, list, []);
    return step(s, 12)
      .batch.map(([id]) => id)
      .sort((a, b) => a! - b!);
  };
  return [
    { name: 'five decodes sorted by ascending slack', hidden: false, run: sorted(fixed, 5) },
    {
      name: 'more decodes than chunkSize (3): the three most urgent are batched',
      hidden: false,
      run: capped(fixed, 3),
    },
    { name: 'random decodes sorted', hidden: true, run: sorted(decodes, 7) },
    { name: 'random decodes, chunkSize 4: the four most urgent', hidden: true, run: capped(decodes, 4) },
  ];
}

function relegation(seed: number): DeadlineProbe[] {
  const rng = new Rng(seed).fork('relegation');
  const should = (spec: Req, now: number, setup?: (s: LabScheduler, r: Request) => void) => (m: DeadlineModule) => {
    const { s, get } = situation(m, {}, [], [spec]);
    setup?.(s, get(spec.id));
    return s.shouldRelegate(get(spec.id), now);
  };
  const extra = rng.int(1, 3000);
  return [
    {
      name: 'tier 0, 50,000 prompt tokens at 8,500 tok/s cannot finish by 6 s: relegate',
      hidden: false,
      run: should({ id: 0, arrivedAt: 0, prompt: 50000 }, 1),
    },
    {
      name: 'the same request once relegated: not again',
      hidden: false,
      run: should({ id: 0, arrivedAt: 0, prompt: 50000 }, 1, (s, r) => s.relegate(r)),
    },
    {
      name: 'a request that can still finish (1,000 tokens): no',
      hidden: false,
      run: should({ id: 0, arrivedAt: 0, prompt: 1000 }, 1),
    },
    {
      name: 'the estimate is the EMA: at 20,000 tok/s the 50,000-token prompt fits in 6 s: no',
      hidden: false,
      run: should({ id: 0, arrivedAt: 0, prompt: 50000 }, 1, (s) => {
        s.prefillThroughput = 20000;
      }),
    },
    {
      name: 'exactly on the deadline (now + remaining / throughput = deadline): no',
      hidden: false,
      run: should({ id: 0, arrivedAt: 0, prompt: 8500 }, 5),
    },
    {
      name: 'tier 1: TTFT deadline 594 s',
      hidden: true,
      run: should({ id: 0, arrivedAt: 0, prompt: 8500 + extra, tier: 1 }, 593),
    },
    {
      name: 'a request holding KV blocks (a partial prefill) is never relegated',
      hidden: false,
      run: (m) => {
        const { s, get } = situation(m, {}, [{ id: 0, arrivedAt: 0, prompt: 60000, computed: 256 }], []);
        return s.shouldRelegate(get(0), 5);
      },
    },
    {
      name: 'in getNextBatch: a hopeless request is relegated once, before it gets blocks, and is still served',
      hidden: false,
      run: (m) => {
        const { s, get } = situation(
          m,
          { numBlocks: 8000 },
          [],
          [
            { id: 0, arrivedAt: 0, prompt: 60000 },
            { id: 1, arrivedAt: 0.5, prompt: 300 },
          ],
        );
        const first = step(s, 1);
        const holdsAfterFirst = s.kv.holds(0);
        advance(s, 1.5);
        for (let k = 0; k < 400 && !get(0).isPrefillComplete; k++) {
          if (step(s, 2 + k).batch.length === 0) break;
          advance(s, 2.5 + k);
        }
        return { first, holdsAfterFirst, relegations: s.numRelegations, prefilled: get(0).isPrefillComplete };
      },
    },
  ];
}

function modelFit(seed: number): DeadlineProbe[] {
  const rng = new Rng(seed).fork('model-fit');
  const truth: BatchTimeModel = {
    small: [0.01, 6e-5, 2e-5, 4e-5, 1e-7, 8e-7],
    large: [0.005, 3e-5, 7e-5, -4e-5, 2e-7, 3e-6],
  };
  const sample = (r: Rng, noise: number): BatchSample => {
    const big = r.next() < 0.5;
    const decode = r.int(0, 120);
    const prefill = big ? r.int(520, 2400) : r.int(0, Math.max(0, 500 - decode));
    const f = {
      numTokens: prefill + decode,
      numPrefillTokens: prefill,
      numDecodeTokens: decode,
      decodeContext: decode * r.int(100, 3000),
      prefillContext: prefill + r.int(0, 2000) * (prefill > 0 ? 1 : 0),
    };
    return { ...f, seconds: predictBatchTime(truth, f) * (1 + noise * (2 * r.next() - 1)) };
  };
  const heldOut = Array.from({ length: 20 }, () => sample(rng, 0));
  const predictions =
    (samples: BatchSample[], fallback = NIYAMA_BATCH_TIME_MODEL) =>
    (m: DeadlineModule) => {
      const model = m.fitBatchTimeModel(samples, fallback);
      return heldOut.map((f) => predictBatchTime(model, f));
    };
  const exact = Array.from({ length: 300 }, () => sample(rng, 0));
  const noisy = Array.from({ length: 300 }, () => sample(rng, 0.05));
  const fewLarge = exact.filter((s) => s.numTokens <= 512).concat(exact.filter((s) => s.numTokens > 512).slice(0, 5));
  return [
    {
      name: 'noise-free batches from known coefficients: the fit predicts exactly',
      hidden: false,
      run: predictions(exact.slice(0, 120)),
    },
    { name: '300 batches with ±5% noise: the least-squares predictions', hidden: true, run: predictions(noisy) },
    {
      name: 'only 5 large batches (< minSamples 12): the large side keeps the fallback coefficients',
      hidden: false,
      run: (m) => {
        const model = m.fitBatchTimeModel(fewLarge, NIYAMA_BATCH_TIME_MODEL);
        return {
          large: [...model.large],
          smallPredictions: heldOut.filter((f) => f.numTokens <= 512).map((f) => predictBatchTime(model, f)),
        };
      },
    },
    {
      name: 'no samples at all: both sides keep the fallback',
      hidden: false,
      run: (m) => m.fitBatchTimeModel([], NIYAMA_BATCH_TIME_MODEL),
    },
  ];
}

function dynamicChunk(seed: number): DeadlineProbe[] {
  const rng = new Rng(seed).fork('dynamic-chunk');
  const decodes = (n: number, context: number): Req[] =>
    Array.from({ length: n }, (_, k) => ({ id: k, arrivedAt: 0, prompt: context - 1, prefilledAt: 1, generated: 1 }));
  const size =
    (n: number, context: number, slack: (s: LabScheduler, d: Request[]) => number, freeBlocks?: number) =>
    (m: DeadlineModule) => {
      const s = scheduler(m);
      const d = decodes(n, context).map(request);
      return s.prefillSizeBySlack(slack(s, d), d, freeBlocks ?? s.kv.numFreeBlocks);
    };
  /** 1.2 × the predicted time of a batch of T tokens with these decodes (the handout's features). */
  const boundary = (t: number) => (s: LabScheduler, d: Request[]) => {
    const prefill = Math.max(0, t - d.length);
    const ctx = d.reduce((x, r) => x + r.numProcessedTokens, 0);
    return (
      s.deadline.chunkSafetyFactor *
      predictBatchTime(s.batchTimeModel, {
        numTokens: Math.max(t, d.length),
        numPrefillTokens: prefill,
        numDecodeTokens: d.length,
        decodeContext: ctx,
        prefillContext: prefill,
      })
    );
  };
  const n = rng.int(1, 60);
  const ctx = rng.int(100, 3000);
  const slackRandom = round(0.02 + rng.next() * 0.3);
  return [
    { name: 'no decodes: the largest size, 2552', hidden: false, run: size(0, 0, () => Number.POSITIVE_INFINITY) },
    { name: 'smallest slack ≤ 0: 128 − decodes', hidden: false, run: size(10, 500, () => -0.5) },
    {
      name: 'slack exactly 1.2 × predict(1024): 1024 − decodes (the boundary is accepted)',
      hidden: false,
      run: size(10, 500, boundary(1024)),
    },
    {
      name: 'slack a hair below 1.2 × predict(1024): 768 − decodes',
      hidden: false,
      run: size(10, 500, (s, d) => boundary(1024)(s, d) * (1 - 1e-9)),
    },
    {
      name: 'low free memory (500 blocks: 250 < 1000): sizes 128/256/384/512 only',
      hidden: false,
      run: size(10, 500, () => 10, 500),
    },
    { name: 'more decodes than the size chosen: 0 prompt tokens', hidden: false, run: size(200, 500, () => -1) },
    {
      name: `random slack (${slackRandom} s), ${n} decodes of ${ctx} tokens`,
      hidden: true,
      run: size(n, ctx, () => slackRandom),
    },
    { name: 'random boundary at 1536', hidden: true, run: size(n, ctx, boundary(1536)) },
  ];
}

function schedule(seed: number): DeadlineProbe[] {
  const mixed = (m: DeadlineModule) => {
    const { s } = situation(
      m,
      {},
      [
        { id: 0, arrivedAt: 0, prompt: 300, prefilledAt: 1, generated: 3 },
        { id: 1, arrivedAt: 0.2, prompt: 200, tier: 1, prefilledAt: 1.5, generated: 5 },
        { id: 2, arrivedAt: 0.5, prompt: 2000, computed: 512 },
      ],
      [
        { id: 3, arrivedAt: 1, prompt: 900 },
        { id: 4, arrivedAt: 1.2, prompt: 150, tier: 2 },
        { id: 5, arrivedAt: 1.3, prompt: 5000 },
      ],
    );
    return step(s, 2);
  };
  const tightMemory = (m: DeadlineModule) => {
    // 150 blocks: the partial prefill keeps taking chunks, the waiting head (3,000 tokens = 188 blocks) does not fit, nobody skips it.
    const { s } = situation(
      m,
      { numBlocks: 150 },
      [{ id: 0, arrivedAt: 0, prompt: 1000, computed: 256 }],
      [
        { id: 1, arrivedAt: 0.1, prompt: 3000 },
        { id: 2, arrivedAt: 0.2, prompt: 50, tier: 1 },
      ],
    );
    return step(s, 1);
  };
  const randomSituation = (m: DeadlineModule) => {
    const r2 = new Rng(seed).fork('schedule');
    const running: Req[] = Array.from({ length: 8 }, (_, k) => ({
      id: k,
      arrivedAt: round(r2.next() * 4),
      prompt: r2.int(50, 800),
      tier: r2.int(0, 2),
      prefilledAt: 5,
      generated: r2.int(1, 40),
    }));
    const waiting = randomRequests(r2, 6, 8).map((q) => ({ ...q, arrivedAt: 5 + q.arrivedAt / 10 }));
    const { s } = situation(m, {}, running, waiting);
    return [step(s, 8)];
  };
  return [
    { name: 'decodes first, then prompts in priority order up to the dynamic chunk', hidden: false, run: mixed },
    {
      name: 'a waiting head that does not fit closes admission; the prompt in progress continues',
      hidden: false,
      run: tightMemory,
    },
    { name: 'a random situation', hidden: true, run: randomSituation },
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
