/**
 * The CFS lab's own wire schemas (the unit items use the kit's, unit-wire.ts). Expected values never
 * cross: the child runs what it is given and reports what the student's code did; the parent replays
 * every step in its own engine (grader/kit/vllm-v0-step-replay.ts) to measure.
 */
import { z } from 'zod';
import { WireRequests } from '../../kit/wire.js';

export const CfsRun = z.strictObject({
  label: z.string(),
  requests: WireRequests.pick({ arrivedAt: true, numPrefillTokens: true, numDecodeTokens: true }),
  cfsInterval: z.number().int().nonnegative(),
  /** CPU swap space per GPU, GiB (16 on the homework's server). */
  swapSpace: z.number().nonnegative(),
});
export type CfsRun = z.infer<typeof CfsRun>;

/** A run's steps (encodeStep); `stopped` when the student's onSwapPoolFull chose 'raise' and the run ended there. */
export const RunSteps = z.strictObject({
  label: z.string(),
  steps: z.array(z.number().int().nonnegative()),
  stopped: z.string().max(2000).optional(),
});
export type RunSteps = z.infer<typeof RunSteps>;

/** Runs for the student's scheduler; with `answers`, also its answer sheet (cfs-answers.ts `answers`) as JSON. */
export const SimulateInput = z.strictObject({
  task: z.literal('simulate'),
  runs: z.array(CfsRun),
  answers: z.boolean(),
});
export const SimulateOutput = z.strictObject({
  task: z.literal('simulate'),
  runs: z.array(RunSteps),
  answers: z.unknown().optional(),
  answersError: z.string().optional(),
});
export type SimulateOutput = z.infer<typeof SimulateOutput>;

const perRequest = z.array(z.number().nullable());

/** What the scenario items read from a trusted run (the reference's, FCFS's): cached by seed (grader/kit/result-cache.ts). */
export const BaselineRun = z.strictObject({
  completed: z.number().int(),
  total: z.number().int(),
  /** Per request in issue order (null: no first token / unfinished). */
  ttft: perRequest,
  tpot: perRequest,
  p99Ttft: z.number(),
  meanTpot: z.number(),
  /** Requests preempted (swapped out or recomputed), summed over the run's steps. */
  preemptions: z.number().int(),
  gpu: z.array(z.tuple([z.number(), z.number()])),
});
export type BaselineRun = z.infer<typeof BaselineRun>;
