/**
 * CFS lab (labs/cfs/README.md): a preemptive, CFS-like policy on vLLM V0's scheduler.
 *
 * `CfsScheduler` extends the engine's `VllmV0Scheduler` (sim/policies/replica/vllm-v0-step-scheduler.ts),
 * which gives you vLLM V0's default step and its helpers: `scheduleDefault`, `schedulePrefills`,
 * `scheduleRunning`, `scheduleSwapped`, `commitStep`, `createBudget`, `preempt`, `swapOut`, `swapIn`,
 * `canAllocate`, `canSwapIn`, `numNewTokens`, `SchedulingBudget`, and the queues `waiting`, `running`,
 * `swapped`. Read `scheduleDefault` and the upstream `schedulePriorityPreemption` there first.
 *
 * Implement the four methods below, and make the choice in `onSwapPoolFull`. As shipped, `schedule()` runs the default (FCFS) step, so the
 * simulator works before you start: `npm run sim -- --config traces/cfs-homework.json`.
 */
import type { Request } from '../../sim/entities/request.js';
import { VllmV0ReplicaScheduler } from '../../sim/policies/replica/vllm-v0-replica-scheduler.js';
import {
  VllmV0Scheduler,
  type BlockTransfer,
  type Priority,
  type SchedulerOutputs,
  type SchedulingBudget,
  type SwapPoolFullChoice,
  type VllmV0SchedulerInit,
} from '../../sim/policies/replica/vllm-v0-step-scheduler.js';

export class CfsScheduler extends VllmV0Scheduler {
  /**
   * The priority of a request: (0, the number of tokens it has generated so far). Lower is served
   * first, so new prompts (0 tokens) come before requests that have already produced output.
   * `group.numGeneratedTokens` counts output tokens, also across swapping and recompute.
   */
  override getPriority(_group: Request): Priority {
    throw new Error(
      'getPriority() is not implemented yet (starter/cfs/cfs-scheduler.ts): return [0, tokens generated so far]',
    );
  }

  /**
   * Priority preemption with swapping. Sort `running` by priority. If a request is waiting, take the
   * head of `waiting`: while the worst running request has a lower priority than it and it cannot be
   * admitted (`canAllocate(head) !== 'ok'` or the budget is full), preempt that running request by
   * swapping (`this.preempt(victim, blocksToSwapOut, 'swap')`), refund it from the budget and put it in
   * `swapped` (in `waiting` if `preempt` returned 'recompute': the CPU pool was full and
   * `onSwapPoolFull` chose recompute). With no waiting
   * request, do the same for the best swapped-out request against the running ones (it must fit with
   * `canSwapIn`). Keep `waiting` (and `swapped`) sorted by priority and `running` sorted as you used it.
   * Never swap anything in here. Returns the number of requests preempted.
   */
  override schedulePriorityPreemption(_budget: SchedulingBudget, _blocksToSwapOut: BlockTransfer[]): number {
    throw new Error('schedulePriorityPreemption() is not implemented yet (starter/cfs/cfs-scheduler.ts)');
  }

  /**
   * The CFS step: like `scheduleDefault`, but priority preemption runs first, and prefills are
   * admitted even while requests are swapped out. A step that swapped anything out must not swap
   * anything in. Return `this.commitStep(...)` with the swap-out list, so the engine copies (and
   * charges time for) those blocks.
   */
  override scheduleCfs(): SchedulerOutputs {
    throw new Error('scheduleCfs() is not implemented yet (starter/cfs/cfs-scheduler.ts)');
  }

  /**
   * The CPU swap pool cannot take `victim`'s blocks. vLLM V0 raises here ("Aborted due to the lack of
   * CPU swap space") and the whole engine stops; that is what 'raise' does. 'recompute' drops the
   * victim's GPU blocks instead, and `preempt` returns 'recompute'. Decide, and say why in a comment
   * (labs/cfs/README.md, "A full CPU pool"; graded by the priority-preemption and tight-swap-pool items).
   */
  override onSwapPoolFull(_victim: Request): SwapPoolFullChoice {
    return 'raise';
  }

  /**
   * One engine step: count it in `this.numSteps`, then run `scheduleCfs()` on every
   * `this.config.cfsInterval`-th step and `scheduleDefault()` on the others (interval 0: never CFS).
   */
  override schedule(): SchedulerOutputs {
    // TODO: the CFS step every cfsInterval-th step. Until then: vLLM's default (FCFS) step.
    this.numSteps++;
    return this.scheduleDefault();
  }
}

/** Runs `CfsScheduler` in the engine (`--replica-scheduler-module starter/cfs/cfs-scheduler.ts`). Do not change. */
export class CfsReplicaScheduler extends VllmV0ReplicaScheduler {
  protected override createScheduler(init: VllmV0SchedulerInit): VllmV0Scheduler {
    return new CfsScheduler(init);
  }
}
