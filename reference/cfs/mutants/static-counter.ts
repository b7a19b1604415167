/**
 * CFS lab mutant "static-counter": the reference solution with one bug, the step counter is a static (class-wide) field, like the course's Scheduler.num_iters, so schedulers share it.
 * Graded as starter/cfs/cfs-scheduler.ts (imports from ../../sim/); it must lose points on: schedule-interval (test/grader/cfs-lab.test.ts).
 */
import type { Request } from '../../../sim/entities/request.js';
import { VllmV0ReplicaScheduler } from '../../../sim/policies/replica/vllm-v0.js';
import {
  comparePriority,
  emptyRunningOutputs,
  emptySwappedInOutputs,
  VllmV0Scheduler,
  type BlockTransfer,
  type Priority,
  type SchedulerOutputs,
  type SchedulingBudget,
  type VllmV0SchedulerInit,
} from '../../../sim/policies/replica/vllm-v0-scheduler.js';

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
      running.length > 0 && comparePriority(this.getPriority(running[running.length - 1]!), this.getPriority(candidate)) > 0;
    let forced = 0;
    const evict = () => {
      const victim = running.pop()!;
      budget.subtractNumBatchedTokens(victim.id, this.numNewTokens(victim));
      budget.subtractNumSeqs(victim.id, 1);
      if (this.preempt(victim, blocksToSwapOut, 'swap') === 'swap') this.swapped.push(victim);
      else this.waiting.push(victim); // the CPU pool is full: recompute (sorted into place below)
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
      if (blocksToSwapOut.length === 0 && running.preempted.length + running.swappedOut.length === 0) swappedIn = this.scheduleSwapped(budget);
    }
    return this.commitStep(budget, prefills, running, swappedIn, blocksToSwapOut);
  }

  /** Every `cfsInterval`-th step is a CFS step; 0 never (FCFS). The counter belongs to this instance. */
  static numIters = 0; // BUG: shared by every scheduler in the process

  override schedule(): SchedulerOutputs {
    this.numSteps++;
    CfsScheduler.numIters++;
    const interval = this.config.cfsInterval;
    return interval > 0 && CfsScheduler.numIters % interval === 0 ? this.scheduleCfs() : this.scheduleDefault();
  }
}

/** Runs `CfsScheduler` in the engine: `npm run sim -- --replica-scheduler-module starter/cfs/cfs-scheduler.ts`. Do not change. */
export class CfsReplicaScheduler extends VllmV0ReplicaScheduler {
  protected override createScheduler(init: VllmV0SchedulerInit): VllmV0Scheduler {
    return new CfsScheduler(init);
  }
}
