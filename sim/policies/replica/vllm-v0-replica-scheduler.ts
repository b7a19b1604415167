/**
 * The `vllm-v0` replica scheduler: vLLM V0's engine step (./vllm-v0-step-scheduler.ts) driven by
 * servelab's event loop, with preemption by swapping to a CPU pool.
 *
 * Each time the engine asks for a batch, this calls the V0 scheduler's `schedule()` (one vLLM engine
 * step), checks the step (below), and turns it into a `Batch` whose `extraTime` is the step's swap
 * time: blocks moved × bytes per block per GPU / PCIe bandwidth. vLLM V0 copies the blocks before the
 * forward pass, each tensor-parallel shard its own slice in parallel (sim/memory/swap-cost.ts). A step
 * that runs nothing but moved blocks (a lone request swapped itself out) is followed at once by the
 * next step, and its swap time is charged to the next batch.
 *
 * Checks on every step (a violation throws, naming the step and the rule):
 * - a step never swaps in and out (vLLM V0 asserts it);
 * - `blocksToSwapIn` / `blocksToSwapOut` list exactly what moved (a swap missing from them would
 *   lose the KV cache in a real engine);
 * - scheduled requests hold GPU blocks with room for their tokens, appear once, and are all prefills
 *   (whole prompts) or all decodes (one token); at most `maxNumSeqs` hold GPU blocks;
 * - every request is in exactly one queue, holding what that queue implies.
 *
 * The scheduler never reports a steady decode batch, so the engine's decode fast-forward stays off.
 */
import { DEVICES, type DeviceName } from '../../catalog/devices.js';
import { kvBytesPerToken, MODELS, type ModelName } from '../../catalog/models.js';
import { Batch } from '../../entities/batch.js';
import type { Request } from '../../entities/request.js';
import { CpuSwapPool, cpuBlocksFor, type BlockTransfer } from '../../memory/cpu-swap-pool.js';
import { swapSeconds, type SwapCostModel } from '../../memory/swap-cost.js';
import { ReplicaScheduler, type ReplicaSchedulerInit } from './replica-scheduler.js';
import {
  VllmV0Scheduler,
  type PreemptionMode,
  type SchedulerOutputs,
  type SwapPoolFullChoice,
  type VllmV0SchedulerInit,
} from './vllm-v0-step-scheduler.js';

/** The `vllm-v0` settings that come from the config (`--swap-space`, `--preemption-mode`, `--cfs-interval`) and the catalog. */
export interface VllmV0Options {
  /** CPU swap space per GPU, GiB (vLLM's `swap_space`). */
  readonly swapSpaceGiB: number;
  /** KV bytes of one block on one GPU (block size × KV bytes per token ÷ TP). */
  readonly blockBytesPerGpu: number;
  /** Effective host↔device bandwidth per GPU for KV swaps, GB/s (10⁹ bytes). */
  readonly swapBandwidthGBs: number;
  /** Host↔device copies per swapped block: 2 × layers in vLLM V0 (sim/memory/swap-cost.ts); default 1. */
  readonly swapCopiesPerBlock?: number;
  /** Fixed cost of each of those copies, seconds; default 0 (bytes ÷ bandwidth only). */
  readonly swapCopyOverheadSeconds?: number;
  readonly preemptionMode: PreemptionMode;
  /** A full CPU pool: raise as vLLM V0 (default) or recompute, unless the scheduler overrides `onSwapPoolFull`. */
  readonly swapPoolFull?: SwapPoolFullChoice;
  /** For CFS schedulers (the CFS lab): the CFS step every N-th step; 0 never. */
  readonly cfsInterval: number;
  /** Keep one `KvUsageSample` per batch in `usage` (for plots and the KV usage metrics). */
  readonly recordUsage: boolean;
}

/** The config fields `vllmV0Options` reads (the run's config has them all). */
export interface VllmV0Settings {
  readonly model: ModelName;
  readonly device: DeviceName;
  readonly tp: number;
  readonly blockSize: number;
  readonly swapSpace: number;
  readonly swapBandwidth?: number | undefined;
  /** Microseconds per host↔device copy. */
  readonly swapCopyOverhead: number;
  readonly preemptionMode: PreemptionMode;
  readonly swapPoolFull: SwapPoolFullChoice;
  readonly cfsInterval: number;
}

/** The `vllm-v0` options a config implies: block bytes per GPU from the model, bandwidth from the device. */
export function vllmV0Options(config: VllmV0Settings, recordUsage = false): VllmV0Options {
  return {
    swapSpaceGiB: config.swapSpace,
    blockBytesPerGpu: kvBytesPerToken(MODELS[config.model], config.tp) * config.blockSize,
    swapBandwidthGBs: config.swapBandwidth ?? DEVICES[config.device].pcieBandwidthGBs,
    swapCopiesPerBlock: 2 * MODELS[config.model].numLayers,
    swapCopyOverheadSeconds: config.swapCopyOverhead * 1e-6,
    preemptionMode: config.preemptionMode,
    swapPoolFull: config.swapPoolFull,
    cfsInterval: config.cfsInterval,
    recordUsage,
  };
}

/**
 * Used when a `vllm-v0` replica is built without options (unit tests, the engine's property tests):
 * vLLM's defaults (4 GiB swap, recompute for single sequences) and Llama-2-7B's 8 MiB blocks on an A100's PCIe.
 */
export const DEFAULT_VLLM_V0_OPTIONS: VllmV0Options = {
  swapSpaceGiB: 4,
  blockBytesPerGpu: 16 * 512 * 1024,
  swapBandwidthGBs: 25,
  preemptionMode: 'recompute',
  cfsInterval: 0,
  recordUsage: false,
};

/** The replica's KV state when a batch starts. */
export interface KvUsageSample {
  readonly time: number;
  readonly gpuBlocksUsed: number;
  readonly cpuBlocksUsed: number;
  /** Requests holding GPU blocks (vLLM's "Running"). */
  readonly running: number;
  /** Requests with their KV cache on the CPU ("Swapped"). */
  readonly swapped: number;
  /** Requests waiting for a prefill ("Pending"). */
  readonly waiting: number;
}

/** What one step did, by request id (for replaying a run step by step). */
export interface V0StepRecord {
  readonly swappedOut: readonly number[];
  readonly recomputed: readonly number[];
  readonly prefills: readonly number[];
  /** Decodes, including requests swapped in by this step. */
  readonly decodes: readonly number[];
  readonly swappedIn: readonly number[];
}

/** Steps run back to back without a batch before the replica idles (a swap-only step is followed by one more). */
const MAX_EMPTY_STEPS = 4;

export class VllmV0ReplicaScheduler extends ReplicaScheduler {
  readonly options: VllmV0Options;
  readonly cpu: CpuSwapPool;
  /** The V0 scheduler this replica drives (a CFS scheduler in the CFS lab). */
  readonly scheduler: VllmV0Scheduler;
  /** One sample per batch when `options.recordUsage`. */
  readonly usage: KvUsageSample[] = [];
  /** Called after every step with what it did (the CFS lab's harness records runs with it). */
  onStep: ((step: V0StepRecord) => void) | undefined;
  numSteps = 0;
  numSwapOuts = 0;
  numSwapIns = 0;
  numIgnored = 0;
  /** Seconds of swap transfers charged to batches. */
  swapSeconds = 0;
  readonly #outstanding = new Set<Request>();
  /** Each unfinished request's queue after the last step (scratch for the checks). */
  readonly #where = new Map<Request, number>();
  #pendingSwapSeconds = 0;
  readonly #swapCost: SwapCostModel;

  constructor(init: ReplicaSchedulerInit, options: VllmV0Options = DEFAULT_VLLM_V0_OPTIONS) {
    super(init);
    this.options = options;
    this.cpu = new CpuSwapPool(cpuBlocksFor(this.options.swapSpaceGiB, this.options.blockBytesPerGpu));
    this.#swapCost = {
      blockBytesPerGpu: this.options.blockBytesPerGpu,
      bandwidthGBs: this.options.swapBandwidthGBs,
      copiesPerBlock: this.options.swapCopiesPerBlock ?? 1,
      copyOverheadSeconds: this.options.swapCopyOverheadSeconds ?? 0,
    };
    this.scheduler = this.createScheduler({
      config: {
        maxNumSeqs: this.limits.batchSizeCap,
        maxNumBatchedTokens: this.limits.maxTokensInBatch,
        maxModelLen: this.limits.maxRequestTokens,
        preemptionMode: this.options.preemptionMode,
        cfsInterval: this.options.cfsInterval,
        swapPoolFull: this.options.swapPoolFull ?? 'raise',
      },
      gpu: this.kv,
      cpu: this.cpu,
    });
  }

  /** The V0 scheduler to drive; subclasses return their own (e.g. the CFS lab's `CfsScheduler`). */
  protected createScheduler(init: VllmV0SchedulerInit): VllmV0Scheduler {
    return new VllmV0Scheduler(init);
  }

  override get numWaiting(): number {
    return this.scheduler.waiting.length;
  }

  override get numOutstanding(): number {
    return this.#outstanding.size;
  }

  /** Requests whose KV cache is on the CPU. */
  get numSwapped(): number {
    return this.scheduler.swapped.length;
  }

  override addRequest(request: Request, _now: number): void {
    request.status = 'waiting';
    request.replicaId = this.replicaId;
    this.#outstanding.add(request);
    this.scheduler.addRequest(request);
  }

  protected getNextBatch(now: number): Batch | undefined {
    for (let i = 0; i < MAX_EMPTY_STEPS && this.scheduler.hasUnfinished; i++) {
      this.numSteps++;
      const out = this.scheduler.schedule();
      const { record, movedBlocks, changed } = this.#checkStep(out);
      this.onStep?.(record);
      const seconds = swapSeconds(movedBlocks, this.#swapCost);
      this.#pendingSwapSeconds += seconds;
      this.swapSeconds += seconds;
      if (out.scheduled.length > 0) {
        const batch = new Batch(
          this.replicaId,
          out.scheduled.map((g) => g.request),
          out.scheduled.map((g) => g.numTokens),
        );
        batch.extraTime = this.#pendingSwapSeconds;
        this.#pendingSwapSeconds = 0;
        if (this.options.recordUsage) this.#sample(now);
        return batch;
      }
      if (!changed) break;
    }
    return undefined;
  }

  /** Finished requests free their blocks and leave `running` (vLLM's `free_finished_seq_groups`). */
  override onBatchEnd(batch: Batch, _now: number): void {
    this.numRunningBatches--;
    let finished = false;
    for (const request of batch.requests) {
      if (!request.isFinished) continue;
      this.kv.free(request.id);
      this.#outstanding.delete(request);
      finished = true;
    }
    if (finished) this.scheduler.running = this.scheduler.running.filter((r) => !r.isFinished);
  }

  #sample(now: number): void {
    const s = this.scheduler;
    this.usage.push({
      time: now,
      gpuBlocksUsed: this.kv.numAllocatedBlocks,
      cpuBlocksUsed: this.cpu.numAllocatedBlocks,
      running: s.running.length,
      swapped: s.swapped.length,
      waiting: s.waiting.length,
    });
  }

  #checkStep(out: SchedulerOutputs): { record: V0StepRecord; movedBlocks: number; changed: boolean } {
    const step = this.numSteps;
    const fail: (message: string) => never = (message) => {
      throw new Error(`vllm-v0 replica ${this.replicaId}, step ${step}: ${message}`);
    };
    if (typeof out !== 'object' || out === null || !Array.isArray(out.scheduled)) {
      fail(
        `schedule() returned ${out === null ? 'null' : typeof out}, not SchedulerOutputs (return what scheduleDefault() or commitStep() returns)`,
      );
    }
    const swaps = this.cpu.takeStepLog();
    const recomputed = this.scheduler.takeRecomputeLog();
    if (swaps.swappedOut.length > 0 && swaps.swappedIn.length > 0) {
      fail(
        `the step swapped out ${ids(swaps.swappedOut)} and swapped in ${ids(swaps.swappedIn)}; a step must never swap in and out ` +
          '(swap in only in a step that swapped nothing out)',
      );
    }
    sameTransfers('blocksToSwapOut', out.blocksToSwapOut, swaps.swappedOut, fail);
    sameTransfers('blocksToSwapIn', out.blocksToSwapIn, swaps.swappedIn, fail);

    const s = this.scheduler;
    const prefills: number[] = [];
    const decodes: number[] = [];
    const seen = new Set<number>();
    for (const g of out.scheduled) {
      const r = g?.request;
      if (r === undefined || !this.#outstanding.has(r))
        fail(`scheduled request ${r?.id ?? String(r)} is not an unfinished request of this replica`);
      if (seen.has(r.id)) fail(`request ${r.id} is scheduled twice`);
      seen.add(r.id);
      if (!this.kv.holds(r.id))
        fail(`request ${r.id} is scheduled but holds no GPU blocks (allocate, append slots or swap in first)`);
      if (r.isPrefillComplete) {
        if (g.numTokens !== 1) fail(`decoding request ${r.id} is given ${g.numTokens} tokens; a decode computes 1`);
        if (this.kv.blocksHeldBy(r.id) < this.kv.blocksFor(r.numProcessedTokens))
          fail(`request ${r.id} decodes without a slot for its next token (call appendSlots)`);
        decodes.push(r.id);
      } else {
        if (r.numProcessedTokens !== 0 || g.numTokens !== r.prefillTarget)
          fail(
            `prefilling request ${r.id} is given ${g.numTokens} tokens; a prefill computes the whole prompt (${r.prefillTarget})`,
          );
        if (this.kv.blocksHeldBy(r.id) < this.kv.blocksFor(r.prefillTarget))
          fail(`request ${r.id} is prefilled without blocks for its prompt`);
        prefills.push(r.id);
      }
    }
    if (prefills.length > 0 && decodes.length > 0)
      fail(
        `the step mixes prefills (${prefills.join(', ')}) and decodes (${decodes.join(', ')}); a step is prefill-only or decode-only`,
      );
    let prefillTokens = 0;
    for (const g of out.scheduled) if (!g.request.isPrefillComplete) prefillTokens += g.numTokens;
    if (prefillTokens > s.config.maxNumBatchedTokens)
      fail(`the step prefills ${prefillTokens} tokens; the budget is ${s.config.maxNumBatchedTokens}`);
    if (this.kv.numRequestsWithBlocks > s.config.maxNumSeqs)
      fail(`${this.kv.numRequestsWithBlocks} requests hold GPU blocks; maxNumSeqs is ${s.config.maxNumSeqs}`);

    for (const r of out.ignored ?? []) {
      if (this.#outstanding.delete(r)) this.numIgnored++;
    }
    this.#checkQueues(fail);
    for (const g of out.scheduled)
      if (this.#where.get(g.request) !== RUNNING)
        fail(`scheduled request ${g.request.id} is not in running after the step (commitStep adds it)`);

    this.numSwapOuts += swaps.swappedOut.length;
    this.numSwapIns += swaps.swappedIn.length;
    this.numPreemptions += swaps.swappedOut.length + recomputed.length;
    let movedBlocks = 0;
    for (const t of swaps.swappedOut) movedBlocks += t.numBlocks;
    for (const t of swaps.swappedIn) movedBlocks += t.numBlocks;
    const record: V0StepRecord = {
      swappedOut: swaps.swappedOut.map((t) => t.requestId),
      recomputed: recomputed.map((r) => r.id),
      prefills,
      decodes,
      swappedIn: swaps.swappedIn.map((t) => t.requestId),
    };
    const changed = movedBlocks > 0 || recomputed.length > 0 || (out.ignored?.length ?? 0) > 0;
    return { record, movedBlocks, changed };
  }

  /** Every unfinished request sits in exactly one queue and holds what that queue implies (fills `#where`). */
  #checkQueues(fail: (message: string) => never): void {
    const s = this.scheduler;
    const where = this.#where;
    where.clear();
    const visit = (queue: unknown, code: number, check: (r: Request) => string | undefined) => {
      const name = QUEUE_NAMES[code]!;
      if (!Array.isArray(queue)) fail(`${name} is not an array`);
      for (const r of queue as Request[]) {
        if (!this.#outstanding.has(r))
          fail(
            `${name} holds request ${(r as Request | undefined)?.id ?? String(r)}, which is finished or not this replica's`,
          );
        const before = where.get(r);
        if (before !== undefined) fail(`request ${r.id} is in ${QUEUE_NAMES[before]} and in ${name}`);
        where.set(r, code);
        const problem = check(r);
        if (problem !== undefined) fail(`request ${r.id} is in ${name} but ${problem}`);
      }
    };
    visit(s.waiting, WAITING, (r) =>
      this.kv.holds(r.id)
        ? 'holds GPU blocks'
        : this.cpu.holds(r.id)
          ? 'holds CPU blocks (swapped requests belong in swapped)'
          : undefined,
    );
    visit(s.running, RUNNING, (r) => (this.kv.holds(r.id) ? undefined : 'holds no GPU blocks'));
    visit(s.swapped, SWAPPED, (r) =>
      this.cpu.holds(r.id)
        ? undefined
        : this.kv.holds(r.id)
          ? 'still holds its GPU blocks (swap it out first)'
          : 'has no KV cache on the CPU (preempt() fell back to recompute: put it in waiting)',
    );
    if (where.size !== this.#outstanding.size) {
      const lost = [...this.#outstanding].filter((r) => !where.has(r)).map((r) => r.id);
      fail(`request(s) ${lost.join(', ')} are in no queue (waiting, running or swapped)`);
    }
  }
}

const WAITING = 0;
const RUNNING = 1;
const SWAPPED = 2;
const QUEUE_NAMES = ['waiting', 'running', 'swapped'] as const;

function ids(transfers: readonly BlockTransfer[]): string {
  return `[${transfers.map((t) => t.requestId).join(', ')}]`;
}

function sameTransfers(
  name: string,
  reported: unknown,
  actual: readonly BlockTransfer[],
  fail: (message: string) => never,
): void {
  if (!Array.isArray(reported)) fail(`${name} is not an array`);
  if ((reported as unknown[]).length === 0 && actual.length === 0) return;
  const key = (t: { requestId?: unknown; numBlocks?: unknown }) => `${String(t?.requestId)}:${String(t?.numBlocks)}`;
  const a = (reported as BlockTransfer[]).map(key).sort();
  const b = actual.map(key).sort();
  if (a.join() !== b.join()) {
    fail(
      `the step moved ${actual.length === 0 ? 'nothing' : actual.map((t) => `request ${t.requestId} (${t.numBlocks} blocks)`).join(', ')} ` +
        `but its ${name} lists ${a.length === 0 ? 'nothing' : (reported as BlockTransfer[]).map((t) => `request ${t?.requestId} (${t?.numBlocks} blocks)`).join(', ')}; ` +
        "pass the step's list to preempt()/swapOut()/swapIn() and return it in the outputs",
    );
  }
}
