/**
 * sim/analysis/cfs-sweep.ts beyond the homework run (cfs-lab.test.ts): which replicas it accepts, a short run's
 * missing 10th/40th prompt, and kv_usage.csv's rounding with and without a CPU pool.
 */
import { describe, expect, test } from 'vitest';
import { kvUsageCsv, runCfsSweep } from '../../sim/analysis/cfs-sweep.js';
import { parseConfig } from '../../sim/config/schema.js';
import { VllmReplicaScheduler } from '../../sim/policies/replica/vllm.js';

const NEEDS = /--cfs-interval-sweep needs vllm-v0 replicas: add --replica-scheduler vllm-v0/;
const small = { numRequests: 5, progress: 'off', writeOutputs: false } as const;

describe('runCfsSweep', () => {
  test('refuses replicas that are not vllm-v0: the default scheduler, and a module class of another kind', () => {
    expect(() => runCfsSweep(parseConfig({ ...small }), [0])).toThrow(NEEDS);
    expect(() =>
      runCfsSweep(parseConfig({ ...small }), [0], {
        replicaSchedulerClass: VllmReplicaScheduler,
      }),
    ).toThrow(NEEDS);
  });

  test('a run of 5 requests on vllm-v0: one row per interval, every request done, no 10th or 40th prompt', () => {
    const runs = runCfsSweep(parseConfig({ ...small, replicaScheduler: 'vllm-v0' }), [0, 10]);
    expect(runs.map((r) => r.row.interval)).toEqual([0, 10]);
    for (const { row } of runs) {
      expect([row.requests, row.completed]).toEqual([5, 5]);
      expect([row.ttftPrompt10, row.ttftPrompt40]).toEqual([null, null]);
    }
  });
});

describe('kvUsageCsv', () => {
  test('percent to four decimals, time to nanoseconds; 0 % CPU without a CPU pool', () => {
    const sample = { time: 1.0000000004, gpuBlocksUsed: 1, cpuBlocksUsed: 2, running: 3, swapped: 4, waiting: 5 };
    expect(kvUsageCsv([sample], 3, 0)).toBe(
      'time,gpu_kv_blocks,gpu_kv_percent,cpu_kv_blocks,cpu_kv_percent,running,swapped,waiting\n1,1,33.3333,2,0,3,4,5\n',
    );
    expect(kvUsageCsv([sample], 3, 8).split('\n')[1]).toBe('1,1,33.3333,2,25,3,4,5');
  });
});
