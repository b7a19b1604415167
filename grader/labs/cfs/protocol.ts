/**
 * The messages between the grader (parent) and the CFS harness (child). Everything crossing the
 * boundary is plain data; the parent validates the child's replies with these schemas. Expected
 * values never cross: the child runs what it is given and reports what the student's code did.
 *
 * Tasks:
 * - `units`: small hand-made engines (a `Situation`) and one call on each; the child reports what the
 *   call returned and the state it left.
 * - `cadence`: which of scheduleCfs/scheduleDefault each schedule() call ran, on fresh schedulers.
 * - `simulate`: whole runs with the student's scheduler; the child reports every step (what moved,
 *   what ran), and the parent replays the steps in its own engine to measure (replay.ts).
 * - `answers`: the student's cfs-answers.ts, plus `simulate` runs for the evidence.
 */
import { z } from 'zod';

const id = z.number().int().nonnegative();
/** A number the student's code returned; null when it was not a finite number. */
const reported = z.number().nullable();

export const WireRequests = z.strictObject({
  arrivedAt: z.array(z.number().nonnegative()),
  numPrefillTokens: z.array(z.number().int().positive()),
  numDecodeTokens: z.array(z.number().int().positive()),
});

export const CfsRunWire = z.strictObject({
  label: z.string(),
  requests: WireRequests,
  cfsInterval: z.number().int().nonnegative(),
  swapSpace: z.number().nonnegative(),
});

// ---- unit situations ----------------------------------------------------------------------------

export const SituationRequest = z.strictObject({
  id,
  arrivedAt: z.number().nonnegative().default(0),
  prompt: z.number().int().positive(),
  decode: z.number().int().positive(),
  /** Output tokens generated before the situation (0: never prefilled). */
  generated: z.number().int().nonnegative().default(0),
  /** waiting: no KV blocks; running: GPU blocks; swapped: CPU blocks. */
  at: z.enum(['waiting', 'running', 'swapped']),
  /** Blocks held (running/swapped); default: enough for prompt + generated tokens. */
  blocks: z.number().int().positive().optional(),
  /** A waiting request preempted by recompute after generating `generated` tokens. */
  restarted: z.boolean().default(false),
});
export type SituationRequest = z.input<typeof SituationRequest>;

export const Situation = z.strictObject({
  numBlocks: z.number().int().positive(),
  watermarkFraction: z.number().min(0).max(1).default(0),
  cpuBlocks: z.number().int().nonnegative(),
  maxNumSeqs: z.number().int().positive().default(512),
  maxNumBatchedTokens: z.number().int().positive().default(16368),
  cfsInterval: z.number().int().nonnegative().default(10),
  /** Queue order as listed. */
  requests: z.array(SituationRequest),
});
export type Situation = z.input<typeof Situation>;

export const UnitCall = z.discriminatedUnion('kind', [
  /** getPriority on these requests. */
  z.strictObject({ kind: z.literal('priority'), ids: z.array(id) }),
  /** schedulePriorityPreemption(createBudget(), []). */
  z.strictObject({ kind: z.literal('preemption') }),
  /** scheduleCfs() / scheduleDefault(). */
  z.strictObject({ kind: z.literal('cfs-step') }),
  z.strictObject({ kind: z.literal('default-step') }),
]);
export type UnitCall = z.infer<typeof UnitCall>;

export const UnitCase = z.strictObject({ name: z.string(), situation: Situation, call: UnitCall });
export type UnitCase = z.input<typeof UnitCase>;

const Transfer = z.tuple([reported, reported]);

/** The engine state after the call. */
export const UnitState = z.strictObject({
  waiting: z.array(reported),
  running: z.array(reported),
  swapped: z.array(reported),
  /** [id, GPU blocks, CPU blocks] for every request of the situation, in its order. */
  holdings: z.array(z.tuple([id, z.number(), z.number()])),
  generated: z.array(z.tuple([id, z.number()])),
});
export type UnitState = z.infer<typeof UnitState>;

export const UnitResult = z.strictObject({
  name: z.string(),
  /** priority: one [priority, key] per id (null entries: not numbers). */
  priorities: z.array(z.tuple([reported, reported]).nullable()).optional(),
  /** preemption: the returned count and the swap-out list the call filled. */
  returned: reported.optional(),
  blocksToSwapOut: z.array(Transfer).optional(),
  /** steps: the outputs. */
  scheduled: z.array(Transfer).optional(),
  blocksToSwapIn: z.array(Transfer).optional(),
  /** Problems the engine's step checks found (a step that breaks the engine's rules). */
  engineProblem: z.string().optional(),
  state: UnitState.optional(),
  error: z.string().optional(),
});
export type UnitResult = z.infer<typeof UnitResult>;

// ---- cadence ------------------------------------------------------------------------------------

/** Calls of schedule() on fresh schedulers: [scheduler index, number of calls], in order. */
export const CadenceCase = z.strictObject({
  name: z.string(),
  cfsInterval: z.number().int().nonnegative(),
  schedulers: z.number().int().positive(),
  calls: z.array(z.tuple([z.number().int().nonnegative(), z.number().int().positive()])),
});
export type CadenceCase = z.infer<typeof CadenceCase>;

export const CadenceResult = z.strictObject({
  name: z.string(),
  /** Per scheduler, one letter per schedule() call: c (scheduleCfs), d (scheduleDefault), b (both), n (neither). */
  trace: z.array(z.string()),
  error: z.string().optional(),
});
export type CadenceResult = z.infer<typeof CadenceResult>;

// ---- simulations ----------------------------------------------------------------------------

/**
 * A run's steps, flat: per step [nOut, ...ids, nRecomputed, ...ids, nPrefills, ...ids, nDecodes, ...ids,
 * nIn, ...ids] (decodes include the requests swapped in by the step).
 */
/** A run's steps; `stopped` when the student's scheduler chose to raise on a full CPU pool (the run ends there). */
export const RunSteps = z.strictObject({
  label: z.string(),
  steps: z.array(z.number().int().nonnegative()),
  stopped: z.string().max(2000).optional(),
});
export type RunSteps = z.infer<typeof RunSteps>;

/** The student's cfs-answers.ts `answers`, as JSON (validated in the parent, question by question). */
export const RawAnswers = z.unknown();

export const CfsInput = z.discriminatedUnion('task', [
  z.strictObject({ task: z.literal('units'), cases: z.array(UnitCase) }),
  z.strictObject({ task: z.literal('cadence'), cases: z.array(CadenceCase), runs: z.array(CfsRunWire) }),
  z.strictObject({ task: z.literal('simulate'), runs: z.array(CfsRunWire) }),
  z.strictObject({ task: z.literal('answers'), runs: z.array(CfsRunWire) }),
]);
export type CfsInput = z.infer<typeof CfsInput>;

export const CfsOutput = z.discriminatedUnion('task', [
  z.strictObject({ task: z.literal('units'), cases: z.array(UnitResult) }),
  z.strictObject({ task: z.literal('cadence'), cases: z.array(CadenceResult), runs: z.array(RunSteps) }),
  z.strictObject({ task: z.literal('simulate'), runs: z.array(RunSteps) }),
  z.strictObject({
    task: z.literal('answers'),
    answers: RawAnswers,
    answersError: z.string().optional(),
    runs: z.array(RunSteps),
  }),
]);
export type CfsOutput = z.infer<typeof CfsOutput>;

/** Encodes one step record into `out`. */
export function encodeStep(
  out: number[],
  step: {
    swappedOut: readonly number[];
    recomputed: readonly number[];
    prefills: readonly number[];
    decodes: readonly number[];
    swappedIn: readonly number[];
  },
): void {
  for (const list of [step.swappedOut, step.recomputed, step.prefills, step.decodes, step.swappedIn]) {
    out.push(list.length);
    for (const x of list) out.push(x);
  }
}

export interface DecodedStep {
  readonly swappedOut: number[];
  readonly recomputed: number[];
  readonly prefills: number[];
  readonly decodes: number[];
  readonly swappedIn: number[];
}

/** Decodes the flat step list; throws on a malformed list. */
export function decodeSteps(flat: readonly number[]): DecodedStep[] {
  const steps: DecodedStep[] = [];
  let i = 0;
  const take = (): number[] => {
    if (i >= flat.length) throw new Error('truncated step list');
    const n = flat[i++]!;
    if (i + n > flat.length) throw new Error('truncated step list');
    const ids = flat.slice(i, i + n);
    i += n;
    return ids;
  };
  while (i < flat.length)
    steps.push({ swappedOut: take(), recomputed: take(), prefills: take(), decodes: take(), swappedIn: take() });
  return steps;
}
