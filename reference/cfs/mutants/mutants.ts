/**
 * Wrong implementations of the CFS lab, each the reference with one plausible mistake, kept as
 * patches on the reference (grader/core/mutants.ts) so they cannot drift from it.
 * test/grader/cfs-mutants.test.ts grades each and checks it loses points where it should.
 */
import type { Mutant } from '../../../grader/core/mutants.js';

export const MUTANTS: readonly Mutant<'cfs-scheduler.ts'>[] = [
  {
    name: 'drops-swap-list',
    description:
      'CFS lab mutant "drops-swap-list": the reference solution with one bug, priority preemption swaps into a local list (as vLLM upstream), so the step\'s outputs do not list those blocks.',
    file: 'cfs-scheduler.ts',
    patches: [
      [
        '   */\n  override schedulePriorityPreemption(budget: SchedulingBudget, blocksToSwapOut: BlockTransfer[]): number {\n    const byPriority = (a: Request, b: Request) => comparePriority(this.getPriority(a), this.getPriority(b));\n',
        '   */\n  override schedulePriorityPreemption(budget: SchedulingBudget, _stepList: BlockTransfer[]): number {\n    const blocksToSwapOut: BlockTransfer[] = []; // BUG: a local list, never returned\n    const byPriority = (a: Request, b: Request) => comparePriority(this.getPriority(a), this.getPriority(b));\n',
      ],
    ],
  },
  {
    name: 'ignores-interval',
    description:
      'CFS lab mutant "ignores-interval": the reference solution with one bug, schedule() runs the CFS step every 10th step whatever cfsInterval says.',
    file: 'cfs-scheduler.ts',
    patches: [
      [
        '    this.numSteps++;\n    const interval = this.config.cfsInterval;\n    return interval > 0 && this.numSteps % interval === 0 ? this.scheduleCfs() : this.scheduleDefault();\n',
        '    this.numSteps++;\n    const interval = 10; // BUG: hard-coded, ignores config.cfsInterval\n    return interval > 0 && this.numSteps % interval === 0 ? this.scheduleCfs() : this.scheduleDefault();\n',
      ],
    ],
  },
  {
    name: 'keeps-swap-gate',
    description:
      'CFS lab mutant "keeps-swap-gate": the reference solution with one bug, scheduleCfs keeps the default step\'s "nothing swapped" gate on prefills.',
    file: 'cfs-scheduler.ts',
    patches: [
      [
        '  comparePriority,\n  emptyRunningOutputs,\n',
        '  comparePriority,\n  emptyPrefillOutputs,\n  emptyRunningOutputs,\n',
      ],
      [
        '    this.schedulePriorityPreemption(budget, blocksToSwapOut);\n    const prefills = this.schedulePrefills(budget);\n    let running = emptyRunningOutputs();\n',
        "    this.schedulePriorityPreemption(budget, blocksToSwapOut);\n    const prefills = this.swapped.length === 0 ? this.schedulePrefills(budget) : emptyPrefillOutputs(); // BUG: the default step's gate\n    let running = emptyRunningOutputs();\n",
      ],
    ],
  },
  {
    name: 'mixed-swap',
    description:
      'CFS lab mutant "mixed-swap": the reference solution with one bug, a CFS step that swapped requests out still swaps others in.',
    file: 'cfs-scheduler.ts',
    patches: [
      [
        '      // A step that swapped anything out must not swap in.\n      if (blocksToSwapOut.length === 0 && running.preempted.length + running.swappedOut.length === 0)\n        swappedIn = this.scheduleSwapped(budget);\n    }\n',
        '      // A step that swapped anything out must not swap in.\n      if (running.preempted.length + running.swappedOut.length === 0)\n        swappedIn = this.scheduleSwapped(budget); // BUG: ignores the swap-outs of priority preemption\n    }\n',
      ],
    ],
  },
  {
    name: 'no-displacement',
    description:
      'CFS lab mutant "no-displacement": the reference solution with one bug, the "no waiting request" branch is missing: swapped requests never displace running ones.',
    file: 'cfs-scheduler.ts',
    patches: [
      [
        "      this.waiting.unshift(head);\n    } else if (this.swapped.length > 0) {\n      this.swapped.sort(byPriority);\n      const head = this.swapped[0]!;\n      while (worseThan(head)) {\n        if (this.canSwapIn(head) === 'ok' && budget.canSchedule({ numNewTokens: 1, numNewSeqs: 1 })) break;\n        evict();\n      }\n    }\n    this.waiting.sort(byPriority);\n",
        '      this.waiting.unshift(head);\n    } // BUG: nothing for swapped requests when no request waits\n    this.waiting.sort(byPriority);\n',
      ],
    ],
  },
  {
    name: 'priority-by-arrival',
    description:
      'CFS lab mutant "priority-by-arrival": the reference solution with one bug, getPriority ranks by arrival time (vLLM\'s upstream priority), not by tokens generated.',
    file: 'cfs-scheduler.ts',
    patches: [
      [
        '  override getPriority(group: Request): Priority {\n    return [0, group.numGeneratedTokens];\n  }\n',
        '  override getPriority(group: Request): Priority {\n    return [0, group.arrivedAt]; // BUG: arrival time instead of tokens generated\n  }\n',
      ],
    ],
  },
  {
    name: 'raises-on-full-pool',
    description:
      'CFS lab mutant "raises-on-full-pool": the reference solution with one bug, onSwapPoolFull raises as vLLM V0 does, so a full CPU pool ends the run.',
    file: 'cfs-scheduler.ts',
    patches: [
      [
        "  override onSwapPoolFull(_victim: Request): SwapPoolFullChoice {\n    return 'recompute';\n  }\n",
        "  override onSwapPoolFull(_victim: Request): SwapPoolFullChoice {\n    return 'raise'; // BUG: one full pool ends the whole run\n  }\n",
      ],
    ],
  },
  {
    name: 'recompute-instead-of-swap',
    description:
      'CFS lab mutant "recompute-instead-of-swap": the reference solution with one bug, victims of priority preemption are recomputed (vLLM\'s upstream behaviour) instead of swapped to the CPU.',
    file: 'cfs-scheduler.ts',
    patches: [
      [
        "      budget.subtractNumSeqs(victim.id, 1);\n      if (this.preempt(victim, blocksToSwapOut, 'swap') === 'swap') this.swapped.push(victim);\n      else this.waiting.push(victim); // the CPU pool was full and onSwapPoolFull chose recompute (sorted into place below)\n      forced++;\n",
        "      budget.subtractNumSeqs(victim.id, 1);\n      this.preempt(victim, blocksToSwapOut, 'recompute'); // BUG: recompute instead of swap\n      this.waiting.push(victim);\n      forced++;\n",
      ],
    ],
  },
  {
    name: 'static-counter',
    description:
      'CFS lab mutant "static-counter": the reference solution with one bug, the step counter is a static (class-wide) field, like the course\'s Scheduler.num_iters, so schedulers share it.',
    file: 'cfs-scheduler.ts',
    patches: [
      [
        '  /** Every `cfsInterval`-th step is a CFS step; 0 never (FCFS). The counter belongs to this instance. */\n  override schedule(): SchedulerOutputs {\n    this.numSteps++;\n    const interval = this.config.cfsInterval;\n    return interval > 0 && this.numSteps % interval === 0 ? this.scheduleCfs() : this.scheduleDefault();\n  }\n',
        '  /** Every `cfsInterval`-th step is a CFS step; 0 never (FCFS). The counter belongs to this instance. */\n  static numIters = 0; // BUG: shared by every scheduler in the process\n\n  override schedule(): SchedulerOutputs {\n    this.numSteps++;\n    CfsScheduler.numIters++;\n    const interval = this.config.cfsInterval;\n    return interval > 0 && CfsScheduler.numIters % interval === 0 ? this.scheduleCfs() : this.scheduleDefault();\n  }\n',
      ],
    ],
  },
];
