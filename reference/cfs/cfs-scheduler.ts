/**
 * CFS lab, reference solution: a preemptive, CFS-like policy on vLLM V0's scheduler.
 *
 * Every `cfsInterval`-th step runs `scheduleCfs`: the request that has generated the fewest tokens
 * is served first. If the head of `waiting` (a new prompt, 0 tokens) cannot be admitted, the running
 * requests that have generated the most tokens are swapped out to the CPU pool until it fits; with no
 * waiting request, a swapped-out request that has generated fewer tokens than the worst running one
 * takes its place the same way. Other steps run vLLM's default step, which swaps requests back in.
 */
import type { Request } from '../../sim/entities/request.js';
import { VllmV0ReplicaScheduler } from '../../sim/policies/replica/vllm-v0-replica-scheduler.js';
import {
  comparePriority,
  emptyRunningOutputs,
  emptySwappedInOutputs,
  VllmV0Scheduler,
  type BlockTransfer,
  type Priority,
  type SchedulerOutputs,
  type SchedulingBudget,
  type SwapPoolFullChoice,
  type VllmV0SchedulerInit,
} from '../../sim/policies/replica/vllm-v0-step-scheduler.js';

export class CfsScheduler extends VllmV0Scheduler {
  /** (user priority, tokens generated so far): fewer generated tokens are served first. */
  override getPriority(group: Request): Priority {
    return [0, group.numGeneratedTokens];
  }

  /**
   * Swaps out the lowest-priority running requests (most tokens generated) while a better request
   * cannot get in: the head of `waiting`, or else the best swapped-out request. Victims go to
   * `swapped` with their blocks in `blocksToSwapOut` (or to `waiting` when the CPU pool is full).
   */
  override schedulePriorityPreemption(budget: SchedulingBudget, blocksToSwapOut: BlockTransfer[]): number {
    const byPriority = (a: Request, b: Request) => comparePriority(this.getPriority(a), this.getPriority(b));
    const running = [...this.running].sort(byPriority);
    const worseThan = (candidate: Request) =>
      running.length > 0 &&
      comparePriority(this.getPriority(running[running.length - 1]!), this.getPriority(candidate)) > 0;
    let forced = 0;
    const evict = () => {
      const victim = running.pop()!;
      budget.subtractNumBatchedTokens(victim.id, this.numNewTokens(victim));
      budget.subtractNumSeqs(victim.id, 1);
      if (this.preempt(victim, blocksToSwapOut, 'swap') === 'swap') this.swapped.push(victim);
      else this.waiting.push(victim); // the CPU pool was full and onSwapPoolFull chose recompute (sorted into place below)
      forced++;
    };

    if (this.waiting.length > 0) {
      const head = this.waiting.shift()!;
      const numNewTokens = this.numNewTokens(head);
      while (worseThan(head)) {
        if (this.canAllocate(head) === 'ok' && budget.canSchedule({ numNewTokens, numNewSeqs: 1 })) break;
        evict();
      }
      this.waiting.unshift(head);
    } else if (this.swapped.length > 0) {
      this.swapped.sort(byPriority);
      const head = this.swapped[0]!;
      while (worseThan(head)) {
        if (this.canSwapIn(head) === 'ok' && budget.canSchedule({ numNewTokens: 1, numNewSeqs: 1 })) break;
        evict();
      }
    }
    this.waiting.sort(byPriority);
    this.swapped.sort(byPriority);
    this.running = running;
    return forced;
  }

  /**
   * A full CPU pool: vLLM V0 raises and the engine stops. Here the victim is recomputed instead: it
   * loses its KV cache (its prompt and output so far are prefilled again), but the burst goes on and
   * every request finishes. Refusing would end the whole run for one victim.
   */
  override onSwapPoolFull(_victim: Request): SwapPoolFullChoice {
    return 'recompute';
  }

  /** The default step with priority preemption first and prefills admitted even while requests are swapped out. */
  override scheduleCfs(): SchedulerOutputs {
    const budget = this.createBudget();
    const blocksToSwapOut: BlockTransfer[] = [];
    this.schedulePriorityPreemption(budget, blocksToSwapOut);
    const prefills = this.schedulePrefills(budget);
    let running = emptyRunningOutputs();
    let swappedIn = emptySwappedInOutputs();
    if (prefills.groups.length === 0) {
      running = this.scheduleRunning(budget);
      // A step that swapped anything out must not swap in.
      if (blocksToSwapOut.length === 0 && running.preempted.length + running.swappedOut.length === 0)
        swappedIn = this.scheduleSwapped(budget);
    }
    return this.commitStep(budget, prefills, running, swappedIn, blocksToSwapOut);
  }

  /** Every `cfsInterval`-th step is a CFS step; 0 never (FCFS). The counter belongs to this instance. */
  override schedule(): SchedulerOutputs {
    this.numSteps++;
    const interval = this.config.cfsInterval;
    return interval > 0 && this.numSteps % interval === 0 ? this.scheduleCfs() : this.scheduleDefault();
  }
}

/** Runs `CfsScheduler` in the engine: `npm run sim -- --replica-scheduler-module starter/cfs/cfs-scheduler.ts`. Do not change. */
export class CfsReplicaScheduler extends VllmV0ReplicaScheduler {
  protected override createScheduler(init: VllmV0SchedulerInit): VllmV0Scheduler {
    return new CfsScheduler(init);
  }
}
