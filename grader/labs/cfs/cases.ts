/**
 * The CFS lab's unit cases: small hand-made engines (16-token blocks, watermark 0 unless said) and
 * what the student's method must do on each. The situations go to the child; the expectations stay
 * here, in the parent.
 *
 * Request ids are chosen so that arrival order and "tokens generated" disagree: a policy that ranks by
 * arrival picks other victims than one that ranks by generated tokens.
 */
import type { Situation, SituationRequest, UnitCase, UnitResult, UnitState } from './protocol.js';

export interface UnitExpectation {
  readonly case: UnitCase;
  /** One line shown with the verdict. */
  readonly expect: string;
  readonly check: (result: UnitResult) => string[];
}

const r = (
  id: number,
  at: SituationRequest['at'],
  prompt: number,
  generated: number,
  extra: Partial<SituationRequest> = {},
): SituationRequest => ({
  id,
  arrivedAt: id,
  prompt,
  decode: 2000,
  generated,
  at,
  ...extra,
});

const fmtList = (xs: readonly (number | null)[]) => `[${xs.map((x) => String(x)).join(', ')}]`;
const fmtTransfers = (xs: readonly (readonly [number | null, number | null])[] | undefined) =>
  xs === undefined || xs.length === 0 ? 'nothing' : xs.map(([id, n]) => `request ${id} (${n} blocks)`).join(', ');

/** Problems shared by every case: the call threw, or left the engine inconsistent. */
function basics(res: UnitResult): string[] {
  if (res.error !== undefined) return [`threw ${res.error}`];
  return [];
}

function stateOf(res: UnitResult): UnitState | undefined {
  return res.state;
}

const holding = (state: UnitState, id: number) => state.holdings.find((h) => h[0] === id) ?? [id, 0, 0];
const sameSet = (a: readonly (number | null)[], b: readonly number[]) =>
  a.length === b.length && [...a].sort().join() === [...b].sort().join();

function expectQueues(
  state: UnitState,
  want: { waiting?: number[]; running?: number[]; swapped?: number[]; waitingHead?: number },
): string[] {
  const problems: string[] = [];
  for (const name of ['waiting', 'running', 'swapped'] as const) {
    const w = want[name];
    if (w !== undefined && !sameSet(state[name], w))
      problems.push(`${name} should hold ${fmtList(w)}, holds ${fmtList(state[name])}`);
  }
  if (want.waitingHead !== undefined && state.waiting[0] !== want.waitingHead)
    problems.push(`the head of waiting should be request ${want.waitingHead}, is ${String(state.waiting[0])}`);
  return problems;
}

// ---- getPriority --------------------------------------------------------------------------------

function priorityCase(name: string, spec: SituationRequest, expected: readonly [number, number]): UnitExpectation {
  const situation: Situation = { numBlocks: 64, cpuBlocks: 64, requests: [spec] };
  return {
    case: { name, situation, call: { kind: 'priority', ids: [spec.id] } },
    expect: `getPriority returns (${expected.join(', ')})`,
    check(res) {
      const problems = basics(res);
      if (problems.length > 0) return problems;
      const got = res.priorities?.[0];
      if (got === null || got === undefined) return ['getPriority did not return a [priority, key] pair'];
      if (got[0] !== expected[0] || got[1] !== expected[1])
        return [`expected (${expected.join(', ')}), got (${got.join(', ')})`];
      return [];
    },
  };
}

export function getPriorityCases(): UnitExpectation[] {
  return [
    priorityCase('a new prompt', r(3, 'waiting', 100, 0, { arrivedAt: 2.5 }), [0, 0]),
    priorityCase('after 5 output tokens', r(4, 'running', 20, 5, { arrivedAt: 3.5 }), [0, 5]),
    priorityCase('swapped out after 7 output tokens', r(5, 'swapped', 40, 7, { arrivedAt: 1.25 }), [0, 7]),
    priorityCase(
      'preempted by recompute after 9 output tokens',
      r(6, 'waiting', 40, 9, { arrivedAt: 0.5, restarted: true }),
      [0, 9],
    ),
  ];
}

// ---- schedulePriorityPreemption -----------------------------------------------------------------

function preemptionCase(
  name: string,
  situation: Situation,
  expect: string,
  want: {
    returned: number;
    swappedOut: [number, number][];
    waiting?: number[];
    waitingHead?: number;
    running?: number[];
    swapped?: number[];
    recomputed?: number[];
  },
): UnitExpectation {
  return {
    case: { name, situation, call: { kind: 'preemption' } },
    expect,
    check(res) {
      const problems = basics(res);
      if (problems.length > 0) return problems;
      const state = stateOf(res);
      if (state === undefined) return ['no state reported'];
      if (res.engineProblem !== undefined) problems.push(res.engineProblem);
      if (res.returned !== want.returned)
        problems.push(`should return ${want.returned} (requests preempted), returned ${String(res.returned)}`);
      const listed = (res.blocksToSwapOut ?? [])
        .map(([id, n]) => `${id}:${n}`)
        .sort()
        .join();
      const wanted = want.swappedOut
        .map(([id, n]) => `${id}:${n}`)
        .sort()
        .join();
      if (listed !== wanted)
        problems.push(
          `blocksToSwapOut should list ${fmtTransfers(want.swappedOut)}, lists ${fmtTransfers(res.blocksToSwapOut)}`,
        );
      if ((res.blocksToSwapIn ?? []).length > 0)
        problems.push(
          `schedulePriorityPreemption must not swap anything in (it swapped in ${fmtTransfers(res.blocksToSwapIn)})`,
        );
      problems.push(...expectQueues(state, want));
      for (const [id, blocks] of want.swappedOut) {
        const [, gpu, cpu] = holding(state, id);
        if (gpu !== 0 || cpu !== blocks)
          problems.push(
            `request ${id} should hold ${blocks} CPU blocks and no GPU blocks, holds ${cpu} CPU and ${gpu} GPU`,
          );
      }
      for (const id of want.recomputed ?? []) {
        const [, gpu, cpu] = holding(state, id);
        if (gpu !== 0 || cpu !== 0)
          problems.push(`request ${id} should hold no blocks (recomputed), holds ${gpu} GPU and ${cpu} CPU`);
      }
      return problems;
    },
  };
}

export function preemptionCases(): UnitExpectation[] {
  // The public case (labs.md): 4 blocks, two running requests of 2 blocks at 10 and 2 generated tokens,
  // a new prompt needing 2 blocks: the 10-token request goes to the CPU.
  const fourBlocks = (cpuBlocks: number): Situation => ({
    numBlocks: 4,
    cpuBlocks,
    requests: [r(0, 'running', 20, 10, { blocks: 2 }), r(1, 'running', 20, 2, { blocks: 2 }), r(2, 'waiting', 30, 0)],
  });
  return [
    preemptionCase(
      '4 blocks, the public case',
      fourBlocks(100),
      'request 0 (10 tokens generated) is swapped out, its 2 blocks listed; request 2 stays at the head of waiting',
      {
        returned: 1,
        swappedOut: [[0, 2]],
        waitingHead: 2,
        running: [1],
        swapped: [0],
      },
    ),
    preemptionCase(
      'the new prompt fits',
      {
        numBlocks: 10,
        cpuBlocks: 100,
        requests: [
          r(0, 'running', 20, 10, { blocks: 2 }),
          r(1, 'running', 20, 2, { blocks: 2 }),
          r(2, 'waiting', 30, 0),
        ],
      },
      'nothing is preempted',
      { returned: 0, swappedOut: [], waiting: [2], running: [0, 1], swapped: [] },
    ),
    preemptionCase(
      'several victims, most tokens first',
      {
        numBlocks: 8,
        cpuBlocks: 100,
        requests: [
          r(0, 'running', 20, 12, { blocks: 2 }),
          r(1, 'running', 20, 3, { blocks: 2 }),
          r(2, 'running', 20, 7, { blocks: 2 }),
          r(3, 'running', 20, 1, { blocks: 2 }),
          r(4, 'waiting', 60, 0),
        ],
      },
      'requests 0 (12 tokens) and 2 (7 tokens) are swapped out; 1 and 3 keep running',
      {
        returned: 2,
        swappedOut: [
          [0, 2],
          [2, 2],
        ],
        waitingHead: 4,
        running: [1, 3],
        swapped: [0, 2],
      },
    ),
    preemptionCase(
      'the waiting head ranks no better',
      // Request 0 was preempted by recompute after 20 tokens and needs 4 blocks; both running requests have generated fewer.
      {
        numBlocks: 4,
        cpuBlocks: 100,
        requests: [
          r(0, 'waiting', 40, 20, { restarted: true }),
          r(1, 'running', 20, 5, { blocks: 2 }),
          r(2, 'running', 20, 2, { blocks: 2 }),
        ],
      },
      'nothing is preempted: request 0 has generated more tokens than any running request',
      { returned: 0, swappedOut: [], waiting: [0], running: [1, 2], swapped: [] },
    ),
    preemptionCase(
      'the CPU pool is full',
      fourBlocks(1),
      'request 0 cannot go to the CPU (1 free block): preempt asks onSwapPoolFull, which should choose recompute (vLLM V0 would stop the engine); request 0 is then in waiting behind request 2, holding nothing',
      { returned: 1, swappedOut: [], waitingHead: 2, waiting: [2, 0], running: [1], swapped: [], recomputed: [0] },
    ),
    preemptionCase(
      'no waiting request',
      // Request 3 (swapped, 1 token) needs 2 + 1 blocks; 1 is free. Request 0 (10 tokens) makes room.
      {
        numBlocks: 5,
        cpuBlocks: 100,
        requests: [
          r(0, 'running', 20, 10, { blocks: 2 }),
          r(1, 'running', 20, 2, { blocks: 2 }),
          r(3, 'swapped', 20, 1, { blocks: 2 }),
        ],
      },
      'request 0 (10 tokens) is swapped out for the swapped request 3 (1 token), which is not swapped in yet',
      { returned: 1, swappedOut: [[0, 2]], waiting: [], running: [1], swapped: [0, 3] },
    ),
  ];
}

// ---- scheduleCfs --------------------------------------------------------------------------------

function stepCase(
  name: string,
  situation: Situation,
  expect: string,
  want: {
    scheduled: [number, number][];
    swappedOut: [number, number][];
    swappedIn: [number, number][];
    swapped?: number[];
    running?: number[];
  },
): UnitExpectation {
  return {
    case: { name, situation, call: { kind: 'cfs-step' } },
    expect,
    check(res) {
      const problems = basics(res);
      if (problems.length > 0) return problems;
      if (res.engineProblem !== undefined) problems.push(`the engine refused the step: ${res.engineProblem}`);
      const key = (xs: readonly (readonly [number | null, number | null])[] | undefined) =>
        (xs ?? [])
          .map(([a, b]) => `${a}:${b}`)
          .sort()
          .join();
      if (key(res.scheduled) !== key(want.scheduled)) {
        problems.push(
          `should run ${want.scheduled.map(([id, t]) => `${id}×${t}`).join(', ') || 'nothing'}, runs ${(res.scheduled ?? []).map(([id, t]) => `${id}×${t}`).join(', ') || 'nothing'}`,
        );
      }
      if (key(res.blocksToSwapOut) !== key(want.swappedOut))
        problems.push(
          `blocksToSwapOut should list ${fmtTransfers(want.swappedOut)}, lists ${fmtTransfers(res.blocksToSwapOut)}`,
        );
      if (key(res.blocksToSwapIn) !== key(want.swappedIn))
        problems.push(
          `blocksToSwapIn should list ${fmtTransfers(want.swappedIn)}, lists ${fmtTransfers(res.blocksToSwapIn)}`,
        );
      const state = stateOf(res);
      if (state !== undefined) problems.push(...expectQueues(state, want));
      return problems;
    },
  };
}

export function cfsStepCases(): UnitExpectation[] {
  return [
    stepCase(
      'a new prompt while requests are swapped out',
      {
        numBlocks: 6,
        cpuBlocks: 100,
        requests: [
          r(0, 'running', 20, 10, { blocks: 2 }),
          r(1, 'running', 20, 3, { blocks: 2 }),
          r(2, 'swapped', 20, 4, { blocks: 2 }),
          r(3, 'waiting', 40, 0),
        ],
      },
      'request 0 is swapped out and request 3 is prefilled, although request 2 is swapped out (no "nothing swapped" gate in the CFS step)',
      { scheduled: [[3, 40]], swappedOut: [[0, 2]], swappedIn: [], swapped: [0, 2], running: [1, 3] },
    ),
    stepCase(
      'swap out, then no swap in',
      {
        numBlocks: 5,
        cpuBlocks: 100,
        requests: [
          r(0, 'running', 20, 10, { blocks: 2 }),
          r(1, 'running', 20, 2, { blocks: 2 }),
          r(3, 'swapped', 20, 1, { blocks: 2 }),
        ],
      },
      'request 0 makes room for request 3 and request 1 decodes; request 3 waits for a later step: a step never swaps in and out',
      { scheduled: [[1, 1]], swappedOut: [[0, 2]], swappedIn: [], swapped: [0, 3], running: [1] },
    ),
    stepCase(
      'nothing to preempt',
      {
        numBlocks: 10,
        cpuBlocks: 100,
        requests: [r(0, 'running', 20, 3, { blocks: 2 }), r(1, 'swapped', 20, 5, { blocks: 2 })],
      },
      'like the default step: request 0 decodes and request 1 (more tokens, nothing to displace) is swapped back in and decodes',
      {
        scheduled: [
          [0, 1],
          [1, 1],
        ],
        swappedOut: [],
        swappedIn: [[1, 2]],
        swapped: [],
        running: [0, 1],
      },
    ),
  ];
}
