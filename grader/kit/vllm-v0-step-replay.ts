/**
 * Replaying a student's vLLM-V0 run in the grader's own engine (the CFS lab): a V0 scheduler whose
 * steps are the ones the student's scheduler took in the sandbox. The child records every step
 * (`encodeStep`, fed by VllmV0ReplicaScheduler.onStep); the parent decodes the list and hands the
 * steps to this scheduler, which applies each with the engine's helpers and checks it against the
 * engine's rules (who may move where, the watermark, the budgets, no swap in and out at once,
 * prefill-only or decode-only), so the latencies that are scored come from the parent's engine, never
 * from numbers the child reports. A step that breaks a rule throws the kit's ReplayError.
 *
 * Within a step the moves are applied in the order the default step makes them: preemptions (swap-out,
 * recompute), then prefills, then decodes of running requests, then swap-ins (each of which decodes).
 */
import type { Request } from '../../sim/entities/request.js';
import type { V0StepRecord } from '../../sim/policies/replica/vllm-v0-replica-scheduler.js';
import {
  VllmV0Scheduler,
  type BlockTransfer,
  type ScheduledGroup,
  type SchedulerOutputs,
  type VllmV0SchedulerInit,
} from '../../sim/policies/replica/vllm-v0-step-scheduler.js';
import { ReplayError } from './batch-replay.js';

export type DecodedStep = { -readonly [K in keyof V0StepRecord]: number[] };

const FIELDS = ['swappedOut', 'recomputed', 'prefills', 'decodes', 'swappedIn'] as const;

/** Appends one step to a flat list: per field of V0StepRecord in order, its length then its ids. */
export function encodeStep(out: number[], step: V0StepRecord): void {
  for (const field of FIELDS) out.push(step[field].length, ...step[field]);
}

/** The steps of a flat list; throws ReplayError on a malformed list. */
export function decodeSteps(flat: readonly number[]): DecodedStep[] {
  const steps: DecodedStep[] = [];
  let i = 0;
  const take = (): number[] => {
    const n = flat[i++]!;
    if (!Number.isInteger(n) || n < 0 || i + n > flat.length) throw new ReplayError('the step list is malformed');
    const ids = flat.slice(i, i + n);
    i += n;
    return ids;
  };
  while (i < flat.length)
    steps.push({ swappedOut: take(), recomputed: take(), prefills: take(), decodes: take(), swappedIn: take() });
  return steps;
}

export class V0StepReplayScheduler extends VllmV0Scheduler {
  readonly #steps: readonly DecodedStep[];
  /** Requests that have arrived here, by id. */
  readonly #byId = new Map<number, Request>();
  #cursor = 0;

  constructor(init: VllmV0SchedulerInit, steps: readonly DecodedStep[]) {
    super(init);
    this.#steps = steps;
  }

  override addRequest(request: Request): void {
    this.#byId.set(request.id, request);
    super.addRequest(request);
  }

  /** Recorded steps not replayed yet. */
  get remaining(): number {
    return this.#steps.length - this.#cursor;
  }

  override schedule(): SchedulerOutputs {
    this.numSteps++;
    const index = this.#cursor++;
    const step = this.#steps[index];
    const fail = (message: string): never => {
      throw new ReplayError(`step ${index + 1}: ${message}`);
    };
    if (step === undefined) fail(`the run needs another step, but your scheduler took only ${this.#steps.length}`);
    const s = step!;
    const get = (id: number): Request => this.#byId.get(id) ?? fail(`request ${id} has not arrived`);
    const take = (queue: Request[], r: Request, name: string): void => {
      const i = queue.indexOf(r);
      if (i < 0) fail(`request ${r.id} is not ${name}`);
      queue.splice(i, 1);
    };
    if (s.swappedOut.length > 0 && s.swappedIn.length > 0) fail('the step swaps in and out');
    if (s.prefills.length > 0 && s.decodes.length > 0) fail('the step mixes prefills and decodes');

    const budget = this.createBudget();
    const blocksToSwapOut: BlockTransfer[] = [];
    const blocksToSwapIn: BlockTransfer[] = [];
    for (const id of s.swappedOut) {
      const r = get(id);
      take(this.running, r, 'running: only running requests can be swapped out');
      if (!this.cpu.canSwapOut(this.gpu.blocksHeldBy(r.id)))
        fail(`request ${r.id} is swapped out but the CPU pool is full`);
      budget.subtractNumSeqs(r.id, 1);
      this.swapOut(r, blocksToSwapOut);
      this.swapped.push(r);
    }
    for (const id of s.recomputed) {
      const r = get(id);
      take(this.running, r, 'running: only running requests can be preempted');
      budget.subtractNumSeqs(r.id, 1);
      this.preemptByRecompute(r);
      this.waiting.unshift(r);
    }
    const groups: ScheduledGroup[] = [];
    for (const id of s.prefills) {
      const r = get(id);
      take(this.waiting, r, 'waiting: only waiting requests are prefilled');
      if (this.canAllocate(r) !== 'ok')
        fail(
          `request ${r.id} is prefilled but its ${this.gpu.blocksFor(r.prefillTarget)} blocks do not fit above the watermark`,
        );
      const tokens = this.numNewTokens(r);
      if (!budget.canSchedule({ numNewTokens: tokens, numNewSeqs: 1 }))
        fail(`prefilling request ${r.id} exceeds the step's budget`);
      this.allocateAndSetRunning(r);
      budget.addNumBatchedTokens(r.id, tokens);
      budget.addNumSeqs(r.id, 1);
      this.running.push(r);
      groups.push({ request: r, numTokens: tokens });
    }
    const swapIns = new Set(s.swappedIn);
    for (const id of s.decodes) {
      if (swapIns.has(id)) continue;
      const r = get(id);
      if (!this.running.includes(r)) fail(`request ${r.id} decodes but is not running`);
      if (!this.canAppendSlots(r)) fail(`request ${r.id} decodes without a free block for its next token`);
      this.appendSlots(r);
      budget.addNumBatchedTokens(r.id, 1);
    }
    for (const id of s.swappedIn) {
      const r = get(id);
      if (!s.decodes.includes(id)) fail(`request ${r.id} is swapped in but does not decode`);
      take(this.swapped, r, 'swapped: only swapped requests are swapped in');
      if (this.canSwapIn(r) !== 'ok')
        fail(`request ${r.id} is swapped in but its blocks do not fit above the watermark`);
      if (!budget.canSchedule({ numNewTokens: 1, numNewSeqs: 1 }))
        fail(`swapping in request ${r.id} exceeds the step's budget`);
      this.swapIn(r, blocksToSwapIn);
      this.appendSlots(r);
      budget.addNumBatchedTokens(r.id, 1);
      budget.addNumSeqs(r.id, 1);
      this.running.push(r);
    }
    for (const id of s.decodes) groups.push({ request: get(id), numTokens: 1 });
    return {
      scheduled: groups,
      numPrefillGroups: s.prefills.length,
      numBatchedTokens: budget.numBatchedTokens,
      blocksToSwapIn,
      blocksToSwapOut,
      ignored: [],
      preempted: s.swappedOut.length + s.recomputed.length,
    };
  }
}
