/**
 * One case per flag that `npm run sim -- --help` lists: each runs the CLI in-process on a tiny workload (12
 * requests unless the flag needs more) and checks the flag's effect, mostly against the same run without it.
 * A flag added to the config schema without a case here fails the test named after it: add a row to CASES.
 */
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { configFields, helpText } from '../../sim/cli/flags.js';
import { main } from '../../sim/cli/sim.js';
import { REPO_ROOT } from '../../sim/config/paths.js';
import { HAS_PROFILES, PROFILES_DIR } from '../predictor/batches.js';

interface Run {
  readonly code: number;
  readonly out: string;
  readonly err: string;
  /** The --output-dir given (a fresh folder unless the case names its own output). */
  readonly dir: string;
  readonly summary: Summary;
  readonly config: Record<string, unknown>;
  readonly rows: Record<string, string>[];
}
interface Summary {
  requests: { arrived: number; completed: number; preemptions: number };
  e2e: { mean: number };
  ttft: { mean: number };
  costDollars: number;
  simulatedSeconds: number;
  requestsPerReplica: Record<string, number>;
  replicaCount: { min: number; max: number; timeline: { time: number; replicas: number }[] };
  batches: number;
  events: number;
  deadlines?: { maxRate: number };
}

const BASE = ['--num-requests', '12', '--qps', '4', '--seed', '7', '--progress', 'off'];
const tmp = (prefix: string) => mkdtempSync(join(tmpdir(), `servelab-sim-flags-${prefix}-`));
const FIXTURES = join(REPO_ROOT, 'test', 'fixtures', 'sim-cli');
const STEP_AUTOSCALER = join(FIXTURES, 'step-autoscaler.ts');
const readJson = (path: string) => (existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : undefined);

function parseCsv(text: string): Record<string, string>[] {
  const [header, ...lines] = text.trim().split('\n');
  const keys = header!.split(',');
  return lines.map((line) => Object.fromEntries(line.split(',').map((v, i) => [keys[i]!, v])));
}

let out: string[] = [];
let err: string[] = [];

/** The CLI on BASE + args, writing into a fresh --output-dir unless args choose where (or whether) to write. */
async function sim(args: readonly string[], { base = BASE }: { base?: readonly string[] } = {}): Promise<Run> {
  out = [];
  err = [];
  const choosesOutput = args.some(
    (a) => a === '--output-dir' || a === '--results-root' || a === '--no-write-outputs' || a === '--write-outputs',
  );
  const dir = choosesOutput ? '' : join(tmp('run'), 'out');
  const code = await main([...base, ...args, ...(choosesOutput ? [] : ['--output-dir', dir])]);
  const csv =
    dir !== '' && existsSync(join(dir, 'request_metrics.csv'))
      ? parseCsv(readFileSync(join(dir, 'request_metrics.csv'), 'utf8'))
      : [];
  return {
    code,
    out: out.join('\n'),
    err: err.join('\n'),
    dir,
    summary: readJson(join(dir, 'summary.json')),
    config: readJson(join(dir, 'config.json')),
    rows: csv,
  };
}

const column = (run: Run, key: string) => run.rows.map((r) => Number(r[key]));
const ok = (run: Run) => expect(run.code, `exit status; stderr: ${run.err}`).toBe(0);

const memo = new Map<string, Promise<Run>>();
/** Runs shared by several cases (the baseline and the "same but without the flag" runs), computed once. */
const shared = (args: readonly string[], options?: { base?: readonly string[] }) => {
  const key = JSON.stringify([args, options?.base]);
  if (!memo.has(key)) memo.set(key, sim(args, options));
  return memo.get(key)!;
};
const baseline = () => shared([]);

/** A trace of `n` requests one second apart, 100 + 10·i prompt tokens and 20 output tokens. */
function traceFile(n = 5): string {
  const path = join(tmp('trace'), 'trace.csv');
  const rows = Array.from({ length: n }, (_, i) => `${i},${100 + 10 * i},20`);
  writeFileSync(path, `arrived_at,num_prefill_tokens,num_decode_tokens\n${rows.join('\n')}\n`);
  return path;
}

// Memory pressure for the vllm-v0 swap flags: one replica, 60 requests of 300 + 300 tokens at 50 req/s into 120 blocks.
const SWAP = [
  '--replicas',
  '1',
  '--replica-scheduler',
  'vllm-v0',
  '--num-blocks',
  '120',
  '--length-generator',
  'fixed',
  '--prefill-tokens',
  '300',
  '--decode-tokens',
  '300',
  '--qps',
  '50',
  '--num-requests',
  '60',
];
// Contention for the deadline scheduler: one replica, 40 requests at 20 req/s, three tiers.
const DEADLINE = [
  '--replicas',
  '1',
  '--replica-scheduler',
  'sarathi-edf',
  '--tier-mix',
  '1,1,1',
  '--qps',
  '20',
  '--num-requests',
  '40',
];
// The deadline lab's reference scheduler with decodes competing for 4 batch slots, so token deadlines order them.
const DEADLINE_MODULE = [
  '--replicas',
  '1',
  '--replica-scheduler-module',
  'reference/deadline/deadline-scheduler.ts',
  '--tier-mix',
  '1,1,1',
  '--qps',
  '20',
  '--num-requests',
  '40',
  '--execution-model',
  'roofline',
  '--model',
  'llama-3-8b',
  '--batch-size-cap',
  '4',
];
// The CFS lab's reference under KV pressure (200 blocks), where the CFS step preempts.
const CFS = [
  '--replicas',
  '1',
  '--replica-scheduler',
  'vllm-v0',
  '--replica-scheduler-module',
  'reference/cfs/cfs-scheduler.ts',
  '--qps',
  '30',
  '--num-requests',
  '60',
  '--max-tokens',
  '1024',
  '--num-blocks',
  '200',
];
// Two equally busy clients on one replica with 200 KV blocks under the fairness lab's VTC.
const FAIR = [
  '--replicas',
  '1',
  '--replica-scheduler-module',
  'reference/fairness/vtc-replica-scheduler.ts',
  '--clients',
  'qps=40;qps=40',
  '--num-requests',
  '120',
  '--max-tokens',
  '1024',
  '--num-blocks',
  '200',
];
// Capacity search on deadlines the range 1–40 req/s brackets.
const CAPACITY = [
  '--replicas',
  '1',
  '--replica-scheduler',
  'sarathi-edf',
  '--tier-mix',
  '1,1,1',
  '--num-requests',
  '40',
  '--tier-deadlines',
  '1,30,60',
  '--capacity-search',
  '1,40',
  '--no-write-outputs',
];
const wroteDir = (run: Run) => /wrote {6}(.*?)\/\{/.exec(run.out)![1]!;

const meanBy = (run: Run, key: string, where: (r: Record<string, string>) => boolean) => {
  const xs = run.rows.filter(where).map((r) => Number(r[key]));
  return xs.reduce((a, b) => a + b, 0) / xs.length;
};

type Case = {
  readonly args: readonly string[] | (() => readonly string[]);
  readonly check: (run: Run) => void | Promise<void>;
  readonly skip?: string;
};

const CASES: Record<string, Case> = {
  // ---- cluster and schedulers
  '--replicas': {
    args: ['--replicas', '2'],
    check: (r) => (
      ok(r),
      expect(Object.keys(r.summary.requestsPerReplica).sort()).toEqual(['0', '1']),
      expect(r.summary.replicaCount.max).toBe(2)
    ),
  },
  '--model': {
    args: ['--model', 'llama-3-8b'],
    check: async (r) => (
      ok(r),
      expect(r.config.model).toBe('llama-3-8b'),
      expect(r.summary.ttft.mean).not.toBe((await baseline()).summary.ttft.mean)
    ),
  },
  '--device': {
    args: ['--device', 'h100'],
    check: async (r) => (ok(r), expect(r.summary.ttft.mean).toBeLessThan((await baseline()).summary.ttft.mean)),
  },
  '--tp': {
    args: ['--tp', '2'],
    check: async (r) => (ok(r), expect(r.summary.ttft.mean).toBeLessThan((await baseline()).summary.ttft.mean)),
  },
  '--replica-mix': {
    // Round robin gives replica i the same requests in both runs, so the H100s (ids 0 and 2) finish
    // theirs sooner than A100s do, the A100s (1 and 3) exactly as fast, and the price is per device.
    args: ['--replica-mix', 'h100,a100', '--global-scheduler', 'round_robin', '--execution-model', 'roofline'],
    check: async (r) => {
      ok(r);
      const alike = await sim(['--global-scheduler', 'round_robin', '--execution-model', 'roofline']);
      const e2e = (run: Run, replicaId: number) =>
        run.rows
          .filter((row) => Number(row.replica_id) === replicaId)
          .map((row) => [Number(row.request_id), Number(row.request_e2e_time)]);
      for (const id of [0, 2]) {
        const mixed = e2e(r, id);
        const a100 = e2e(alike, id);
        expect(mixed.map(([req]) => req)).toEqual(a100.map(([req]) => req));
        mixed.forEach(([, t], i) => expect(t!).toBeLessThan(a100[i]![1]!));
      }
      for (const id of [1, 3]) expect(e2e(r, id)).toEqual(e2e(alike, id));
      expect(r.summary.costDollars).toBeCloseTo(((4 + 2 + 4 + 2) * r.summary.simulatedSeconds) / 3600, 9);
    },
  },
  '--global-scheduler': {
    args: ['--global-scheduler', 'round_robin'],
    check: (r) => (ok(r), expect(r.summary.requestsPerReplica).toEqual({ 0: 3, 1: 3, 2: 3, 3: 3 })),
  },
  '--replica-scheduler': {
    args: ['--replica-scheduler', 'sarathi', '--chunk-size', '64'],
    check: async (r) => (
      ok(r),
      expect(r.config.replicaScheduler).toBe('sarathi'),
      expect(r.summary.batches).toBeGreaterThan((await baseline()).summary.batches)
    ),
  },
  '--batch-size-cap': {
    args: ['--batch-size-cap', '1', '--replicas', '1'],
    check: async (r) => (
      ok(r), expect(r.summary.e2e.mean).toBeGreaterThan((await shared(['--replicas', '1'])).summary.e2e.mean)
    ),
  },
  '--max-tokens-in-batch': {
    args: ['--max-tokens-in-batch', '4096', '--replicas', '1', '--qps', '50'],
    check: async (r) => {
      ok(r);
      const small = await sim([
        '--max-tokens-in-batch',
        '5000',
        '--replicas',
        '1',
        '--qps',
        '50',
        '--batch-size-cap',
        '2',
      ]);
      ok(small);
      expect(r.summary.batches).not.toBe(small.summary.batches);
    },
  },
  '--chunk-size': {
    args: ['--replica-scheduler', 'sarathi', '--chunk-size', '128'],
    check: async (r) => (
      ok(r),
      expect(r.summary.batches).toBeGreaterThan((await shared(['--replica-scheduler', 'sarathi'])).summary.batches)
    ),
  },
  '--block-size': {
    args: ['--num-blocks', '100', '--block-size', '64'],
    check: async (r) => {
      // 100 blocks of 16 tokens cannot hold the longest request; of 64 tokens they can.
      ok(r);
      const small = await sim(['--num-blocks', '100', '--block-size', '16']);
      expect(small.code).toBe(2);
      expect(small.err).toMatch(/a replica can admit at most \d+/);
    },
  },
  '--watermark-fraction': {
    args: ['--num-blocks', '300', '--watermark-fraction', '0.5'],
    check: (r) => (
      expect(r.code).toBe(2),
      expect(r.err).toMatch(/needs \d+ tokens of KV cache but a replica can admit at most 24\d\d/)
    ),
  },
  '--memory-margin-fraction': {
    args: ['--memory-margin-fraction', '0.85'],
    // 85% of 80 GiB held back leaves less than the 12.1 GiB of weights plus one request's KV.
    check: (r) => (
      expect(r.code).toBe(2),
      expect(r.err).toMatch(/leaves no room for one 4096-token request: weights take 12\.1 GiB per GPU of 80 GiB/)
    ),
  },
  '--num-blocks': {
    args: ['--num-blocks', '300', '--replicas', '1', '--qps', '50'],
    check: (r) => (ok(r), expect(r.summary.requests.preemptions).toBeGreaterThan(0)),
  },
  '--execution-model': {
    args: ['--execution-model', 'roofline'],
    check: async (r) => {
      ok(r);
      const fitted = (await baseline()).summary.ttft.mean;
      expect(r.summary.ttft.mean).not.toBe(fitted);
      expect(Math.abs(r.summary.ttft.mean / fitted - 1)).toBeLessThan(0.5);
    },
  },
  '--profiles': {
    args: ['--execution-model', 'profiles', '--profiles', PROFILES_DIR],
    skip: HAS_PROFILES ? undefined : 'needs ../shared/vidur-data',
    check: async (r) => {
      ok(r);
      const fitted = (await baseline()).summary.ttft.mean;
      expect(r.summary.ttft.mean).not.toBe(fitted);
      expect(Math.abs(r.summary.ttft.mean / fitted - 1)).toBeLessThan(0.2);
    },
  },
  '--router-module': {
    args: ['--router-module', join(FIXTURES, 'all-to-replica-zero.ts')],
    check: (r) => (ok(r), expect(r.summary.requestsPerReplica).toEqual({ 0: 12 })),
  },
  '--replica-scheduler-module': {
    args: DEADLINE_MODULE,
    check: async (r) => {
      ok(r);
      const builtin = await sim(
        DEADLINE_MODULE.map((a) =>
          a === '--replica-scheduler-module'
            ? '--replica-scheduler'
            : a === 'reference/deadline/deadline-scheduler.ts'
              ? 'sarathi'
              : a,
        ),
      );
      ok(builtin);
      expect(r.config.replicaSchedulerModule).toBe('reference/deadline/deadline-scheduler.ts');
      expect(r.summary.e2e.mean).not.toBe(builtin.summary.e2e.mean);
    },
  },
  '--guard-decode-tokens': {
    args: ['--router-module', join(FIXTURES, 'reads-decode-length.ts'), '--guard-decode-tokens'],
    check: async (r) => {
      expect(r.code).not.toBe(0);
      expect(r.err).toMatch(/routers may not use the decode length/);
      ok(await sim(['--router-module', join(FIXTURES, 'reads-decode-length.ts')]));
    },
  },
  '--swap-space': {
    args: [...SWAP, '--preemption-mode', 'swap', '--swap-space', '0.001', '--swap-pool-full', 'recompute'],
    check: async (r) => {
      // A pool too small to take a request's blocks: with --swap-pool-full recompute, victims are recomputed instead.
      ok(r);
      const swap = await shared([...SWAP, '--preemption-mode', 'swap']);
      expect(r.summary.e2e.mean).not.toBe(swap.summary.e2e.mean);
    },
  },
  '--swap-bandwidth': {
    args: [...SWAP, '--preemption-mode', 'swap', '--swap-bandwidth', '0.5'],
    check: async (r) => {
      ok(r);
      const fast = await shared([...SWAP, '--preemption-mode', 'swap']);
      expect(r.summary.requests.preemptions).toBeGreaterThan(0);
      expect(r.summary.e2e.mean).toBeGreaterThan(fast.summary.e2e.mean);
    },
  },
  '--swap-copy-overhead': {
    args: [...SWAP, '--preemption-mode', 'swap', '--swap-copy-overhead', '200'],
    check: async (r) => {
      ok(r);
      const cheap = await shared([...SWAP, '--preemption-mode', 'swap', '--swap-copy-overhead', '0']);
      const usual = await shared([...SWAP, '--preemption-mode', 'swap']);
      expect(r.summary.requests.preemptions).toBeGreaterThan(0);
      // Dearer copies, slower swaps: the run's mean e2e grows with the per-copy overhead.
      expect(r.summary.e2e.mean).toBeGreaterThan(usual.summary.e2e.mean);
      expect(usual.summary.e2e.mean).toBeGreaterThan(cheap.summary.e2e.mean);
    },
  },
  '--swap-pool-full': {
    args: [...SWAP, '--preemption-mode', 'swap', '--swap-space', '0.001', '--swap-pool-full', 'recompute'],
    check: async (r) => {
      // vLLM V0 stops when the CPU pool is full (the default, raise); recompute is the explicit way out.
      ok(r);
      const raised = await sim([
        ...SWAP,
        '--preemption-mode',
        'swap',
        '--swap-space',
        '0.001',
        '--swap-pool-full',
        'raise',
      ]);
      expect(raised.code).toBe(2);
      expect(raised.err).toMatch(/swap/i);
    },
  },
  '--preemption-mode': {
    args: [...SWAP, '--preemption-mode', 'swap'],
    check: async (r) => {
      ok(r);
      const recompute = await shared(SWAP);
      expect(recompute.summary.requests.preemptions).toBeGreaterThan(0);
      expect(r.summary.e2e.mean).not.toBe(recompute.summary.e2e.mean);
    },
  },
  '--cfs-interval': {
    args: [...CFS, '--cfs-interval', '2'],
    check: async (r) => (ok(r), expect(r.summary.e2e.mean).not.toBe((await shared(CFS)).summary.e2e.mean)),
  },
  '--tier-deadlines': {
    args: [...DEADLINE, '--tier-deadlines', '0.05,1,2'],
    check: async (r) => (
      ok(r), expect(r.summary.deadlines!.maxRate).toBeGreaterThan((await shared(DEADLINE)).summary.deadlines!.maxRate)
    ),
  },
  '--interactive-tbt': {
    args: [...DEADLINE_MODULE, '--interactive-tbt', '0.001'],
    check: async (r) => (ok(r), expect(r.summary.e2e.mean).not.toBe((await shared(DEADLINE_MODULE)).summary.e2e.mean)),
  },
  '--batch-tbt': {
    args: [...DEADLINE_MODULE, '--batch-tbt', '100'],
    check: async (r) => (ok(r), expect(r.summary.e2e.mean).not.toBe((await shared(DEADLINE_MODULE)).summary.e2e.mean)),
  },
  '--output-len-prediction': {
    args: [...DEADLINE_MODULE, '--output-len-prediction', '2000'],
    check: async (r) => (ok(r), expect(r.summary.e2e.mean).not.toBe((await shared(DEADLINE_MODULE)).summary.e2e.mean)),
  },
  '--hybrid-alpha': {
    args: [...DEADLINE_MODULE, '--hybrid-alpha', '1'],
    check: async (r) => (ok(r), expect(r.summary.e2e.mean).not.toBe((await shared(DEADLINE_MODULE)).summary.e2e.mean)),
  },
  '--cost-per-gpu-hour': {
    args: ['--cost-per-gpu-hour', '4'],
    check: async (r) => (
      ok(r), expect(r.summary.costDollars).toBeCloseTo(2 * (await baseline()).summary.costDollars, 9)
    ),
  },

  '--autoscaler-module': {
    args: [
      '--replicas',
      '1',
      '--global-scheduler',
      'round_robin',
      '--autoscaler-module',
      STEP_AUTOSCALER,
      '--scale-up-delay',
      '0',
    ],
    check: (r) => (
      ok(r),
      expect(r.summary.replicaCount.max).toBe(2),
      expect(Object.keys(r.summary.requestsPerReplica).length).toBe(2)
    ),
  },
  '--autoscaler-args': {
    args: [
      '--replicas',
      '1',
      '--autoscaler-module',
      STEP_AUTOSCALER,
      '--autoscaler-args',
      '3',
      '--scale-up-delay',
      '0',
    ],
    check: (r) => (ok(r), expect(r.summary.replicaCount.max).toBe(4)),
  },
  '--scale-up-delay': {
    args: ['--replicas', '1', '--autoscaler-module', STEP_AUTOSCALER, '--scale-up-delay', '1.5'],
    // Asked for at the first tune (1 s), the replica serves from 2.5 s.
    check: (r) => (
      ok(r), expect(r.summary.replicaCount.timeline.find((p) => p.replicas === 2)?.time).toBeCloseTo(2.5, 6)
    ),
  },
  '--scale-down-delay': {
    args: [
      '--replicas',
      '3',
      '--autoscaler-module',
      STEP_AUTOSCALER,
      '--autoscaler-args',
      '-1',
      '--scale-down-delay',
      '1.5',
      '--num-requests',
      '40',
      '--qps',
      '8',
    ],
    check: async (r) => {
      ok(r);
      const at = (run: Run) => run.summary.replicaCount.timeline.find((p) => p.replicas === 2)?.time ?? Number.NaN;
      const prompt = await sim([
        '--replicas',
        '3',
        '--autoscaler-module',
        STEP_AUTOSCALER,
        '--autoscaler-args',
        '-1',
        '--num-requests',
        '40',
        '--qps',
        '8',
      ]);
      ok(prompt);
      expect(at(r)).toBeGreaterThanOrEqual(at(prompt) + 1.5 - 1e-9);
    },
  },
  '--min-replicas': {
    args: ['--replicas', '2', '--autoscaler-module', STEP_AUTOSCALER, '--autoscaler-args', '-5', '--min-replicas', '2'],
    check: (r) => (ok(r), expect(r.summary.replicaCount.min).toBe(2)),
  },
  '--max-replicas': {
    args: [
      '--replicas',
      '1',
      '--autoscaler-module',
      STEP_AUTOSCALER,
      '--autoscaler-args',
      '5',
      '--scale-up-delay',
      '0',
      '--max-replicas',
      '3',
    ],
    check: (r) => (ok(r), expect(r.summary.replicaCount.max).toBe(3)),
  },

  // ---- workload
  '--trace': {
    args: () => ['--trace', traceFile()],
    check: (r) => (
      ok(r),
      expect(column(r, 'arrived_at')).toEqual([0, 1, 2, 3, 4]),
      expect(column(r, 'request_num_prefill_tokens')).toEqual([100, 110, 120, 130, 140])
    ),
  },
  '--trace-time-scale': {
    args: () => ['--trace', traceFile(), '--trace-time-scale', '2.5'],
    check: (r) => (ok(r), expect(column(r, 'arrived_at')).toEqual([0, 2.5, 5, 7.5, 10])),
  },
  '--lengths-trace': {
    args: () => ['--lengths-trace', traceFile(3)],
    check: (r) => (
      ok(r),
      expect(new Set(column(r, 'request_num_prefill_tokens'))).toEqual(new Set([100, 110, 120])),
      expect(new Set(column(r, 'request_num_decode_tokens'))).toEqual(new Set([20]))
    ),
  },
  '--length-generator': {
    args: ['--length-generator', 'fixed'],
    check: (r) => (
      ok(r),
      expect(new Set(column(r, 'request_num_prefill_tokens'))).toEqual(new Set([2048])),
      expect(new Set(column(r, 'request_num_decode_tokens'))).toEqual(new Set([512]))
    ),
  },
  '--interval-generator': {
    args: ['--interval-generator', 'fixed'],
    check: (r) => {
      ok(r);
      const at = column(r, 'arrived_at');
      for (let i = 1; i < at.length; i++) expect(at[i]! - at[i - 1]!).toBeCloseTo(0.25, 9);
    },
  },
  '--qps': {
    args: ['--qps', '1'],
    check: async (r) => (
      ok(r),
      expect(Math.max(...column(r, 'arrived_at'))).toBeGreaterThan(
        2 * Math.max(...column(await baseline(), 'arrived_at')),
      )
    ),
  },
  '--gamma-cv': {
    args: ['--interval-generator', 'gamma', '--gamma-cv', '3', '--num-requests', '200', '--no-fast-forward'],
    check: async (r) => {
      ok(r);
      const cv = (run: Run) => {
        const at = column(run, 'arrived_at').sort((a, b) => a - b);
        const gaps = at.slice(1).map((t, i) => t - at[i]!);
        const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
        return Math.sqrt(gaps.reduce((a, g) => a + (g - mean) ** 2, 0) / gaps.length) / mean;
      };
      const low = await sim(['--interval-generator', 'gamma', '--gamma-cv', '0.2', '--num-requests', '200']);
      expect(cv(r)).toBeGreaterThan(2);
      expect(cv(low)).toBeLessThan(0.4);
    },
  },
  '--duration': {
    args: ['--duration', '1.5', '--num-requests', '100'],
    check: (r) => (
      ok(r), expect(r.rows.length).toBeGreaterThan(0), expect(Math.max(...column(r, 'arrived_at'))).toBeLessThan(1.5)
    ),
  },
  '--num-requests': { args: ['--num-requests', '5'], check: (r) => (ok(r), expect(r.rows).toHaveLength(5)) },
  '--max-tokens': {
    args: ['--max-tokens', '300'],
    check: (r) => (
      ok(r),
      r.rows.forEach((row) =>
        expect(Number(row.request_num_prefill_tokens) + Number(row.request_num_decode_tokens)).toBeLessThanOrEqual(300),
      )
    ),
  },
  '--prefill-tokens': {
    args: ['--length-generator', 'fixed', '--prefill-tokens', '300'],
    check: (r) => (ok(r), expect(new Set(column(r, 'request_num_prefill_tokens'))).toEqual(new Set([300]))),
  },
  '--decode-tokens': {
    args: ['--length-generator', 'fixed', '--decode-tokens', '7'],
    check: (r) => (ok(r), expect(new Set(column(r, 'request_num_decode_tokens'))).toEqual(new Set([7]))),
  },
  '--min-total-tokens': {
    args: ['--length-generator', 'uniform', '--min-total-tokens', '1000', '--max-total-tokens', '1100'],
    check: (r) => (
      ok(r),
      r.rows.forEach((row) =>
        expect(Number(row.request_num_prefill_tokens) + Number(row.request_num_decode_tokens)).toBeGreaterThanOrEqual(
          1000,
        ),
      )
    ),
  },
  '--max-total-tokens': {
    args: ['--length-generator', 'uniform', '--max-total-tokens', '200'],
    check: (r) => (
      ok(r),
      r.rows.forEach((row) =>
        expect(Number(row.request_num_prefill_tokens) + Number(row.request_num_decode_tokens)).toBeLessThanOrEqual(200),
      )
    ),
  },
  '--prefill-to-decode-ratio': {
    args: ['--length-generator', 'uniform', '--prefill-to-decode-ratio', '1'],
    check: (r) => (
      ok(r),
      r.rows.forEach((row) =>
        expect(
          Math.abs(Number(row.request_num_prefill_tokens) / Number(row.request_num_decode_tokens) - 1),
        ).toBeLessThan(0.1),
      )
    ),
  },
  '--zipf-theta': {
    args: ['--length-generator', 'zipf', '--zipf-theta', '0.2'],
    check: async (r) => (
      ok(r),
      expect(column(r, 'request_num_prefill_tokens')).not.toEqual(
        column(await shared(['--length-generator', 'zipf']), 'request_num_prefill_tokens'),
      )
    ),
  },
  '--prefill-scale': {
    args: ['--prefill-scale', '0.5'],
    check: async (r) => {
      ok(r);
      // Lengths are scaled before --max-tokens clips them, so per request: at most the unscaled length; in total about half.
      const base = column(await baseline(), 'request_num_prefill_tokens');
      const scaled = column(r, 'request_num_prefill_tokens');
      scaled.forEach((p, i) => expect(p).toBeLessThanOrEqual(base[i]!));
      const ratio = scaled.reduce((a, b) => a + b, 0) / base.reduce((a, b) => a + b, 0);
      expect(ratio).toBeGreaterThan(0.4);
      expect(ratio).toBeLessThan(0.6);
    },
  },
  '--decode-scale': {
    args: ['--decode-scale', '2'],
    check: async (r) => {
      ok(r);
      const base = column(await baseline(), 'request_num_decode_tokens');
      column(r, 'request_num_decode_tokens').forEach((d, i) =>
        expect(Math.abs(d - Math.min(base[i]! * 2, 4096))).toBeLessThanOrEqual(1),
      );
    },
  },
  '--clients': {
    args: ['--clients', 'qps=2;qps=2,prefill=64,decode=8,lengths=fixed'],
    check: (r) => (
      ok(r),
      expect(new Set(column(r, 'client_id'))).toEqual(new Set([0, 1])),
      r.rows.filter((row) => row.client_id === '1').forEach((row) => expect(row.request_num_prefill_tokens).toBe('64'))
    ),
  },
  '--tier-mix': {
    args: ['--tier-mix', '0,1,0'],
    check: (r) => (ok(r), expect(new Set(column(r, 'tier'))).toEqual(new Set([1]))),
  },
  '--client-weights': {
    args: [...FAIR, '--client-weights', '1,4'],
    check: async (r) => {
      ok(r);
      // Weighted four times higher, client 1 gets its requests through faster than client 0; equal weights serve both alike.
      const e2e = (run: Run, c: string) => meanBy(run, 'request_e2e_time', (row) => row.client_id === c);
      expect(e2e(r, '1')).toBeLessThan(e2e(r, '0'));
      const equal = await shared(FAIR);
      expect(e2e(r, '1') / e2e(r, '0')).toBeLessThan(e2e(equal, '1') / e2e(equal, '0'));
    },
  },

  // ---- run and output
  '--seed': {
    args: ['--seed', '8'],
    check: async (r) => (ok(r), expect(column(r, 'arrived_at')).not.toEqual(column(await baseline(), 'arrived_at'))),
  },
  '--time-limit': {
    args: ['--time-limit', '2', '--num-requests', '40'],
    check: (r) => (
      ok(r),
      expect(r.summary.simulatedSeconds).toBeLessThanOrEqual(2),
      expect(r.summary.requests.completed).toBeLessThan(40)
    ),
  },
  '--name': {
    args: () => ['--results-root', tmp('root'), '--name', 'my-run'],
    check: (r) => (
      ok(r),
      expect(r.out).toMatch(
        /wrote {6}.*\/my-run\/\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z\/\{request_metrics\.csv,config\.json,summary\.json\}/,
      )
    ),
  },
  '--output-dir': {
    args: () => ['--output-dir', join(tmp('out'), 'nested', 'run')],
    check: (r) => {
      ok(r);
      const dir = wroteDir(r);
      expect(dir).toMatch(/nested\/run$/);
      expect(readdirSync(dir).sort()).toEqual(['config.json', 'request_metrics.csv', 'summary.json']);
    },
  },
  '--results-root': {
    args: () => ['--results-root', tmp('root')],
    check: (r) => {
      // The default layout: <results root>/<model>_<replica scheduler>_<router>/<UTC timestamp>/ with the three files.
      ok(r);
      const dir = wroteDir(r);
      expect(dir).toMatch(/\/llama-2-7b_vllm_lor\/\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z$/);
      expect(readdirSync(dir).sort()).toEqual(['config.json', 'request_metrics.csv', 'summary.json']);
    },
  },
  '--progress': {
    args: ['--progress', 'off', '--num-requests', '40'],
    check: async (off) => {
      // The bar appears once a run has lasted a second: a clock that advances a second per reading makes the tiny
      // run last that long. With off nothing is drawn; with on, the bar with the request count.
      ok(off);
      const writes: string[] = [];
      vi.spyOn(process.stderr, 'write').mockImplementation(
        (chunk: string | Uint8Array) => (writes.push(String(chunk)), true),
      );
      let now = Date.now();
      vi.spyOn(Date, 'now').mockImplementation(() => (now += 1000));
      ok(await sim(['--progress', 'off', '--num-requests', '40']));
      expect(writes.join('')).not.toMatch(/simulating \[/);
      ok(await sim(['--progress', 'on', '--num-requests', '40']));
      expect(writes.join('')).toMatch(/simulating \[.*\] \d+\/40 requests/);
    },
  },
  '--plots': {
    args: () => ['--plots', join(tmp('plots'), 'plots')],
    check: (r) => {
      ok(r);
      const dir = /plots {6}(.*?)\/\{/.exec(r.out)![1]!;
      const files = readdirSync(dir);
      expect(files).toContain('ttft-cdf.svg');
      expect(files).toContain('ttft-cdf.csv');
      expect(readFileSync(join(dir, 'ttft-cdf.svg'), 'utf8')).toMatch(/^<svg/);
    },
  },
  '--timeline': {
    args: () => ['--timeline', join(tmp('timeline'), 'run.trace.json')],
    check: (r) => {
      ok(r);
      const path = /timeline {3}(\S+)/.exec(r.out)![1]!;
      const trace = JSON.parse(readFileSync(path, 'utf8')) as { traceEvents: { ph: string; name: string }[] };
      expect(trace.traceEvents.some((e) => e.ph === 'X')).toBe(true);
    },
  },
  '--timeline-window': {
    args: () => [
      '--num-requests',
      '40',
      '--timeline',
      join(tmp('timeline'), 'run.trace.json'),
      '--timeline-window',
      '2,4',
    ],
    check: async (r) => {
      ok(r);
      const events = (run: Run) =>
        (
          JSON.parse(readFileSync(/timeline {3}(\S+)/.exec(run.out)![1]!, 'utf8')) as {
            traceEvents: { ph: string; ts: number; dur?: number }[];
          }
        ).traceEvents;
      const whole = await sim(['--num-requests', '40', '--timeline', join(tmp('timeline'), 'run.trace.json')]);
      ok(whole);
      const slices = events(r).filter((e) => e.ph === 'X');
      expect(slices.length).toBeGreaterThan(0);
      expect(slices.length).toBeLessThan(events(whole).filter((e) => e.ph === 'X').length);
      // Every batch slice in the windowed file overlaps 2–4 s (timestamps in microseconds).
      for (const e of slices) expect(e.ts + (e.dur ?? 0)).toBeGreaterThanOrEqual(2e6 - 1);
    },
  },
  '--timeline-max-mb': {
    args: () => [
      '--num-requests',
      '200',
      '--timeline',
      join(tmp('timeline'), 'run.trace.json'),
      '--timeline-max-mb',
      '0.01',
    ],
    check: (r) => (
      ok(r), expect(statSync(/timeline {3}(\S+)/.exec(r.out)![1]!).size).toBeLessThan(0.01 * 1024 * 1024 + 4096)
    ),
  },
  '--write-outputs': {
    args: () => ['--no-write-outputs', '--results-root', tmp('root')],
    check: (r) => (ok(r), expect(r.out).not.toMatch(/wrote/), expect(r.out).toMatch(/e2e\s+\d/)),
  },
  '--cfs-interval-sweep': {
    args: () => [...CFS, '--cfs-interval-sweep', '0,4', '--output-dir', join(tmp('sweep'), 'sweep')],
    check: (r) => {
      ok(r);
      expect(readdirSync(wroteDir(r)).sort()).toEqual(['config.json', 'interval-0', 'interval-4', 'sweep.json']);
      expect(r.out).toMatch(/^0 \(FCFS\)\s+\d/m);
      expect(r.out).toMatch(/^4\s+\d/m);
    },
  },
  '--capacity-search': {
    args: [...CAPACITY, '--capacity-steps', '1'],
    check: (r) => (
      ok(r),
      expect(r.err).toMatch(/^probe 80\.000 req\/s: worst tier \d+\.\d\d%/m),
      expect(r.out).toMatch(/^capacity \d+\.\d{3} req\/s/m)
    ),
  },
  '--capacity-steps': {
    args: [...CAPACITY, '--capacity-steps', '3'],
    check: async (r) => {
      ok(r);
      const fewer = await sim([...CAPACITY, '--capacity-steps', '1']);
      const probes = (run: Run) => run.err.split('\n').filter((l) => l.startsWith('probe ')).length;
      expect(probes(r) - probes(fewer)).toBe(2);
    },
  },
  '--fast-forward': {
    args: ['--no-fast-forward'],
    check: async (r) => {
      ok(r);
      const base = await baseline();
      expect(r.summary.events).toBeGreaterThan(base.summary.events);
      expect(readFileSync(join(r.dir, 'request_metrics.csv'), 'utf8')).toBe(
        readFileSync(join(base.dir, 'request_metrics.csv'), 'utf8'),
      );
    },
  },
};

describe('npm run sim: one case per --help flag', () => {
  beforeEach(() => {
    vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
    vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
    vi.spyOn(console, 'warn').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
  });
  afterEach(() => vi.restoreAllMocks());

  const flags = configFields().map((f) => f.flag);

  it('the table has no case for a flag --help does not list', () => {
    const help = helpText('npm run sim --');
    expect(Object.keys(CASES).filter((flag) => !help.includes(`${flag} <`))).toEqual([]);
  });

  it.each(flags)('%s', async (flag) => {
    const c = CASES[flag];
    if (c === undefined)
      throw new Error(
        `no case for ${flag} in CASES (test/cli/sim-flags.test.ts): add one that runs it and checks its effect`,
      );
    if (c.skip !== undefined) return console.info(`skipped ${flag}: ${c.skip}`);
    const args = typeof c.args === 'function' ? c.args() : c.args;
    await c.check(await sim(args));
  });
});
