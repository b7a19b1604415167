/**
 * The CFS lab's unit probes: small hand-made engines (16-token blocks, watermark 0) and one call on
 * each, run on the student's CfsScheduler in the child and on the reference's in the parent
 * (grader/kit/unit-item.ts), so every expected value comes from reference/cfs. Request ids are chosen so
 * that arrival order and "tokens generated" disagree: a policy that ranks by arrival picks other
 * victims than one that ranks by generated tokens. Hidden variants draw their numbers from the seed.
 */
import type { Request } from '../../../sim/entities/request.js';
import { CpuSwapPool } from '../../../sim/memory/cpu-swap-pool.js';
import { KvBlockManager } from '../../../sim/memory/kv-block-manager.js';
import type { BlockTransfer, SchedulerOutputs } from '../../../sim/policies/replica/vllm-v0-step-scheduler.js';
import { Rng } from '../../../sim/workload/rng.js';
import { requestAt } from '../../kit/hand-made.js';
import { hookMethod } from '../../kit/instance-hook.js';
import { compareFields, finiteOrNull as num, probeKind, sameValue, type ProbeSet } from '../../kit/probes.js';
import { decodeSteps, encodeStep } from '../../kit/vllm-v0-step-replay.js';
import { simulateCfs } from './simulate.js';
import type { CfsModule } from './student.js';
import { publicRun } from './workloads.js';

/** A request of a hand-made engine in queue `at`: `generated` output tokens so far; `restarted`: preempted by recompute after them. */
type Queue = 'waiting' | 'running' | 'swapped';
const req = (at: Queue) => (id: number, prompt: number, generated: number) => ({ id, at, prompt, generated });
type Req = ReturnType<ReturnType<typeof req>> & { readonly restarted?: boolean };
/** GPU blocks, CPU blocks, and the requests in queue order. */
type Situation = readonly [numBlocks: number, cpuBlocks: number, requests: readonly Req[]];
const [running, swapped, waiting] = [req('running'), req('swapped'), req('waiting')];
const restarted = (...args: [number, number, number]): Req => ({ ...waiting(...args), restarted: true });

/** `m`'s scheduler on the situation's engine, every running or swapped request holding the blocks its tokens need. */
function build(m: CfsModule, [numBlocks, cpuBlocks, specs]: Situation, cfsInterval = 10) {
  const [gpu, cpu] = [new KvBlockManager(numBlocks, 16, 0), new CpuSwapPool(cpuBlocks)];
  const config = { maxNumSeqs: 512, maxNumBatchedTokens: 16368, maxModelLen: 16368, preemptionMode: 'swap' as const };
  const scheduler = new m.CfsScheduler({ config: { ...config, cfsInterval }, gpu, cpu });
  const requests = specs.map(({ id, at, prompt, generated, restarted }) => {
    const init = { id, arrivedAt: id, numPrefillTokens: prompt, numDecodeTokens: 2000 };
    const r = requestAt(init, generated && prompt + generated, { duration: 0.01, restarted });
    // Running and swapped requests are never restarted: they hold blocks for every token so far.
    if (at === 'running') gpu.allocate(r.id, gpu.blocksFor(r.numProcessedTokens));
    if (at === 'swapped') cpu.swapOut(r.id, gpu.blocksFor(r.numProcessedTokens));
    scheduler[at].push(r);
    return r;
  });
  cpu.takeStepLog();
  return { scheduler, gpu, cpu, requests };
}

const ascending = (a: number | null, b: number | null) => (a ?? -1) - (b ?? -1);
const ids = (q: unknown) => (Array.isArray(q) ? q.map((r: Partial<Request> | undefined) => num(r?.id)) : []);
/** [a, b] of each element, sorted: lists whose order does not matter. */
const pairs = (list: unknown, a: string, b: string): (number | null)[][] =>
  Array.isArray(list)
    ? list
        .map((t: Record<string, unknown> | undefined) => [num(t?.[a]), num(t?.[b])])
        .sort((x, y) => ascending(x[0]!, y[0]!) || ascending(x[1]!, y[1]!))
    : [];
const transfers = (list: unknown) => pairs(list, 'requestId', 'numBlocks');

/** The queues as sets, the head of waiting, and every request's [id, GPU blocks, CPU blocks]. */
function state({ scheduler: s, gpu, cpu, requests }: ReturnType<typeof build>) {
  return {
    'head of waiting': ids(s.waiting)[0] ?? null,
    waiting: ids(s.waiting).sort(ascending),
    running: ids(s.running).sort(ascending),
    swapped: ids(s.swapped).sort(ascending),
    'blocks held [id, GPU, CPU]': requests.map((r) => [r.id, gpu.blocksHeldBy(r.id), cpu.blocksHeldBy(r.id)]),
  };
}

// ---- getPriority ----------------------------------------------------------------------------------

const fields = (hidden: boolean) => probeKind<CfsModule>(hidden, compareFields);

/** What getPriority returned for the one request. */
function priority(m: CfsModule, spec: Req) {
  const { scheduler, requests } = build(m, [64, 64, [spec]]);
  const p: unknown = scheduler.getPriority(requests[0]!);
  return { 'getPriority returned': Array.isArray(p) ? [num(p[0]), num(p[1])] : p === undefined ? null : String(p) };
}

const getPriority: ProbeSet<CfsModule> = (seed) => {
  const rng = new Rng(seed).fork('get-priority');
  const [generated, kind] = [rng.int(11, 400), rng.int(0, 2)];
  const [name, make] = Object.entries({ running, 'swapped out': swapped, 'preempted by recompute': restarted })[kind]!;
  const cases: [string, Req, boolean][] = [
    ['a new prompt', waiting(3, 100, 0), false],
    ['after 5 output tokens', running(4, 20, 5), false],
    ['swapped out after 7 output tokens', swapped(5, 40, 7), false],
    ['preempted by recompute after 9 output tokens', restarted(6, 40, 9), false],
    [`${name} after ${generated} output tokens`, make(7, 30, generated), true],
  ];
  const expect = 'getPriority returns (0, tokens generated so far)';
  return cases.map(([name, spec, hidden]) => fields(hidden)(name, (m) => priority(m, spec), expect));
};

// ---- schedulePriorityPreemption and scheduleCfs ---------------------------------------------------

/** Distinct token counts from 1 to 12 (2 blocks each at a 20-token prompt), shuffled. */
const distinct = (rng: Rng, n: number) => rng.shuffle(Array.from({ length: 12 }, (_, i) => i + 1)).slice(0, n);
const list = (reqs: readonly Req[]) => reqs.map((r) => `${r.id} (${r.generated})`).join(', ');
type Case = readonly [name: string, situation: Situation, expect: string];

/**
 * Hidden situations with several candidates where policies diverge: running and swapped requests at
 * distinct token counts, the swapped queue out of priority order (its best last), a prompt that needs
 * several victims, a restarted head that ranks between the running requests, a CPU pool with room for one.
 */
function hiddenCases(rng: Rng, kinds: readonly string[]): Case[] {
  const k = rng.int(3, 5);
  const gens = distinct(rng, k + 3).sort((a, b) => a - b);
  // Swapped: the most tokens of all first in the queue, the fewest last; running: the rest, shuffled.
  const rest = [gens[k + 2]!, gens[rng.int(1, k + 1)]!, gens[0]!];
  const run = rng.shuffle(gens.filter((g) => !rest.includes(g))).map((g, i) => running(i, 20, g));
  // Swapped requests hold k + 2 blocks: more than the k or k + 1 free, which leave room for every running decode.
  const swap = rest.map((g, i) => swapped(10 + i, 16 * k + 20, g));
  const need = rng.int(2, 2 * k - 3); // a victim or more, never every running request
  const [free, headTokens] = [rng.int(0, 1), rng.int(3, 9)];
  const calm = swap.map((r) => ({ ...r, prompt: 20, generated: r.generated + 3 })); // below the running 1 and 2
  const all: Record<string, Case> = {
    prompt: [
      `running ${list(run)}, a new prompt of ${need} blocks`,
      [2 * k, 100, [...run, waiting(20, 16 * need, 0)]],
      'the running requests with the most tokens are swapped out until the prompt fits',
    ],
    displace: [
      `running ${list(run)}, swapped ${list(swap)}, ${k + free} free blocks, nothing waiting`,
      [3 * k + free, 100, [...run, ...swap]],
      'the swapped request with the fewest tokens displaces the running ones with the most, while it ranks better and does not fit',
    ],
    restarted: [
      `running ${list(run)}, a restarted request at ${headTokens} tokens waiting`,
      [2 * k, 100, [restarted(20, 40, headTokens), ...run]],
      'only running requests with more tokens than the restarted one are swapped out, most first, until it fits',
    ],
    pool: [
      `running ${list(run)}, a new prompt of ${need + 1} blocks, room on the CPU for one victim`,
      [2 * k, 2, [...run, waiting(20, 16 * (need + 1), 0)]],
      'the first victim is swapped out, later ones are recomputed (onSwapPoolFull), none is lost',
    ],
    mixed: [
      `running ${list(run)}, swapped ${list(swap)}, a new prompt of ${need} blocks`,
      [2 * k + free, 100, [...run, ...swap, waiting(20, 16 * need, 0)]],
      'the prompt is admitted after swapping out the running requests with the most tokens; nothing is swapped in',
    ],
    calm: [
      `running 0 (1), 1 (2), swapped ${list(calm)}, ${2 + 2 * free} free blocks`,
      [6 + 2 * free, 100, [running(0, 20, 1), running(1, 20, 2), ...calm]],
      'nothing to preempt: the running requests decode and swapped requests come back in priority order while they fit',
    ],
  };
  return kinds.map((kind) => all[kind]!);
}

/** What one call did: schedulePriorityPreemption's return and swaps, or scheduleCfs's step; then the queues and blocks. */
function called(m: CfsModule, s: Situation, call: 'preemption' | 'step') {
  const built = build(m, s);
  const { scheduler } = built;
  if (call === 'step') {
    const out: Partial<SchedulerOutputs> | undefined = scheduler.scheduleCfs();
    const groups = Array.isArray(out?.scheduled) ? out.scheduled : [];
    const scheduled = groups.map((g) => ({ id: g?.request?.id, n: g?.numTokens }));
    return {
      'scheduled [id, tokens]': pairs(scheduled, 'id', 'n'),
      blocksToSwapOut: transfers(out?.blocksToSwapOut),
      blocksToSwapIn: transfers(out?.blocksToSwapIn),
      ...state(built),
    };
  }
  const list: BlockTransfer[] = [];
  const returned = num(scheduler.schedulePriorityPreemption(scheduler.createBudget(), list));
  const moved = built.cpu.takeStepLog();
  const [listed, received] = [transfers(list), transfers(moved.swappedOut)];
  return {
    'returned (requests preempted)': returned,
    blocksToSwapOut: listed,
    'swapped in (never, here)': transfers(moved.swappedIn),
    ...(sameValue(listed, received) ? {} : { 'blocks the CPU pool received': received }),
    ...state(built),
  };
}

/** The public cases, then the hidden ones drawn from the seed. */
const calls =
  (call: 'preemption' | 'step', cases: readonly Case[], hidden: readonly string[]): ProbeSet<CfsModule> =>
  (seed) => {
    const drawn = hiddenCases(new Rng(seed).fork(call === 'step' ? 'cfs-step' : 'priority-preemption'), hidden);
    const probe = ([name, situation, expect]: Case, i: number) =>
      fields(i >= cases.length)(name, (m) => called(m, situation, call), expect);
    return [...cases, ...drawn].map(probe);
  };

/** The public case (labs/cfs/README.md), on 4 blocks: two running requests of 2 blocks at 10 and 2 generated tokens, a new prompt needing 2 blocks. */
const pub = (gpu: number, cpu: number): Situation => [
  gpu,
  cpu,
  [running(0, 20, 10), running(1, 20, 2), waiting(2, 30, 0)],
];

const priorityPreemption = calls(
  'preemption',
  [
    [
      '4 blocks, the public case',
      pub(4, 100),
      'request 0 (10 tokens generated) is swapped out, its 2 blocks listed; request 2 stays at the head of waiting',
    ],
    ['the new prompt fits', pub(10, 100), 'nothing is preempted'],
    [
      'several victims, most tokens first',
      [8, 100, [running(0, 20, 12), running(1, 20, 3), running(2, 20, 7), running(3, 20, 1), waiting(4, 60, 0)]],
      'requests 0 (12 tokens) and 2 (7 tokens) are swapped out; 1 and 3 keep running',
    ],
    // Request 0 was preempted by recompute after 20 tokens and needs 4 blocks; both running requests have generated fewer.
    [
      'the waiting head ranks no better',
      [4, 100, [restarted(0, 40, 20), running(1, 20, 5), running(2, 20, 2)]],
      'nothing is preempted: request 0 has generated more tokens than any running request',
    ],
    [
      'the CPU pool is full',
      pub(4, 1),
      'request 0 cannot go to the CPU (1 free block): preempt asks onSwapPoolFull, which should choose recompute (vLLM V0 would stop the engine); request 0 is then in waiting behind request 2, holding nothing',
    ],
    // Request 3 (swapped, 1 token) needs 2 + 1 blocks; 1 is free. Request 0 (10 tokens) makes room.
    [
      'no waiting request',
      [5, 100, [running(0, 20, 10), running(1, 20, 2), swapped(3, 20, 1)]],
      'request 0 (10 tokens) is swapped out for the swapped request 3 (1 token), which is not swapped in yet',
    ],
  ],
  ['prompt', 'displace', 'restarted', 'pool'],
);

const cfsStep = calls(
  'step',
  [
    [
      'a new prompt while requests are swapped out',
      [6, 100, [running(0, 20, 10), running(1, 20, 3), swapped(2, 20, 4), waiting(3, 40, 0)]],
      'request 0 is swapped out and request 3 is prefilled, although request 2 is swapped out (no "nothing swapped" gate in the CFS step)',
    ],
    [
      'swap out, then no swap in',
      [5, 100, [running(0, 20, 10), running(1, 20, 2), swapped(3, 20, 1)]],
      'request 0 makes room for request 3 and request 1 decodes; request 3 waits for a later step: a step never swaps in and out',
    ],
    [
      'nothing to preempt',
      [10, 100, [running(0, 20, 3), swapped(1, 20, 5)]],
      'like the default step: request 0 decodes and request 1 (more tokens, nothing to displace) is swapped back in and decodes',
    ],
  ],
  ['mixed', 'displace', 'calm'],
);

// ---- schedule(): cadence and interval 0 ---------------------------------------------------------

const EMPTY_OUTPUTS: SchedulerOutputs = {
  ...{ numPrefillGroups: 0, numBatchedTokens: 0, ignored: [], preempted: 0 },
  ...{ scheduled: [], blocksToSwapIn: [], blocksToSwapOut: [] },
};

/**
 * Fresh schedulers of `m` at `cfsInterval`; `calls` are flat (scheduler, number of schedule() calls) pairs,
 * in order. Per scheduler, one letter per call: c (scheduleCfs ran), d (scheduleDefault), b (both), n (neither).
 */
function cadence(m: CfsModule, cfsInterval: number, calls: readonly number[]) {
  const traces = Array.from({ length: Math.max(...calls.filter((_, i) => i % 2 === 0)) + 1 }, () => '');
  const spies = traces.map((_, index) => {
    let letters = '';
    const { scheduler } = build(m, [64, 0, []], cfsInterval);
    // Hooked on the instance, not subclassed, so traces keep the student's class name (kit/instance-hook.ts).
    for (const method of ['scheduleCfs', 'scheduleDefault'])
      hookMethod(scheduler, method, () => (): SchedulerOutputs => {
        letters += method === 'scheduleCfs' ? 'c' : 'd';
        return EMPTY_OUTPUTS;
      });
    return () => {
      letters = '';
      scheduler.schedule();
      traces[index] += letters === '' ? 'n' : letters.length === 1 ? letters : 'b';
    };
  });
  for (let i = 0; i < calls.length; i += 2) for (let k = 0; k < calls[i + 1]!; k++) spies[calls[i]!]!();
  return traces;
}

const LETTERS =
  'per scheduler, one letter per schedule() call: c = scheduleCfs, d = scheduleDefault, b = both, n = neither';
const cadenceProbe = (name: string, interval: number, calls: number[], hidden = false) =>
  probeKind<CfsModule>(hidden)(name, (m) => cadence(m, interval, calls), LETTERS);

export const INTERVAL_0_PROBE = 'interval 0 on the public burst reproduces FCFS';

/** The interval-0 probe's value, the step list as one string (compact in the handout's public-expected.json), as numbers. */
export function stepList(value: unknown): number[] | undefined {
  const xs = typeof value === 'string' && value !== '' ? value.split(' ').map(Number) : [];
  return typeof value === 'string' && xs.every((x) => Number.isInteger(x) && x >= 0) ? xs : undefined;
}

/** The first step that differs (the reference's steps at interval 0 are vLLM's default step's). */
function compareSteps(want: unknown, got: unknown): string | undefined {
  if (want === got) return undefined;
  let a: ReturnType<typeof decodeSteps>;
  try {
    a = decodeSteps(stepList(got) ?? [Number.NaN]);
  } catch {
    return 'your step list is malformed';
  }
  const b = decodeSteps(stepList(want)!);
  const k = a.findIndex((s, i) => !sameValue(s, b[i]));
  const at = k >= 0 ? k : Math.min(a.length, b.length);
  return `step ${at + 1} differs from vLLM's default step: expected ${JSON.stringify(b[at] ?? null)}, got ${JSON.stringify(a[at] ?? null)} (${a.length} vs ${b.length} steps)`;
}

const scheduleInterval: ProbeSet<CfsModule> = (seed) => {
  const rng = new Rng(seed).fork('schedule-interval');
  const [i, a, b] = [rng.int(2, 15), rng.int(1, 20), rng.int(1, 40)];
  return [
    cadenceProbe('interval 10, 30 steps', 10, [0, 30]),
    cadenceProbe('interval 3, 9 steps', 3, [0, 9]),
    cadenceProbe('interval 0, 25 steps', 0, [0, 25]),
    cadenceProbe(
      'two schedulers, interval 10: 7 steps on the first, 13 on the second, 13 more on the first',
      10,
      [0, 7, 1, 13, 0, 13],
    ),
    cadenceProbe(`interval ${i}, ${3 * i + 1} steps`, i, [0, 3 * i + 1], true),
    cadenceProbe(
      `two schedulers, interval ${i}: ${a}, then ${b} on the other, then ${2 * i} more`,
      i,
      [0, a, 1, b, 0, 2 * i],
      true,
    ),
    probeKind<CfsModule>(false, compareSteps)(INTERVAL_0_PROBE, (m) => {
      const steps: number[] = [];
      simulateCfs(publicRun(0), (init) => new m.CfsScheduler(init), { onStep: (s) => encodeStep(steps, s) });
      return steps.join(' ');
    }),
  ];
};

export const PROBES = {
  'get-priority': getPriority,
  'priority-preemption': priorityPreemption,
  'cfs-step': cfsStep,
  'schedule-interval': scheduleInterval,
} satisfies Record<string, ProbeSet<CfsModule>>;
