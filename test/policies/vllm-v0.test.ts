/**
 * The vllm-v0 replica scheduler: vLLM V0's default step, preemption by swap and by recompute, the CPU
 * swap pool, swap time, and the checks the replica makes on every step.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Simulator } from '../../sim/engine/simulator.js';
import { Request } from '../../sim/entities/request.js';
import { CpuSwapPool, cpuBlocksFor } from '../../sim/memory/cpu-swap-pool.js';
import { requestMetricsCsv } from '../../sim/metrics/request-metrics.js';
import { VllmV0ReplicaScheduler, type VllmV0Options } from '../../sim/policies/replica/vllm-v0-replica-scheduler.js';
import {
  SchedulingBudget,
  VllmV0Scheduler,
  emptyPrefillOutputs,
  emptySwappedInOutputs,
  type BlockTransfer,
  type SchedulerOutputs,
  type VllmV0SchedulerInit,
} from '../../sim/policies/replica/vllm-v0-step-scheduler.js';
import { finishBatch, linearModel, req, setup, tokensById } from '../helpers.js';
import { v0Replica } from './vllm-v0-replica.js';

/** 1 MiB blocks and swap space in MiB-exact GiB, so the CPU pool has exactly `cpuBlocks` blocks. */
function options(cpuBlocks: number, extra: Partial<VllmV0Options> = {}): VllmV0Options {
  // Runs that fill the pool fall back to recompute (the engine's default is to raise, as vLLM V0: test/policies/vllm-v0-fidelity.test.ts).
  return {
    swapSpaceGiB: cpuBlocks / 1024,
    blockBytesPerGpu: 1024 * 1024,
    swapBandwidthGBs: 25,
    preemptionMode: 'swap',
    swapPoolFull: 'recompute',
    cfsInterval: 0,
    recordUsage: true,
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

describe('CpuSwapPool', () => {
  it('sizes the pool like vLLM: swap space per GPU over block bytes per GPU', () => {
    expect(cpuBlocksFor(16, 1.5 * 1024 ** 2)).toBe(10922); // CodeLlama-34B, TP 2: 1.5 MiB per block per GPU
    expect(cpuBlocksFor(0, 1024)).toBe(0);
  });

  it('takes blocks out, gives them back, logs each step, and refuses more than it holds', () => {
    const pool = new CpuSwapPool(5);
    expect(pool.canSwapOut(5)).toBe(true);
    pool.swapOut(1, 3);
    expect(pool.canSwapOut(3)).toBe(false);
    expect(() => pool.swapOut(2, 3)).toThrow(/CPU swap pool full/);
    expect(pool.takeStepLog()).toEqual({ swappedOut: [{ requestId: 1, numBlocks: 3 }], swappedIn: [] });
    expect(pool.swapIn(1)).toBe(3);
    expect(pool.takeStepLog()).toEqual({ swappedOut: [], swappedIn: [{ requestId: 1, numBlocks: 3 }] });
    expect(pool.numFreeBlocks).toBe(5);
    expect(() => pool.swapIn(1)).toThrow(/no KV cache on the CPU/);
  });
});

describe('SchedulingBudget', () => {
  it('counts each request once, as vLLM does', () => {
    const b = new SchedulingBudget(100, 2);
    b.addNumSeqs(1, 1);
    b.addNumSeqs(1, 1);
    b.addNumBatchedTokens(1, 60);
    expect(b.numCurrSeqs).toBe(1);
    expect(b.canSchedule({ numNewTokens: 40, numNewSeqs: 1 })).toBe(true);
    expect(b.canSchedule({ numNewTokens: 41, numNewSeqs: 1 })).toBe(false);
    expect(b.canSchedule({ numNewTokens: 1, numNewSeqs: 2 })).toBe(false);
    b.subtractNumSeqs(2, 1); // never added: no effect
    b.subtractNumBatchedTokens(1, 60);
    expect(b.remainingTokenBudget()).toBe(100);
  });
});

describe('vllm-v0: the default step', () => {
  it('is prefill-only when a prompt is admitted, FCFS within the token budget', () => {
    const s = v0(1000, 0);
    const rs = [req(2000, 5), req(2000, 5), req(100, 5)];
    rs.forEach((r) => s.addRequest(r, 0));
    const batch = s.schedule(0)!;
    expect(tokensById(batch)).toEqual({ [rs[0]!.id]: 2000, [rs[1]!.id]: 2000 }); // 4096-token budget: the third waits
    finishBatch(s, batch);
    const next = s.schedule(1)!;
    expect(tokensById(next)).toEqual({ [rs[2]!.id]: 100 }); // prefill first again, decodes wait
  });

  it('preempts the newest running request by swapping when a decode needs a block, and swaps it back later', () => {
    const s = v0(4, 10); // 64 GPU tokens
    const [a, b] = [req(32, 40, { arrivedAt: 0 }), req(32, 40, { arrivedAt: 1 })];
    s.addRequest(a, 0);
    s.addRequest(b, 0);
    finishBatch(s, s.schedule(0)!); // both prefilled: 2 blocks each, 33 tokens each → both need a third block
    const decode = s.schedule(1)!;
    expect(tokensById(decode)).toEqual({ [a.id]: 1 });
    expect(s.scheduler.swapped).toEqual([b]);
    expect(s.cpu.blocksHeldBy(b.id)).toBe(2);
    expect(b.numRestarts).toBe(0); // swapped, not recomputed: it keeps its tokens
    expect(b.numProcessedTokens).toBe(33);
    expect(decode.extraTime).toBeCloseTo((2 * 1024 * 1024) / 25e9, 12); // two blocks out over PCIe
    expect(s.numPreemptions).toBe(1);
  });

  it('admits no prefill while anything is swapped out', () => {
    const s = v0(4, 10);
    const [a, b] = [req(32, 40, { arrivedAt: 0 }), req(32, 40, { arrivedAt: 1 })];
    s.addRequest(a, 0);
    s.addRequest(b, 0);
    finishBatch(s, s.schedule(0)!);
    finishBatch(s, s.schedule(1)!); // b swapped out
    const c = req(5, 5, { arrivedAt: 2 });
    s.addRequest(c, 2);
    const step = s.schedule(2)!;
    expect(step.requests).toEqual([a]); // c fits (one block is free) but waits for b
    expect(s.scheduler.waiting).toEqual([c]);
  });
});

describe('vllm-v0: swapped requests', () => {
  const burst = (n: number, prompt: number, decode: number) =>
    Array.from(
      { length: n },
      (_, id) => new Request({ id, arrivedAt: id * 0.01, numPrefillTokens: prompt, numDecodeTokens: decode }),
    );

  function run(requests: Request[], numBlocks: number, vllmV0: VllmV0Options) {
    let replica: VllmV0ReplicaScheduler | undefined;
    const result = new Simulator({
      ...setup(requests, {
        initialReplicas: 1,
        kvCache: { numBlocks, blockSize: 16, watermarkFraction: 0.01 },
        executionModel: linearModel,
      }),
      makeReplicaScheduler: (init) => (replica = new VllmV0ReplicaScheduler(init, vllmV0)),
    }).run();
    return { result, replica: replica! };
  }

  it('keep their tokens, come back and finish; swap time is charged to the steps', () => {
    const { result, replica } = run(burst(12, 100, 200), 64, options(1000));
    expect(result.numCompleted).toBe(12);
    expect(replica.numSwapOuts).toBeGreaterThan(0);
    expect(replica.numSwapIns).toBe(replica.numSwapOuts);
    for (const r of result.requests) {
      expect(r.numRestarts).toBe(0);
      expect(r.numProcessedTokens).toBe(r.totalTokens);
    }
    expect(replica.swapSeconds).toBeCloseTo(
      ((replica.cpu.numBlocksSwappedOut + replica.cpu.numBlocksSwappedIn) * 1024 * 1024) / 25e9,
      12,
    );
    expect(replica.cpu.numAllocatedBlocks).toBe(0);
  });

  it('fall back to recompute when the CPU pool is full, and the run still finishes', () => {
    const { result, replica } = run(burst(12, 100, 200), 64, options(8));
    expect(result.numCompleted).toBe(12);
    expect(replica.scheduler.numSwapFallbacks).toBeGreaterThan(0);
    expect(result.requests.some((r) => r.numRestarts > 0)).toBe(true);
    expect(replica.cpu.numAllocatedBlocks).toBe(0);
  });

  it('with no swap space at all, every preemption is a recompute', () => {
    const { result, replica } = run(burst(12, 100, 200), 64, options(0));
    expect(result.numCompleted).toBe(12);
    expect(replica.numSwapOuts).toBe(0);
    expect(replica.scheduler.numSwapFallbacks).toBe(replica.numPreemptions);
  });

  it('random workloads under swap preemption and small pools: every request finishes once, nothing is left on the CPU', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            gap: fc.double({ min: 0, max: 0.3, noNaN: true }),
            prefill: fc.integer({ min: 1, max: 500 }),
            decode: fc.integer({ min: 1, max: 200 }),
          }),
          { minLength: 1, maxLength: 40 },
        ),
        fc.integer({ min: 48, max: 200 }),
        fc.integer({ min: 0, max: 200 }),
        (rows, numBlocks, cpuBlocks) => {
          let t = 0;
          const requests = rows.map(
            (r, id) =>
              new Request({ id, arrivedAt: (t += r.gap), numPrefillTokens: r.prefill, numDecodeTokens: r.decode }),
          );
          const { result, replica } = run(requests, numBlocks, options(cpuBlocks));
          expect(result.numCompleted).toBe(rows.length);
          expect(replica.cpu.numAllocatedBlocks).toBe(0);
          expect(replica.kv.numAllocatedBlocks).toBe(0);
        },
      ),
      { numRuns: 60, seed: 5470 },
    );
  });
});

describe('vllm-v0: steps the replica refuses', () => {
  const outputs = (s: VllmV0Scheduler, extra: Partial<SchedulerOutputs>): SchedulerOutputs => ({
    ...s.commitStep(
      s.createBudget(),
      emptyPrefillOutputs(),
      { decodes: [], preempted: [], swappedOut: [], blocksToSwapOut: [] },
      emptySwappedInOutputs(),
    ),
    ...extra,
  });

  /** Two running requests of 2 blocks and one swapped request of 2 blocks, on 8 GPU blocks. */
  function situation(step: (s: VllmV0Scheduler) => SchedulerOutputs) {
    class Broken extends VllmV0Scheduler {
      override schedule(): SchedulerOutputs {
        return step(this);
      }
    }
    const s = v0(8, 10, {}, (init) => new Broken(init));
    const [a, b, c] = [req(20, 10), req(20, 10), req(20, 10)];
    for (const r of [a, b, c]) {
      s.addRequest(r, 0);
      s.scheduler.waiting.pop();
      r.onBatchStart(0);
      r.onBatchEnd(0, 20, 0.01);
    }
    s.kv.allocate(a.id, 2);
    s.kv.allocate(b.id, 2);
    s.scheduler.running.push(a, b);
    s.cpu.swapOut(c.id, 2);
    s.cpu.takeStepLog();
    s.scheduler.swapped.push(c);
    return { s, a, b, c };
  }

  it('a step that swaps in and out', () => {
    const { s } = situation((x) => {
      const out: BlockTransfer[] = [];
      const inn: BlockTransfer[] = [];
      const [a] = x.running.splice(0, 1);
      x.swapOut(a!, out);
      const [c] = x.swapped.splice(0, 1);
      x.swapIn(c!, inn);
      x.swapped.push(a!);
      x.running.push(c!);
      return outputs(x, { blocksToSwapOut: out, blocksToSwapIn: inn });
    });
    expect(() => s.schedule(1)).toThrow(/must never swap in and out/);
  });

  it('a swap the outputs do not list', () => {
    const { s } = situation((x) => {
      const [a] = x.running.splice(0, 1);
      x.swapOut(a!, []);
      x.swapped.push(a!);
      return outputs(x, {});
    });
    expect(() => s.schedule(1)).toThrow(/moved request \d+ \(2 blocks\) but its blocksToSwapOut lists nothing/);
  });

  it('a step that loses a request', () => {
    const { s } = situation((x) => {
      x.running.pop();
      return outputs(x, {});
    });
    expect(() => s.schedule(1)).toThrow(/in no queue/);
  });

  it('a recompute victim left in swapped', () => {
    const { s } = situation((x) => {
      const [a] = x.running.splice(0, 1);
      x.preempt(a!, [], 'recompute');
      x.swapped.push(a!);
      return outputs(x, {});
    });
    expect(() => s.schedule(1)).toThrow(
      /has no KV cache on the CPU \(preempt\(\) fell back to recompute: put it in waiting\)/,
    );
  });
});

describe('vllm-v0: runs', () => {
  it('two simulations in one process match (no shared state), and each scheduler counts its own steps', () => {
    const make = () =>
      Array.from(
        { length: 30 },
        (_, id) => new Request({ id, arrivedAt: id * 0.05, numPrefillTokens: 300, numDecodeTokens: 100 }),
      );
    const once = () => {
      const replicas: VllmV0ReplicaScheduler[] = [];
      const result = new Simulator({
        ...setup(make(), { initialReplicas: 2, kvCache: { numBlocks: 64, blockSize: 16, watermarkFraction: 0.01 } }),
        makeReplicaScheduler: (init) => {
          const r = new VllmV0ReplicaScheduler(init, options(100));
          replicas.push(r);
          return r;
        },
      }).run();
      // Each V0 scheduler counts the steps asked of its own replica (a class-wide counter would count both).
      for (const r of replicas) expect(r.scheduler.numSteps).toBe(r.numSteps);
      return { csv: requestMetricsCsv(result.requests), steps: replicas.map((r) => r.scheduler.numSteps) };
    };
    const first = once();
    const second = once();
    expect(second).toEqual(first); // the second run's counters start from 0 again
    expect(first.steps.every((n) => n > 0)).toBe(true);
  });
});
