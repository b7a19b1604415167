/**
 * Where servelab's vllm-v0 follows vLLM V0 on points that are easy to get wrong: what a full CPU swap pool
 * does (upstream raises; here the scheduler chooses), what a swap costs (2 × layers copies per block,
 * each with a fixed overhead), the order swapped requests come back in, and how many GPU blocks a swap-in
 * needs when the last block is partial.
 */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../sim/config/schema.js';
import { Simulator } from '../../sim/engine/simulator.js';
import { Request } from '../../sim/entities/request.js';
import { DEFAULT_SWAP_COPY_OVERHEAD_SECONDS, swapSeconds } from '../../sim/memory/swap-cost.js';
import {
  vllmV0Options,
  VllmV0ReplicaScheduler,
  type VllmV0Options,
} from '../../sim/policies/replica/vllm-v0-replica-scheduler.js';
import {
  SwapSpaceExhaustedError,
  VllmV0Scheduler,
  type SwapPoolFullChoice,
  type VllmV0SchedulerInit,
} from '../../sim/policies/replica/vllm-v0-step-scheduler.js';
import { finishBatch, linearModel, req, setup, tokensById } from '../helpers.js';
import { v0Replica } from './vllm-v0-replica.js';

const MiB = 1024 * 1024;

function options(cpuBlocks: number, extra: Partial<VllmV0Options> = {}): VllmV0Options {
  return {
    swapSpaceGiB: cpuBlocks / 1024,
    blockBytesPerGpu: MiB,
    swapBandwidthGBs: 25,
    preemptionMode: 'swap',
    cfsInterval: 0,
    recordUsage: false,
    ...extra,
  };
}

function v0(
  numBlocks: number,
  cpuBlocks: number,
  extra: Partial<VllmV0Options> = {},
  make?: (init: VllmV0SchedulerInit) => VllmV0Scheduler,
): VllmV0ReplicaScheduler {
  return v0Replica(numBlocks, options(cpuBlocks, extra), make);
}

/** A request whose prompt of `prompt` tokens is computed (it has its first output token), held nowhere yet. */
function prefilled(s: VllmV0ReplicaScheduler, prompt: number, arrivedAt: number): Request {
  const r = req(prompt, 50, { arrivedAt });
  s.addRequest(r, 0);
  s.scheduler.waiting.splice(s.scheduler.waiting.indexOf(r), 1);
  r.onBatchStart(0);
  r.onBatchEnd(0, prompt, 0.01);
  return r;
}

/** Puts a prefilled request's KV cache in the CPU pool, at the back of `swapped`. */
function parkOnCpu(s: VllmV0ReplicaScheduler, r: Request): void {
  s.cpu.swapOut(r.id, s.kv.blocksFor(r.numProcessedTokens - 1));
  s.cpu.takeStepLog();
  s.scheduler.swapped.push(r);
}

const burst = (n: number, prompt: number, decode: number) =>
  Array.from(
    { length: n },
    (_, id) => new Request({ id, arrivedAt: id * 0.01, numPrefillTokens: prompt, numDecodeTokens: decode }),
  );

function run(
  requests: Request[],
  numBlocks: number,
  vllmV0: VllmV0Options,
  make?: (...args: ConstructorParameters<typeof VllmV0ReplicaScheduler>) => VllmV0ReplicaScheduler,
) {
  let replica: VllmV0ReplicaScheduler | undefined;
  const result = new Simulator({
    ...setup(requests, {
      initialReplicas: 1,
      kvCache: { numBlocks, blockSize: 16, watermarkFraction: 0.01 },
      executionModel: linearModel,
    }),
    makeReplicaScheduler: (init) => (replica = make?.(init, vllmV0) ?? new VllmV0ReplicaScheduler(init, vllmV0)),
  }).run();
  return { result, replica: replica! };
}

describe('a full CPU swap pool', () => {
  it('raises by default, as vLLM V0 does ("Aborted due to the lack of CPU swap space")', () => {
    expect(() => run(burst(12, 100, 200), 64, options(8))).toThrow(SwapSpaceExhaustedError);
    expect(() => run(burst(12, 100, 200), 64, options(8))).toThrow(
      /lack of CPU swap space \(as vLLM V0 does\).*--swap-pool-full recompute/,
    );
  });

  it('recomputes the victim when the config chooses it, and counts every fallback', () => {
    const { result, replica } = run(burst(12, 100, 200), 64, options(8, { swapPoolFull: 'recompute' }));
    expect(result.numCompleted).toBe(12);
    expect(replica.scheduler.numSwapFallbacks).toBeGreaterThan(0);
    expect(result.requests.filter((r) => r.numRestarts > 0).length).toBeGreaterThan(0);
  });

  it('lets a scheduler subclass choose per victim in onSwapPoolFull, overriding the config', () => {
    const asked: number[] = [];
    class Chooser extends VllmV0Scheduler {
      override onSwapPoolFull(victim: Request): SwapPoolFullChoice {
        asked.push(victim.id);
        return 'recompute';
      }
    }
    const make = (...args: ConstructorParameters<typeof VllmV0ReplicaScheduler>) =>
      new (class extends VllmV0ReplicaScheduler {
        protected override createScheduler(i: VllmV0SchedulerInit): VllmV0Scheduler {
          return new Chooser(i);
        }
      })(...args);
    const { result, replica } = run(burst(12, 100, 200), 64, options(8, { swapPoolFull: 'raise' }), make);
    expect(result.numCompleted).toBe(12);
    expect(asked.length).toBe(replica.scheduler.numSwapFallbacks);
    expect(asked.length).toBeGreaterThan(0);
  });

  it('names a choice that is neither raise nor recompute', () => {
    class Wrong extends VllmV0Scheduler {
      override onSwapPoolFull(): SwapPoolFullChoice {
        return 'skip' as SwapPoolFullChoice;
      }
    }
    const s = v0(4, 1, {}, (init) => new Wrong(init));
    const a = prefilled(s, 32, 0);
    s.kv.allocate(a.id, 2);
    s.scheduler.running.push(a);
    expect(() => s.scheduler.preempt(a, [], 'swap')).toThrow(
      /onSwapPoolFull\(\) returned "skip"; return 'raise' or 'recompute'/,
    );
  });
});

describe('the swap cost model', () => {
  it('charges 2 × layers copies per block, each a fixed overhead plus its bytes over the bandwidth', () => {
    const model = { blockBytesPerGpu: 1.5 * MiB, bandwidthGBs: 25, copiesPerBlock: 96, copyOverheadSeconds: 9e-6 };
    expect(swapSeconds(0, model)).toBe(0);
    expect(swapSeconds(10, model)).toBeCloseTo(10 * 96 * 9e-6 + (10 * 1.5 * MiB) / 25e9, 12);
    // Without the overhead it is the bytes alone.
    expect(swapSeconds(10, { ...model, copyOverheadSeconds: 0 })).toBeCloseTo((10 * 1.5 * MiB) / 25e9, 12);
  });

  it('takes the copies from the model and the overhead from --swap-copy-overhead (default 9 µs)', () => {
    const base = { model: 'codellama-34b', device: 'a100-40gb', tp: 2, replicaScheduler: 'vllm-v0' } as const;
    const o = vllmV0Options(parseConfig(base));
    expect(o.swapCopiesPerBlock).toBe(2 * 48);
    expect(o.swapCopyOverheadSeconds).toBeCloseTo(DEFAULT_SWAP_COPY_OVERHEAD_SECONDS, 12);
    expect(o.blockBytesPerGpu).toBe(1.5 * MiB);
    expect(vllmV0Options(parseConfig({ ...base, swapCopyOverhead: 2.5 })).swapCopyOverheadSeconds).toBeCloseTo(
      2.5e-6,
      12,
    );
  });

  it('adds that time to the step that swaps', () => {
    const s = v0(4, 10, { swapCopiesPerBlock: 96, swapCopyOverheadSeconds: 9e-6 });
    const [a, b] = [req(32, 40, { arrivedAt: 0 }), req(32, 40, { arrivedAt: 1 })];
    s.addRequest(a, 0);
    s.addRequest(b, 0);
    finishBatch(s, s.schedule(0)!); // 2 blocks each, both need a third: b is swapped out
    const decode = s.schedule(1)!;
    expect(s.scheduler.swapped).toEqual([b]);
    expect(decode.extraTime).toBeCloseTo(2 * (96 * 9e-6 + MiB / 25e9), 12);
    expect(s.swapSeconds).toBeCloseTo(decode.extraTime, 12);
  });
});

describe('swap-in order', () => {
  it('the victim is the back of running (the request that joined it last), not the oldest', () => {
    const s = v0(4, 10);
    const [a, b] = [req(32, 40, { arrivedAt: 0 }), req(32, 40, { arrivedAt: 1 })];
    s.addRequest(a, 0);
    s.addRequest(b, 0);
    finishBatch(s, s.schedule(0)!);
    expect(tokensById(s.schedule(1)!)).toEqual({ [a.id]: 1 });
    expect(s.scheduler.swapped).toEqual([b]);
  });

  it('is first in, first out by swap-out time, whatever the arrival order', () => {
    const s = v0(6, 10);
    const older = prefilled(s, 20, 0);
    const newer = prefilled(s, 20, 5);
    parkOnCpu(s, newer); // swapped out first
    parkOnCpu(s, older);
    // Room for one of them: 2 blocks each (20 tokens + the next one fit in 2), 4 blocks taken by a third request.
    const other = prefilled(s, 60, 9);
    s.kv.allocate(other.id, 4);
    s.scheduler.running.push(other);
    const out = s.scheduler.scheduleSwapped(s.scheduler.createBudget());
    expect(out.decodes.map((g) => g.request)).toEqual([newer]);
    expect(s.scheduler.swapped).toEqual([older]);
  });
});

describe('swap-in block count', () => {
  it('needs only the blocks held when the last block is partial, one more when it is full', () => {
    const s = v0(5, 10);
    const partial = prefilled(s, 20, 0); // 20 prompt tokens in 2 blocks; token 21 fits in the second
    const full = prefilled(s, 32, 1); // 32 tokens fill 2 blocks; token 33 needs a third
    parkOnCpu(s, partial);
    parkOnCpu(s, full);
    expect(s.scheduler.blocksToSwapIn(partial)).toBe(2);
    expect(s.scheduler.blocksToSwapIn(full)).toBe(3);
    const filler = prefilled(s, 48, 2);
    s.kv.allocate(filler.id, 3); // 2 of 5 blocks free
    expect(s.scheduler.canSwapIn(partial)).toBe('ok');
    expect(s.scheduler.canSwapIn(full)).toBe('later');
    const out = s.scheduler.scheduleSwapped(s.scheduler.createBudget());
    expect(out.decodes.map((g) => g.request)).toEqual([partial]);
    expect(s.kv.blocksHeldBy(partial.id)).toBe(2);
    expect(s.kv.numFreeBlocks).toBe(0);
  });

  it('is never possible when the blocks after the next token exceed the whole cache', () => {
    const s = v0(2, 10);
    const full = prefilled(s, 32, 0);
    parkOnCpu(s, full);
    expect(s.scheduler.canSwapIn(full)).toBe('never');
  });
});

describe('a full CPU pool from the CLI', () => {
  it("stops the run with vLLM's message (exit 2) unless the engine is told to recompute", async () => {
    const { main } = await import('../../sim/cli/sim.js');
    const { vi } = await import('vitest');
    const err: string[] = [];
    const spyErr = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
    const spyLog = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      const base = [
        '--config',
        'traces/cfs-homework.json',
        '--swap-space',
        '0.1',
        '--no-write-outputs',
        '--progress',
        'off',
      ];
      // The starter's onSwapPoolFull returns 'raise', as vLLM V0 does.
      expect(await main(base)).toBe(2);
      expect(err.join('\n')).toMatch(/lack of CPU swap space \(as vLLM V0 does\): request \d+ needs \d+ CPU blocks/);
      expect(await main([...base, '--replica-scheduler-module', ''])).toBe(2);
      expect(await main([...base, '--replica-scheduler-module', '', '--swap-pool-full', 'recompute'])).toBe(0);
    } finally {
      spyErr.mockRestore();
      spyLog.mockRestore();
    }
  });
});
