/**
 * The CFS lab's unit probes: small hand-made engines (16-token blocks, watermark 0) and one call on
 * each, run on the student's CfsScheduler in the child and on the reference's in the parent
 * (grader/kit/unit-item.ts), so every expected value comes from reference/cfs. Request ids are chosen so
 * that arrival order and "tokens generated" disagree: a policy that ranks by arrival picks other
 * victims than one that ranks by generated tokens. Hidden variants draw their numbers from the seed.
 */
import { Request } from '../../../sim/entities/request.js';
import { CpuSwapPool } from '../../../sim/memory/cpu-swap-pool.js';
import { KvBlockManager } from '../../../sim/memory/kv-block-manager.js';
import { VllmV0ReplicaScheduler } from '../../../sim/policies/replica/vllm-v0-replica-scheduler.js';
import type {
  BlockTransfer,
  SchedulerOutputs,
  VllmV0Scheduler,
  VllmV0SchedulerInit,
} from '../../../sim/policies/replica/vllm-v0-step-scheduler.js';
import { Rng } from '../../../sim/workload/rng.js';
import { describeThrown, hookMethod } from '../../kit/instance-hook.js';
import { compareValues, sameValue, type Probe, type ProbeSet } from '../../kit/probes.js';
import { decodeSteps, encodeStep } from '../../kit/vllm-v0-step-replay.js';
import { simulateCfs } from './simulate.js';
import type { CfsModule } from './student.js';
import { burst, HOMEWORK_BURST, HOMEWORK_SWAP_GIB, PUBLIC_BURST_SEED } from './workloads.js';

type At = 'waiting' | 'running' | 'swapped';
interface Req {
  readonly id: number;
  readonly at: At;
  readonly prompt: number;
  /** Output tokens generated before the situation (0: never prefilled). */
  readonly generated: number;
  /** Blocks held (running/swapped); default: enough for prompt + generated tokens. */
  readonly blocks?: number;
  /** A waiting request preempted by recompute after generating `generated` tokens. */
  readonly restarted?: boolean;
  readonly arrivedAt?: number;
}
interface Situation {
  readonly numBlocks: number;
  readonly cpuBlocks: number;
  /** Queue order as listed. */
  readonly requests: readonly Req[];
}

const req =
  (at: At) =>
  (id: number, prompt: number, generated: number, blocks?: number): Req => ({ id, at, prompt, generated, blocks });
const running = req('running');
const swapped = req('swapped');
const waiting = req('waiting');
const restarted = (id: number, prompt: number, generated: number): Req => ({
  ...waiting(id, prompt, generated),
  restarted: true,
});

const EMPTY_OUTPUTS: SchedulerOutputs = {
  scheduled: [],
  numPrefillGroups: 0,
  numBatchedTokens: 0,
  blocksToSwapIn: [],
  blocksToSwapOut: [],
  ignored: [],
  preempted: 0,
};

/** Block bytes chosen so the engine's CPU pool has exactly `cpuBlocks` blocks. */
const UNIT_BLOCK_BYTES = 1024 * 1024;

/** The situation's engine around `m`'s scheduler; its schedule() runs scheduleCfs() once (one step only). */
function build(m: CfsModule, s: Situation) {
  const kv = new KvBlockManager(s.numBlocks, 16, 0);
  let first: SchedulerOutputs | undefined;
  class UnitReplica extends VllmV0ReplicaScheduler {
    protected override createScheduler(init: VllmV0SchedulerInit): VllmV0Scheduler {
      const scheduler = new m.CfsScheduler(init);
      // Hooked on the instance, not subclassed, so traces keep the student's class name (kit/instance-hook.ts).
      // The replica tries again after a step that ran nothing: EMPTY_OUTPUTS then.
      return hookMethod(
        scheduler,
        'schedule',
        () => () => (first === undefined ? (first = scheduler.scheduleCfs()) : EMPTY_OUTPUTS),
      );
    }
  }
  const limits = { batchSizeCap: 512, maxTokensInBatch: 16368, chunkSize: 512, maxRequestTokens: 16368 };
  const replica = new UnitReplica(
    { replicaId: 0, kv, limits },
    {
      swapSpaceGiB: s.cpuBlocks / 1024,
      blockBytesPerGpu: UNIT_BLOCK_BYTES,
      swapBandwidthGBs: 25,
      preemptionMode: 'swap',
      cfsInterval: 10,
      recordUsage: false,
    },
  );
  const scheduler = replica.scheduler;
  const requests = s.requests.map((spec) => {
    const r = new Request({
      id: spec.id,
      arrivedAt: spec.arrivedAt ?? spec.id,
      numPrefillTokens: spec.prompt,
      numDecodeTokens: 2000,
    });
    if (spec.generated > 0) {
      r.onBatchStart(0);
      r.onBatchEnd(0, spec.prompt, 0.01);
      for (let k = 1; k < spec.generated; k++) r.onBatchEnd(0, 1, 0.01);
    }
    replica.addRequest(r, 0); // joins waiting; moved below
    scheduler.waiting.pop();
    const blocks = spec.blocks ?? kv.blocksFor(r.numProcessedTokens);
    if (spec.at === 'waiting') {
      if (spec.restarted === true) r.restart();
      scheduler.waiting.push(r);
    } else if (spec.at === 'running') {
      kv.allocate(r.id, blocks);
      scheduler.running.push(r);
    } else {
      replica.cpu.swapOut(r.id, blocks);
      scheduler.swapped.push(r);
    }
    return r;
  });
  replica.cpu.takeStepLog();
  return { replica, scheduler, requests, first: () => first };
}

const num = (x: unknown): number | null => (typeof x === 'number' && Number.isFinite(x) ? x : null);
const ascending = (a: number | null, b: number | null) => (a ?? -1) - (b ?? -1);
const ids = (q: unknown) => (Array.isArray(q) ? q.map((r: Partial<Request> | undefined) => num(r?.id)) : []);
const pairs = (list: unknown, a: string, b: string): (number | null)[][] =>
  Array.isArray(list)
    ? list
        .map((t: Record<string, unknown> | undefined) => [num(t?.[a]), num(t?.[b])])
        .sort((x, y) => ascending(x[0]!, y[0]!) || ascending(x[1]!, y[1]!))
    : [];
const transfers = (list: unknown) => pairs(list, 'requestId', 'numBlocks');

/** The queues as sets (by id), the head of waiting, and every request's [id, GPU blocks, CPU blocks]. */
function queues(built: ReturnType<typeof build>) {
  const { scheduler: s, replica, requests } = built;
  return {
    'head of waiting': ids(s.waiting)[0] ?? null,
    waiting: ids(s.waiting).sort(ascending),
    running: ids(s.running).sort(ascending),
    swapped: ids(s.swapped).sort(ascending),
    'blocks held [id, GPU, CPU]': requests.map((r) => [
      r.id,
      replica.kv.blocksHeldBy(r.id),
      replica.cpu.blocksHeldBy(r.id),
    ]),
  };
}

/** Field by field: one line per field that differs from the reference's. */
function compareFields(want: unknown, got: unknown): string | undefined {
  if (typeof want !== 'object' || want === null || typeof got !== 'object' || got === null || Array.isArray(want))
    return compareValues(want, got);
  const w = want as Record<string, unknown>;
  const g = got as Record<string, unknown>;
  const show = (x: unknown) => (x === undefined ? 'nothing' : JSON.stringify(x));
  const lines = [...new Set([...Object.keys(w), ...Object.keys(g)])]
    .filter((k) => !sameValue(w[k], g[k]))
    .map((k) => `${k}: expected ${show(w[k])}, got ${show(g[k])}`);
  return lines.length === 0 ? undefined : lines.join('\n');
}

const probe = (
  name: string,
  expect: string | undefined,
  run: (m: CfsModule) => unknown,
  hidden = false,
): Probe<CfsModule> => ({
  name,
  hidden,
  run,
  compare: compareFields,
  ...(expect !== undefined ? { expect } : {}),
});

// ---- getPriority ----------------------------------------------------------------------------------

const priorityProbe = (name: string, spec: Req, hidden = false) =>
  probe(
    name,
    'getPriority returns (0, tokens generated so far)',
    (m) => {
      const { scheduler, requests } = build(m, { numBlocks: 64, cpuBlocks: 64, requests: [spec] });
      const p: unknown = scheduler.getPriority(requests[0]!);
      return { 'getPriority returned': Array.isArray(p) ? [num(p[0]), num(p[1])] : p === undefined ? null : String(p) };
    },
    hidden,
  );

const getPriority: ProbeSet<CfsModule> = (seed) => {
  const rng = new Rng(seed).fork('get-priority');
  const generated = rng.int(11, 400);
  const at = (['running', 'swapped', 'restarted'] as const)[rng.int(0, 2)]!;
  return [
    priorityProbe('a new prompt', { ...waiting(3, 100, 0), arrivedAt: 2.5 }),
    priorityProbe('after 5 output tokens', { ...running(4, 20, 5), arrivedAt: 3.5 }),
    priorityProbe('swapped out after 7 output tokens', { ...swapped(5, 40, 7), arrivedAt: 1.25 }),
    priorityProbe('preempted by recompute after 9 output tokens', { ...restarted(6, 40, 9), arrivedAt: 0.5 }),
    priorityProbe(
      `${at} after ${generated} output tokens`,
      { ...req(at === 'restarted' ? 'waiting' : at)(7, 30, generated), restarted: at === 'restarted', arrivedAt: 0.75 },
      true,
    ),
  ];
};

// ---- schedulePriorityPreemption -------------------------------------------------------------------

const preemptionProbe = (name: string, s: Situation, expect: string, hidden = false) =>
  probe(
    name,
    expect,
    (m) => {
      const built = build(m, s);
      const list: BlockTransfer[] = [];
      const returned = num(built.scheduler.schedulePriorityPreemption(built.scheduler.createBudget(), list));
      const moved = built.replica.cpu.takeStepLog();
      const listed = transfers(list);
      return {
        'returned (requests preempted)': returned,
        blocksToSwapOut: listed,
        'swapped in (never, here)': transfers(moved.swappedIn),
        ...(sameValue(listed, transfers(moved.swappedOut))
          ? {}
          : { 'blocks the CPU pool received': transfers(moved.swappedOut) }),
        ...queues(built),
      };
    },
    hidden,
  );

/** The public case (labs/cfs/README.md): 4 blocks, two running requests of 2 blocks at 10 and 2 generated tokens, a new prompt needing 2 blocks. */
const fourBlocks = (cpuBlocks: number): Situation => ({
  numBlocks: 4,
  cpuBlocks,
  requests: [running(0, 20, 10, 2), running(1, 20, 2, 2), waiting(2, 30, 0)],
});

const priorityPreemption: ProbeSet<CfsModule> = (seed) => {
  const rng = new Rng(seed).fork('priority-preemption');
  const generated = rng.shuffle(Array.from({ length: 40 }, (_, i) => i + 1)).slice(0, 4);
  const need = rng.int(2, 6);
  return [
    preemptionProbe(
      '4 blocks, the public case',
      fourBlocks(100),
      'request 0 (10 tokens generated) is swapped out, its 2 blocks listed; request 2 stays at the head of waiting',
    ),
    preemptionProbe(
      'the new prompt fits',
      { numBlocks: 10, cpuBlocks: 100, requests: [running(0, 20, 10, 2), running(1, 20, 2, 2), waiting(2, 30, 0)] },
      'nothing is preempted',
    ),
    preemptionProbe(
      'several victims, most tokens first',
      {
        numBlocks: 8,
        cpuBlocks: 100,
        requests: [
          running(0, 20, 12, 2),
          running(1, 20, 3, 2),
          running(2, 20, 7, 2),
          running(3, 20, 1, 2),
          waiting(4, 60, 0),
        ],
      },
      'requests 0 (12 tokens) and 2 (7 tokens) are swapped out; 1 and 3 keep running',
    ),
    // Request 0 was preempted by recompute after 20 tokens and needs 4 blocks; both running requests have generated fewer.
    preemptionProbe(
      'the waiting head ranks no better',
      { numBlocks: 4, cpuBlocks: 100, requests: [restarted(0, 40, 20), running(1, 20, 5, 2), running(2, 20, 2, 2)] },
      'nothing is preempted: request 0 has generated more tokens than any running request',
    ),
    preemptionProbe(
      'the CPU pool is full',
      fourBlocks(1),
      'request 0 cannot go to the CPU (1 free block): preempt asks onSwapPoolFull, which should choose recompute (vLLM V0 would stop the engine); request 0 is then in waiting behind request 2, holding nothing',
    ),
    // Request 3 (swapped, 1 token) needs 2 + 1 blocks; 1 is free. Request 0 (10 tokens) makes room.
    preemptionProbe(
      'no waiting request',
      { numBlocks: 5, cpuBlocks: 100, requests: [running(0, 20, 10, 2), running(1, 20, 2, 2), swapped(3, 20, 1, 2)] },
      'request 0 (10 tokens) is swapped out for the swapped request 3 (1 token), which is not swapped in yet',
    ),
    preemptionProbe(
      `four running requests at ${generated.join(', ')} tokens, a new prompt of ${need} blocks`,
      {
        numBlocks: 8,
        cpuBlocks: 100,
        requests: [...generated.map((g, i) => running(i, 20, g, 2)), waiting(4, 16 * need, 0)],
      },
      'the running requests with the most tokens are swapped out until the prompt fits',
      true,
    ),
  ];
};

// ---- scheduleCfs ----------------------------------------------------------------------------------

const stepProbe = (name: string, s: Situation, expect: string) =>
  probe(name, expect, (m) => {
    const built = build(m, s);
    let engine: string | undefined;
    try {
      built.replica.schedule(10);
    } catch (err) {
      // Thrown by the student's step itself: an error; thrown by the engine's checks after it: a problem with the step.
      if (built.first() === undefined) throw err;
      engine = describeThrown(err, 'starter/cfs');
    }
    const out: Partial<SchedulerOutputs> | undefined = built.first();
    const scheduled = Array.isArray(out?.scheduled)
      ? out.scheduled.map((g) => ({ id: g?.request?.id, numTokens: g?.numTokens }))
      : [];
    const { 'blocks held [id, GPU, CPU]': _, ...rest } = queues(built);
    return {
      'scheduled [id, tokens]': pairs(scheduled, 'id', 'numTokens'),
      blocksToSwapOut: transfers(out?.blocksToSwapOut),
      blocksToSwapIn: transfers(out?.blocksToSwapIn),
      ...rest,
      ...(engine !== undefined ? { 'the engine refused the step': engine } : {}),
    };
  });

const cfsStep: ProbeSet<CfsModule> = () => [
  stepProbe(
    'a new prompt while requests are swapped out',
    {
      numBlocks: 6,
      cpuBlocks: 100,
      requests: [running(0, 20, 10, 2), running(1, 20, 3, 2), swapped(2, 20, 4, 2), waiting(3, 40, 0)],
    },
    'request 0 is swapped out and request 3 is prefilled, although request 2 is swapped out (no "nothing swapped" gate in the CFS step)',
  ),
  stepProbe(
    'swap out, then no swap in',
    { numBlocks: 5, cpuBlocks: 100, requests: [running(0, 20, 10, 2), running(1, 20, 2, 2), swapped(3, 20, 1, 2)] },
    'request 0 makes room for request 3 and request 1 decodes; request 3 waits for a later step: a step never swaps in and out',
  ),
  stepProbe(
    'nothing to preempt',
    { numBlocks: 10, cpuBlocks: 100, requests: [running(0, 20, 3, 2), swapped(1, 20, 5, 2)] },
    'like the default step: request 0 decodes and request 1 (more tokens, nothing to displace) is swapped back in and decodes',
  ),
];

// ---- schedule(): cadence and interval 0 ---------------------------------------------------------

const LETTERS: Readonly<Record<string, string>> = {
  c: 'scheduleCfs',
  d: 'scheduleDefault',
  b: 'both',
  n: 'neither (schedule() must call this.scheduleCfs() or this.scheduleDefault())',
};

/** Per scheduler, the first step that ran the other step method. */
function compareCadence(want: unknown, got: unknown): string | undefined {
  if (!Array.isArray(want) || !Array.isArray(got)) return compareValues(want, got);
  const lines = want.flatMap((w: string, s) => {
    const g = String(got[s] ?? '');
    if (g === w) return [];
    const k = [...w].findIndex((ch, j) => g[j] !== ch);
    return [
      `scheduler ${s + 1}: at its step ${k + 1} expected ${LETTERS[w[k]!]}, got ${LETTERS[g[k] ?? ''] ?? 'no call'} (c = CFS, d = default: expected ${w}, got ${g})`,
    ];
  });
  return lines.length === 0 ? undefined : lines.join('\n');
}

/** Fresh schedulers of `m` at `cfsInterval`; `calls` are [scheduler, number of schedule() calls] in order; one letter per call. */
function cadence(m: CfsModule, cfsInterval: number, schedulers: number, calls: readonly (readonly [number, number])[]) {
  const traces = Array.from({ length: schedulers }, () => '');
  const spies = traces.map((_, index) => {
    let letters = '';
    const spy = new m.CfsScheduler({
      config: { maxNumSeqs: 512, maxNumBatchedTokens: 16368, maxModelLen: 16368, preemptionMode: 'swap', cfsInterval },
      gpu: new KvBlockManager(64, 16, 0),
      cpu: new CpuSwapPool(0),
    });
    for (const [method, letter] of [
      ['scheduleCfs', 'c'],
      ['scheduleDefault', 'd'],
    ] as const)
      hookMethod(spy, method, () => (): SchedulerOutputs => {
        letters += letter;
        return EMPTY_OUTPUTS;
      });
    return () => {
      letters = '';
      spy.schedule();
      traces[index] += letters === '' ? 'n' : letters === 'c' || letters === 'd' ? letters : 'b';
    };
  });
  for (const [index, count] of calls) for (let k = 0; k < count; k++) spies[index]!();
  return traces;
}

const cadenceProbe = (name: string, ...args: [number, number, readonly (readonly [number, number])[]]) =>
  ({ name, hidden: false, run: (m) => cadence(m, ...args), compare: compareCadence }) satisfies Probe<CfsModule>;

/** The public burst's steps at interval 0: vLLM's default step, step for step (the reference's there is FCFS). */
export const INTERVAL_0_PROBE = 'interval 0 on the public burst reproduces FCFS';
export const publicRun = (cfsInterval: number) => ({
  label: `public burst (seed ${PUBLIC_BURST_SEED}), interval ${cfsInterval}`,
  requests: burst({ ...HOMEWORK_BURST, seed: PUBLIC_BURST_SEED }),
  cfsInterval,
  swapSpace: HOMEWORK_SWAP_GIB,
});

function compareSteps(want: unknown, got: unknown): string | undefined {
  if (sameValue(want, got)) return undefined;
  const a = Array.isArray(got) ? decodeSteps(got) : [];
  const b = decodeSteps(want as number[]);
  const k = a.findIndex((s, i) => !sameValue(s, b[i]));
  const at = k >= 0 ? k : Math.min(a.length, b.length);
  return `step ${at + 1} differs from vLLM's default step: expected ${JSON.stringify(b[at] ?? null)}, got ${JSON.stringify(a[at] ?? null)} (${a.length} vs ${b.length} steps)`;
}

const scheduleInterval: ProbeSet<CfsModule> = (seed) => {
  const interval = new Rng(seed).fork('schedule-interval').int(2, 15);
  return [
    cadenceProbe('interval 10, 30 steps', 10, 1, [[0, 30]]),
    cadenceProbe('interval 3, 9 steps', 3, 1, [[0, 9]]),
    cadenceProbe('interval 0, 25 steps', 0, 1, [[0, 25]]),
    cadenceProbe('two schedulers, interval 10: 7 steps on the first, 13 on the second, 13 more on the first', 10, 2, [
      [0, 7],
      [1, 13],
      [0, 13],
    ]),
    {
      ...cadenceProbe(`interval ${interval}, ${3 * interval + 1} steps`, interval, 1, [[0, 3 * interval + 1]]),
      hidden: true,
    },
    {
      name: INTERVAL_0_PROBE,
      hidden: false,
      compare: compareSteps,
      run(m) {
        const steps: number[] = [];
        simulateCfs(publicRun(0), (init) => new m.CfsScheduler(init), { onStep: (s) => encodeStep(steps, s) });
        return steps;
      },
    },
  ];
};

export const PROBES = {
  'get-priority': getPriority,
  'priority-preemption': priorityPreemption,
  'cfs-step': cfsStep,
  'schedule-interval': scheduleInterval,
} satisfies Record<string, ProbeSet<CfsModule>>;
