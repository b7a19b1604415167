/**
 * vLLM V0's scheduler (`vllm/core/scheduler.py` at 5fbbfe9, the version Cornell CS5470 HW2 pins),
 * rewritten in servelab's terms: one `schedule()` call is one engine step and returns what that step
 * runs (`SchedulerOutputs`). The replica scheduler `vllm-v0` (./vllm-v0-replica-scheduler.ts) drives it from the event
 * loop, charges swap time and checks every step.
 *
 * A vLLM `SequenceGroup` is a servelab `Request` (one sequence per group). Three queues:
 * - `waiting`: new requests and recompute victims (front first), holding no KV blocks;
 * - `running`: holding GPU blocks (the requests of the last step, in service order);
 * - `swapped`: preempted by swapping, their KV blocks in the CPU pool (a swapped request keeps every
 *   token and its `Request.status`; servelab's request life cycle has no separate swapped state).
 *   A queue in swap-out order: victims join at the back as they are swapped out and come back from the
 *   front, unsorted (upstream's `_schedule_swapped` takes `self.swapped` as it is). Victims are taken
 *   from the back of `running`, so within one step the request that joined `running` last is swapped
 *   out, and comes back, first: swap-in is first-in-first-out by swap-out time, not oldest arrival first.
 *
 * The default step (`scheduleDefault`, upstream's `_schedule_default`):
 * 1. only if nothing is swapped out: admit prefills FCFS from the head of `waiting` while they fit the
 *    KV cache above the watermark and the budget (`schedulePrefills`);
 * 2. if no prefill was admitted: decode every running request one token, oldest first; a request that
 *    cannot get a slot preempts the newest running request (or itself when alone) (`scheduleRunning`);
 * 3. if nothing was preempted: swap requests back in from the front of `swapped` (swap-out order)
 *    while they fit (`scheduleSwapped`).
 * A step is prefill-only or decode-only, and never swaps in and out at once.
 *
 * Names follow vLLM in camelCase (`_schedule_prefills` → `schedulePrefills`). The engine's own
 * `schedule()` runs the default step only; the preemptive (CFS) variant is the CFS lab's.
 *
 * A full CPU pool: upstream's `_swap_out` raises ("Aborted due to the lack of CPU swap space") and the
 * engine dies. Here `preempt` asks `onSwapPoolFull(victim)`, which by default does what vLLM does
 * (`SwapSpaceExhaustedError`) unless `--swap-pool-full recompute` is set; a scheduler subclass chooses by
 * overriding it ('raise' or 'recompute'). Every fallback is counted in `numSwapFallbacks`.
 */
import type { Request } from '../../entities/request.js';
import type { BlockTransfer, CpuSwapPool } from '../../memory/cpu-swap-pool.js';
import type { KvBlockManager } from '../../memory/kv-block-manager.js';
import { InputError } from '../../errors.js';

export type { BlockTransfer } from '../../memory/cpu-swap-pool.js';

/** How a preempted request gives up its GPU blocks: copied to the CPU pool, or dropped and recomputed later. */
export type PreemptionMode = 'swap' | 'recompute';
export const PREEMPTION_MODES = ['recompute', 'swap'] as const satisfies readonly PreemptionMode[];

/**
 * What a swap preemption does when the CPU pool cannot take the victim's blocks: 'raise' stops the run
 * as vLLM V0 does; 'recompute' drops the victim's GPU blocks instead (it is prefilled again later).
 */
export type SwapPoolFullChoice = 'raise' | 'recompute';
export const SWAP_POOL_FULL_CHOICES = ['raise', 'recompute'] as const satisfies readonly SwapPoolFullChoice[];

/** The CPU swap pool was full and the scheduler chose to raise, as vLLM V0 does. */
export class SwapSpaceExhaustedError extends InputError {
  constructor(requestId: number, needed: number, free: number, total: number) {
    super(
      `aborted due to the lack of CPU swap space (as vLLM V0 does): request ${requestId} needs ${needed} CPU blocks, ` +
        `${free} of ${total} are free. Raise --swap-space, or choose recompute: --swap-pool-full recompute for the engine's vllm-v0, ` +
        `onSwapPoolFull() returning 'recompute' in a scheduler module`,
    );
    this.name = 'SwapSpaceExhaustedError';
  }
}

/** vLLM's `AllocStatus`: fits now, may fit later, or can never fit the GPU cache. */
export type AllocStatus = 'ok' | 'later' | 'never';

/** vLLM's priority tuple: (user priority, key); lower is served first, compared left to right. */
export type Priority = readonly [priority: number, key: number];

/** Lexicographic comparison of priorities: negative when `a` is served before `b`. */
export function comparePriority(a: Priority, b: Priority): number {
  return a[0] - b[0] || a[1] - b[1];
}

/** One request in a step, with the tokens it computes: its whole prompt (prefill) or 1 (decode). */
export interface ScheduledGroup {
  readonly request: Request;
  readonly numTokens: number;
}

/** What one step runs: vLLM's `SchedulerOutputs`. */
export interface SchedulerOutputs {
  /** Prefills, or decodes (running ones, then swapped-in ones); never both. */
  readonly scheduled: readonly ScheduledGroup[];
  readonly numPrefillGroups: number;
  readonly numBatchedTokens: number;
  /** KV blocks copied CPU → GPU before this step's forward pass. */
  readonly blocksToSwapIn: readonly BlockTransfer[];
  /** KV blocks copied GPU → CPU before this step's forward pass. */
  readonly blocksToSwapOut: readonly BlockTransfer[];
  /** Requests dropped because they can never fit (too long for the budget or the cache). */
  readonly ignored: readonly Request[];
  /** Requests preempted by this step (recompute or swap). */
  readonly preempted: number;
}

export interface PrefillOutputs {
  readonly groups: ScheduledGroup[];
  readonly ignored: Request[];
}

export interface RunningOutputs {
  readonly decodes: ScheduledGroup[];
  /** Preempted by recompute: they go to the front of `waiting`. */
  readonly preempted: Request[];
  /** Preempted by swapping: they go to `swapped`. */
  readonly swappedOut: Request[];
  readonly blocksToSwapOut: BlockTransfer[];
}

export interface SwappedInOutputs {
  readonly decodes: ScheduledGroup[];
  readonly blocksToSwapIn: BlockTransfer[];
  readonly infeasible: Request[];
}

/** Nothing admitted (vLLM's `SchedulerPrefillOutputs.create_empty()`). */
export const emptyPrefillOutputs = (): PrefillOutputs => ({ groups: [], ignored: [] });
/** Nothing decoded or preempted (`SchedulerRunningOutputs.create_empty()`). */
export const emptyRunningOutputs = (): RunningOutputs => ({
  decodes: [],
  preempted: [],
  swappedOut: [],
  blocksToSwapOut: [],
});
/** Nothing swapped in (`SchedulerSwappedInOutputs.create_empty()`). */
export const emptySwappedInOutputs = (): SwappedInOutputs => ({ decodes: [], blocksToSwapIn: [], infeasible: [] });

export interface VllmV0SchedulerConfig {
  /** Most requests holding GPU blocks at once (`max_num_seqs`). */
  readonly maxNumSeqs: number;
  /** Token budget of one step (`max_num_batched_tokens`). */
  readonly maxNumBatchedTokens: number;
  /** Longest sequence the model takes (`max_model_len`); prompts longer than min(this, budget) are ignored. */
  readonly maxModelLen: number;
  /** How `preempt` frees blocks unless told otherwise (`--preemption-mode`). */
  readonly preemptionMode: PreemptionMode;
  /** CFS schedulers: run the CFS step every `cfsInterval`-th step (0: never). The default step ignores it. */
  readonly cfsInterval: number;
  /** What `onSwapPoolFull` returns unless a subclass overrides it (`--swap-pool-full`); default 'raise', as vLLM. */
  readonly swapPoolFull?: SwapPoolFullChoice;
}

export interface VllmV0SchedulerInit {
  readonly config: VllmV0SchedulerConfig;
  /** The replica's GPU KV cache (16-token blocks, 1% watermark). */
  readonly gpu: KvBlockManager;
  /** The replica's CPU swap pool. */
  readonly cpu: CpuSwapPool;
}

/**
 * vLLM's `SchedulingBudget`: tokens and sequences of one step. Request-aware, as in vLLM: adding the
 * same request twice counts once, and subtracting a request that was never added does nothing.
 */
export class SchedulingBudget {
  readonly tokenBudget: number;
  readonly maxNumSeqs: number;
  readonly #tokenIds = new Set<number>();
  readonly #seqIds = new Set<number>();
  #numBatchedTokens = 0;
  #numCurrSeqs = 0;

  constructor(tokenBudget: number, maxNumSeqs: number) {
    this.tokenBudget = tokenBudget;
    this.maxNumSeqs = maxNumSeqs;
  }

  canSchedule({ numNewTokens, numNewSeqs }: { numNewTokens: number; numNewSeqs: number }): boolean {
    return (
      this.#numBatchedTokens + numNewTokens <= this.tokenBudget && this.#numCurrSeqs + numNewSeqs <= this.maxNumSeqs
    );
  }

  remainingTokenBudget(): number {
    return this.tokenBudget - this.#numBatchedTokens;
  }

  addNumBatchedTokens(requestId: number, numTokens: number): void {
    if (this.#tokenIds.has(requestId)) return;
    this.#tokenIds.add(requestId);
    this.#numBatchedTokens += numTokens;
  }

  subtractNumBatchedTokens(requestId: number, numTokens: number): void {
    if (!this.#tokenIds.delete(requestId)) return;
    this.#numBatchedTokens -= numTokens;
  }

  addNumSeqs(requestId: number, numSeqs: number): void {
    if (this.#seqIds.has(requestId)) return;
    this.#seqIds.add(requestId);
    this.#numCurrSeqs += numSeqs;
  }

  subtractNumSeqs(requestId: number, numSeqs: number): void {
    if (!this.#seqIds.delete(requestId)) return;
    this.#numCurrSeqs -= numSeqs;
  }

  get numBatchedTokens(): number {
    return this.#numBatchedTokens;
  }

  get numCurrSeqs(): number {
    return this.#numCurrSeqs;
  }
}

export class VllmV0Scheduler {
  readonly config: VllmV0SchedulerConfig;
  readonly gpu: KvBlockManager;
  readonly cpu: CpuSwapPool;
  waiting: Request[] = [];
  running: Request[] = [];
  swapped: Request[] = [];
  /** Steps taken by this scheduler (one per `schedule()` call): per instance, so two runs never share it. */
  numSteps = 0;
  /** Preemptions of any kind over this scheduler's life (vLLM's `num_cumulative_preemption`). */
  numCumulativePreemption = 0;
  /** Swap preemptions turned into recompute because the CPU pool was full (`onSwapPoolFull` chose 'recompute'). */
  numSwapFallbacks = 0;
  #recomputed: Request[] = [];

  constructor(init: VllmV0SchedulerInit) {
    this.config = init.config;
    this.gpu = init.gpu;
    this.cpu = init.cpu;
  }

  /** A new request joins the back of `waiting`. */
  addRequest(request: Request): void {
    this.waiting.push(request);
  }

  get hasUnfinished(): boolean {
    return this.waiting.length + this.running.length + this.swapped.length > 0;
  }

  // ---- the step --------------------------------------------------------------------------------

  /** One engine step (vLLM's `_schedule`). The engine's vllm-v0 runs the default (FCFS) step. */
  schedule(): SchedulerOutputs {
    this.numSteps++;
    return this.scheduleDefault();
  }

  /** vLLM V0's default step; see the header. */
  scheduleDefault(): SchedulerOutputs {
    const budget = this.createBudget();
    let prefills = emptyPrefillOutputs();
    let running = emptyRunningOutputs();
    let swappedIn = emptySwappedInOutputs();
    // Swapped-out requests come back before any new prompt is admitted.
    if (this.swapped.length === 0) prefills = this.schedulePrefills(budget);
    // Prefill-only or decode-only: decodes run only in a step without prefills.
    if (prefills.groups.length === 0) {
      running = this.scheduleRunning(budget);
      // A preemption means memory is short; swapping in now would also swap in and out in one step.
      if (running.preempted.length + running.swappedOut.length === 0) swappedIn = this.scheduleSwapped(budget);
    }
    return this.commitStep(budget, prefills, running, swappedIn);
  }

  /** The preemptive (CFS) step: not part of the engine (it is the CFS lab's task, labs/cfs). */
  scheduleCfs(): SchedulerOutputs {
    throw new Error(
      "scheduleCfs() is not implemented in the engine: it is the CFS lab's task (labs/cfs/README.md); the engine's vllm-v0 runs scheduleDefault()",
    );
  }

  /**
   * vLLM's `_get_priority`: (user priority, arrival time), lower first. servelab requests carry no
   * user priority, so it is 0 for all.
   */
  getPriority(group: Request): Priority {
    return [0, group.arrivedAt];
  }

  /**
   * vLLM's `_schedule_priority_preemption`: sort `running` by priority; while the worst running request
   * ranks below the head of `waiting` and the head cannot be admitted, preempt that request and put it
   * at the front of `waiting`; then sort `waiting` by priority. Returns the number preempted.
   *
   * Victims are always recomputed here, whatever `--preemption-mode` says, so `blocksToSwapOut` is
   * never touched. vLLM's first version of this method (0.6.2) passed `PreemptionMode.RECOMPUTE`
   * explicitly and kept its swap-out list local; later V0 releases pass no mode, so the configured
   * mode applies, and a swapped victim is then still queued in `waiting`. The CFS lab's version swaps
   * its victims into `swapped` and returns their blocks in the step's list (labs/cfs/README.md).
   */
  schedulePriorityPreemption(budget: SchedulingBudget, blocksToSwapOut: BlockTransfer[]): number {
    const byPriority = (a: Request, b: Request) => comparePriority(this.getPriority(a), this.getPriority(b));
    const running = [...this.running].sort(byPriority);
    let forced = 0;
    if (this.waiting.length > 0) {
      const head = this.waiting.shift()!;
      const numNewTokens = this.numNewTokens(head);
      while (
        running.length > 0 &&
        comparePriority(this.getPriority(running[running.length - 1]!), this.getPriority(head)) > 0
      ) {
        if (numNewTokens > 0 && this.canAllocate(head) === 'ok' && budget.canSchedule({ numNewTokens, numNewSeqs: 1 }))
          break;
        const victim = running.pop()!;
        budget.subtractNumBatchedTokens(victim.id, this.numNewTokens(victim));
        budget.subtractNumSeqs(victim.id, 1);
        this.preempt(victim, blocksToSwapOut, 'recompute');
        this.waiting.unshift(victim);
        forced++;
      }
      this.waiting.unshift(head);
    }
    this.waiting.sort(byPriority);
    this.running = running;
    return forced;
  }

  // ---- the three parts of a step ------------------------------------------------------------

  /**
   * vLLM's `_schedule_prefills` (no chunking): admit from the head of `waiting` while each whole prompt
   * fits the cache above the watermark and the budget; stop at the first that does not fit; drop
   * prompts that never can. Admitted requests leave `waiting` (the caller adds them to `running`).
   */
  schedulePrefills(budget: SchedulingBudget): PrefillOutputs {
    const out = emptyPrefillOutputs();
    const promptLimit = Math.min(this.config.maxModelLen, this.config.maxNumBatchedTokens);
    while (this.waiting.length > 0) {
      const group = this.waiting[0]!;
      const numNewTokens = this.numNewTokens(group);
      if (numNewTokens > promptLimit) {
        out.ignored.push(this.waiting.shift()!);
        continue;
      }
      const status = this.canAllocate(group);
      if (status === 'later') break;
      if (status === 'never') {
        out.ignored.push(this.waiting.shift()!);
        continue;
      }
      if (numNewTokens === 0 || !budget.canSchedule({ numNewTokens, numNewSeqs: 1 })) break;
      this.waiting.shift();
      this.allocateAndSetRunning(group);
      out.groups.push({ request: group, numTokens: numNewTokens });
      budget.addNumBatchedTokens(group.id, numNewTokens);
      budget.addNumSeqs(group.id, 1);
    }
    return out;
  }

  /**
   * vLLM's `_schedule_running` (no chunking): every request in `running` leaves it and, front first,
   * gets a slot for its next token; when none is free, the request at the back of the queue is
   * preempted (`preempt`, the configured mode), or the request itself when it is the last one. The
   * caller puts the decodes back in `running` (`commitStep`).
   */
  scheduleRunning(budget: SchedulingBudget): RunningOutputs {
    const out = emptyRunningOutputs();
    const queue = this.running;
    this.running = [];
    let head = 0;
    let tail = queue.length; // queue[tail..] were taken as victims
    while (head < tail) {
      const group = queue[head++]!;
      let scheduled = true;
      while (!this.canAppendSlots(group)) {
        budget.subtractNumBatchedTokens(group.id, 1);
        budget.subtractNumSeqs(group.id, 1);
        const victim = head < tail ? queue[--tail]! : group;
        const mode = this.preempt(victim, out.blocksToSwapOut);
        (mode === 'recompute' ? out.preempted : out.swappedOut).push(victim);
        if (victim === group) {
          scheduled = false;
          break;
        }
      }
      if (!scheduled) break;
      this.appendSlots(group);
      out.decodes.push({ request: group, numTokens: 1 });
      budget.addNumBatchedTokens(group.id, 1);
    }
    return out;
  }

  /**
   * vLLM's `_schedule_swapped`: swap requests back in from the front of `swapped` (swap-out order, not
   * sorted) while their blocks and the slot of their next token fit above the watermark and the budget;
   * each decodes one token in this step.
   */
  scheduleSwapped(budget: SchedulingBudget): SwappedInOutputs {
    const out = emptySwappedInOutputs();
    while (this.swapped.length > 0) {
      const group = this.swapped[0]!;
      const status = this.canSwapIn(group);
      if (status === 'later') break;
      if (status === 'never') {
        out.infeasible.push(this.swapped.shift()!);
        continue;
      }
      if (!budget.canSchedule({ numNewTokens: 1, numNewSeqs: 1 })) break;
      this.swapped.shift();
      this.swapIn(group, out.blocksToSwapIn);
      this.appendSlots(group);
      out.decodes.push({ request: group, numTokens: 1 });
      budget.addNumBatchedTokens(group.id, 1);
      budget.addNumSeqs(group.id, 1);
    }
    return out;
  }

  /**
   * The end of `scheduleDefault`: recompute victims to the front of `waiting` (oldest first), admitted,
   * decoded and swapped-in requests to `running`, swap victims to `swapped`, and the step's outputs.
   * `blocksToSwapOut` adds swap-outs made outside `scheduleRunning` (e.g. by priority preemption).
   */
  commitStep(
    budget: SchedulingBudget,
    prefills: PrefillOutputs,
    running: RunningOutputs,
    swappedIn: SwappedInOutputs,
    blocksToSwapOut: readonly BlockTransfer[] = [],
  ): SchedulerOutputs {
    for (const victim of running.preempted) this.waiting.unshift(victim);
    for (const g of prefills.groups) this.running.push(g.request);
    for (const g of running.decodes) this.running.push(g.request);
    for (const g of swappedIn.decodes) this.running.push(g.request);
    for (const victim of running.swappedOut) this.swapped.push(victim);
    return {
      scheduled: [...prefills.groups, ...running.decodes, ...swappedIn.decodes],
      numPrefillGroups: prefills.groups.length,
      numBatchedTokens: budget.numBatchedTokens,
      blocksToSwapIn: swappedIn.blocksToSwapIn,
      blocksToSwapOut: [...blocksToSwapOut, ...running.blocksToSwapOut],
      ignored: [...prefills.ignored, ...swappedIn.infeasible],
      preempted: running.preempted.length + running.swappedOut.length,
    };
  }

  // ---- helpers ---------------------------------------------------------------------------------

  /** A step's budget with every running request already counted as a sequence (as vLLM does first). */
  createBudget(): SchedulingBudget {
    const budget = new SchedulingBudget(this.config.maxNumBatchedTokens, this.config.maxNumSeqs);
    for (const group of this.running) budget.addNumSeqs(group.id, 1);
    return budget;
  }

  /** Tokens the request computes in its next step: its whole prompt (prefill), or 1 (decode). */
  numNewTokens(group: Request): number {
    return group.isPrefillComplete ? 1 : group.prefillTarget - group.numProcessedTokens;
  }

  /** vLLM's `can_allocate`: the whole prompt must leave the watermark free (never: not even on an empty cache). */
  canAllocate(group: Request): AllocStatus {
    const need = this.gpu.blocksFor(group.prefillTarget);
    if (this.gpu.numBlocks - need < this.gpu.watermarkBlocks) return 'never';
    return this.gpu.numFreeBlocks - need >= this.gpu.watermarkBlocks ? 'ok' : 'later';
  }

  /**
   * vLLM's `can_swap_in` (its block manager's `_can_swap`): the blocks the request holds on the CPU plus
   * the slot of its next token must leave the watermark free. The slot needs a new block only when the
   * last block is full; when it is partial the next token fits in it, so the request needs exactly the
   * blocks it holds (vLLM V0's first block manager asked one more block in every case).
   */
  canSwapIn(group: Request): AllocStatus {
    const need = this.blocksToSwapIn(group);
    if (this.gpu.numBlocks < need) return 'never';
    return this.gpu.numFreeBlocks - need >= this.gpu.watermarkBlocks ? 'ok' : 'later';
  }

  /** GPU blocks a swapped request needs to come back and decode its next token: held ones, plus one if the last is full. */
  blocksToSwapIn(group: Request): number {
    return Math.max(this.cpu.blocksHeldBy(group.id), this.gpu.blocksFor(group.numProcessedTokens));
  }

  /** vLLM's `can_append_slots`: a running request needs one free block to grow (whether or not it crosses one). */
  canAppendSlots(_group: Request): boolean {
    return this.gpu.canAppend(1);
  }

  /** Allocates a waiting request's prompt blocks (`_allocate_and_set_running`). */
  allocateAndSetRunning(group: Request): void {
    if (this.gpu.holds(group.id) || this.cpu.holds(group.id))
      throw new Error(`request ${group.id} already holds KV blocks; only waiting requests are allocated`);
    this.gpu.allocate(group.id, this.gpu.blocksFor(group.prefillTarget));
  }

  /** Gives a running request the slot for its next token (a new block when it crosses one). */
  appendSlots(group: Request): void {
    if (!this.gpu.holds(group.id))
      throw new Error(`request ${group.id} holds no GPU blocks; only running requests get slots`);
    if (!this.gpu.ensureCapacity(group.id, group.numProcessedTokens)) {
      throw new Error(`request ${group.id} could not get a slot: no free GPU block (check canAppendSlots first)`);
    }
  }

  /**
   * vLLM's `_preempt`: frees a running request's GPU blocks, by swapping them to the CPU pool
   * (adding them to `blocksToSwapOut`) or by dropping them for recompute. `mode` defaults to the
   * configured preemption mode. If the CPU pool cannot take the blocks, `onSwapPoolFull` decides:
   * raise (as vLLM V0) or recompute. Returns the mode used; the caller queues the request accordingly:
   * 'swap' → `swapped`, 'recompute' → the front of `waiting`.
   */
  preempt(
    group: Request,
    blocksToSwapOut: BlockTransfer[],
    mode: PreemptionMode = this.config.preemptionMode,
  ): PreemptionMode {
    let used = mode;
    const blocks = this.gpu.blocksHeldBy(group.id);
    if (used === 'swap' && !this.cpu.canSwapOut(blocks)) {
      const choice = this.onSwapPoolFull(group);
      if (choice !== 'recompute') {
        if (choice !== 'raise')
          throw new Error(`onSwapPoolFull() returned ${JSON.stringify(choice)}; return 'raise' or 'recompute'`);
        throw new SwapSpaceExhaustedError(group.id, blocks, this.cpu.numFreeBlocks, this.cpu.numBlocks);
      }
      used = 'recompute';
      this.numSwapFallbacks++;
    }
    this.numCumulativePreemption++;
    if (used === 'recompute') this.preemptByRecompute(group);
    else this.swapOut(group, blocksToSwapOut);
    return used;
  }

  /**
   * The CPU pool cannot take `victim`'s blocks: 'raise' stops the run (vLLM V0's behaviour: its engine
   * aborts), 'recompute' drops the victim's GPU blocks instead. The engine's choice is
   * `config.swapPoolFull` (default 'raise'); a scheduler subclass may decide per victim.
   */
  onSwapPoolFull(_victim: Request): SwapPoolFullChoice {
    return this.config.swapPoolFull ?? 'raise';
  }

  /** Drops a running request's GPU blocks; its prompt and generated tokens are prefilled again later. */
  preemptByRecompute(group: Request): void {
    if (!this.gpu.holds(group.id)) throw new Error(`request ${group.id} holds no GPU blocks and cannot be preempted`);
    this.gpu.free(group.id);
    group.restart();
    this.#recomputed.push(group);
  }

  /** Copies a running request's GPU blocks to the CPU pool (`_swap_out`); it keeps every token. */
  swapOut(group: Request, blocksToSwapOut: BlockTransfer[]): void {
    const numBlocks = this.gpu.blocksHeldBy(group.id);
    if (numBlocks === 0) throw new Error(`request ${group.id} holds no GPU blocks and cannot be swapped out`);
    this.cpu.swapOut(group.id, numBlocks); // throws when the pool is full
    this.gpu.free(group.id);
    blocksToSwapOut.push({ requestId: group.id, numBlocks });
  }

  /** Copies a swapped request's blocks back to the GPU (`_swap_in`); check `canSwapIn` first. */
  swapIn(group: Request, blocksToSwapIn: BlockTransfer[]): void {
    const numBlocks = this.cpu.blocksHeldBy(group.id);
    if (numBlocks === 0) throw new Error(`request ${group.id} has no KV cache on the CPU to swap in`);
    if (!this.gpu.canAppend(numBlocks))
      throw new Error(
        `request ${group.id} needs ${numBlocks} GPU blocks to swap in, ${this.gpu.numFreeBlocks} are free (check canSwapIn first)`,
      );
    this.cpu.swapIn(group.id);
    this.gpu.allocate(group.id, numBlocks);
    blocksToSwapIn.push({ requestId: group.id, numBlocks });
  }

  /** Requests preempted by recompute since the last call (the engine's record of the step). */
  takeRecomputeLog(): Request[] {
    const log = this.#recomputed;
    this.#recomputed = [];
    return log;
  }
}
