/**
 * The CFS lab through the whole grader: the reference gets full marks, the untouched starter gets 0
 * without crashing the grader, the shipped trace is the public
 * burst, interval 0 is vLLM's default step byte for byte, and the sweep command prints the trade-off.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { REPO_ROOT } from '../../../../sim/config/paths.js';
import { parseConfig } from '../../../../sim/config/schema.js';
import { loadReplicaSchedulerClass } from '../../../../sim/config/plugins.js';
import { runCfsSweep } from '../../../../sim/analysis/cfs-sweep.js';
import { sweepTable } from '../../../../sim/cli/cfs-sweep-command.js';
import { main as simMain } from '../../../../sim/cli/sim.js';
import { requestMetricsCsv } from '../../../../sim/metrics/request-metrics.js';
import { VllmV0Scheduler } from '../../../../sim/policies/replica/vllm-v0-step-scheduler.js';
import { gradeSubmission } from '../../../../grader/core/grade.js';
import type { GradingResult } from '../../../../grader/core/types.js';
import { labManifest, loadLab } from '../../../../grader/labs/catalogue.js';
import { simulateCfs } from '../../../../grader/labs/cfs/simulate.js';
import {
  burst,
  burstCsv,
  DUMMY_LENGTHS,
  HOMEWORK_BURST,
  PUBLIC_BURST_SEED,
  publicRun,
} from '../../../../grader/labs/cfs/workloads.js';
import { P99_TTFT_THRESHOLD_S, POINTS_OFF_PER_SECOND } from '../../../../grader/labs/cfs/scenarios.js';
import { derivedSeeds } from '../../../../grader/kit/seeds.js';
import { median } from '../../../../grader/core/scoring.js';
import { percentile } from '../../../../sim/metrics/stats.js';
import { GradescopeResults } from '../../../../grader/report/gradescope.js';
import { CfsScheduler } from '../../../../reference/cfs/cfs-scheduler.js';
import { expectPublicTimelines } from '../public-timelines.js';

const out = () => mkdtempSync(join(tmpdir(), 'servelab-cfs-'));
const scores = (r: GradingResult) => Object.fromEntries(r.items.map((i) => [i.id, i.score]));
const FULL = {
  'get-priority': 1,
  'priority-preemption': 3,
  'cfs-step': 2,
  'schedule-interval': 2,
  'burst-p99-ttft': 8,
  'burst-variants': 2,
  'tight-swap-pool': 2,
  'interval-sweep': 2,
  mcq: 3,
};

async function grade(submission: string): Promise<{ result: GradingResult; dir: string }> {
  const dir = out();
  const result = await gradeSubmission({ lab: await loadLab('cfs'), submission, outDir: dir });
  const results = GradescopeResults.parse(JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')));
  expect(results.tests).toHaveLength(9);
  return { result, dir };
}

describe('CFS lab, graded end to end', () => {
  it('gives the reference full marks, with plots and the interval-0 timeline of the public burst', async () => {
    const { result, dir } = await grade(join(REPO_ROOT, 'reference', 'cfs'));
    expect(result.internalError).toBeUndefined();
    expect(scores(result)).toEqual(FULL);
    expect(result.score).toBe(25);
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    for (const title of [
      'TTFT per prompt in issue order',
      'TPOT per prompt in issue order',
      'GPU KV cache usage over time',
      'P99 TTFT against mean TPOT',
    ])
      expect(html).toContain(title);
    expect(html).toContain('<svg');
    expect(result.items.find((i) => i.id === 'schedule-interval')?.timelines).toBeDefined();
    expectPublicTimelines(dir, 'schedule-interval', publicRun(0).requests.arrivedAt);
  });

  it('gives the untouched starter 0 without crashing the grader', async () => {
    const { result } = await grade(join(REPO_ROOT, 'starter', 'cfs'));
    expect(result.internalError).toBeUndefined();
    expect(result.score).toBe(0);
    for (const item of result.items) expect(['failed', 'error'], item.id).toContain(item.verdict);
    const unit = result.items.find((i) => i.id === 'get-priority')!;
    expect(unit.output).toMatch(/getPriority\(\) is not implemented yet/);
  });
});

describe('CFS lab workloads and engine', () => {
  it('the dummy lengths match the homework summary, and traces/cfs-burst.csv is the public burst', () => {
    const sum = (k: 0 | 1) => DUMMY_LENGTHS.reduce((s, p) => s + p[k], 0);
    expect(DUMMY_LENGTHS).toHaveLength(50);
    expect([sum(0), sum(1), Math.max(...DUMMY_LENGTHS.map((p) => p[0]))]).toEqual([67785, 15255, 3835]);
    const { publicSeed } = labManifest('cfs');
    expect(PUBLIC_BURST_SEED).toBe(publicSeed);
    expect(readFileSync(join(REPO_ROOT, 'traces', 'cfs-burst.csv'), 'utf8')).toBe(
      burstCsv(burst({ ...HOMEWORK_BURST, seed: publicSeed })),
    );
  });

  it("interval 0 reproduces vLLM's default FCFS step byte for byte", () => {
    const run = { label: 'public', requests: burst({ ...HOMEWORK_BURST, seed: 42 }), cfsInterval: 0, swapSpace: 16 };
    const fcfs = simulateCfs(run, (init) => new VllmV0Scheduler(init));
    const cfs0 = simulateCfs(run, (init) => new CfsScheduler(init));
    expect(requestMetricsCsv(cfs0.result.requests)).toBe(requestMetricsCsv(fcfs.result.requests));
    const cfs10 = simulateCfs({ ...run, cfsInterval: 10 }, (init) => new CfsScheduler(init));
    expect(requestMetricsCsv(cfs10.result.requests)).not.toBe(requestMetricsCsv(fcfs.result.requests));
  });

  it('the sweep command (traces/cfs-homework.json) shows the trade-off the handout states', async () => {
    const base = JSON.parse(readFileSync(join(REPO_ROOT, 'traces', 'cfs-homework.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    const config = parseConfig({
      ...base,
      replicaSchedulerModule: 'reference/cfs/cfs-scheduler.ts',
      progress: 'off',
      writeOutputs: false,
    });
    const replicaSchedulerClass = await loadReplicaSchedulerClass(config.replicaSchedulerModule!);
    const rows = runCfsSweep(config, [0, 5, 10, 20, 40], { replicaSchedulerClass }).map((r) => r.row);
    expect(rows.every((r) => r.completed === 50)).toBe(true);
    const [fcfs, c5, c10, c20, c40] = rows as [
      (typeof rows)[0],
      (typeof rows)[0],
      (typeof rows)[0],
      (typeof rows)[0],
      (typeof rows)[0],
    ];
    expect(c5.p99Ttft < c10.p99Ttft && c10.p99Ttft < c20.p99Ttft && c20.p99Ttft < c40.p99Ttft).toBe(true);
    expect(
      c5.meanTpot > c10.meanTpot &&
        c10.meanTpot > c20.meanTpot &&
        c20.meanTpot > c40.meanTpot &&
        c40.meanTpot > fcfs.meanTpot,
    ).toBe(true);
    // The figures labs/cfs/README.md quotes.
    expect(fcfs.p99Ttft.toFixed(2)).toBe('39.51');
    expect(c10.p99Ttft.toFixed(2)).toBe('11.37');
    expect([fcfs.gpuBlocks, fcfs.cpuBlocks]).toEqual([1024, 10922]);
    expect(sweepTable(rows)).toMatch(/^interval\s+p99 TTFT s/);
  });

  it("npm run sim -- --cfs-interval-sweep prints one row per interval and writes each run's files", async () => {
    const dir = out();
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      const code = await simMain([
        '--config',
        'traces/cfs-homework.json',
        '--replica-scheduler-module',
        'reference/cfs/cfs-scheduler.ts',
        '--cfs-interval-sweep',
        '0,10',
        '--output-dir',
        dir,
        '--progress',
        'off',
      ]);
      expect(code).toBe(0);
      const printed = log.mock.calls.map((c) => String(c[0])).join('\n');
      expect(printed).toMatch(/^0 \(FCFS\)\s+39\.51\s/m);
      expect(printed).toMatch(/^10\s+11\.37\s/m);
    } finally {
      log.mockRestore();
    }
    for (const f of ['sweep.json', 'interval-0/request_metrics.csv', 'interval-10/kv_usage.csv'])
      expect(existsSync(join(dir, f)), f).toBe(true);
  });

  it('the P99 TTFT threshold leaves the reference a margin and FCFS nothing, on other hidden seeds too', () => {
    const p99 = (
      seed: number,
      make: (init: ConstructorParameters<typeof VllmV0Scheduler>[0]) => VllmV0Scheduler,
      cfsInterval: number,
    ) => {
      const { result } = simulateCfs(
        { label: '', requests: burst({ ...HOMEWORK_BURST, seed }), cfsInterval, swapSpace: 16 },
        make,
      );
      return percentile(
        result.requests.map((r) => r.prefillCompletedAt! - r.arrivedAt),
        99,
      );
    };
    for (let hidden = 1; hidden <= 12; hidden++) {
      const seeds = derivedSeeds(hidden * 7919, 'cfs-burst', 3);
      const ref = median(seeds.map((s) => p99(s, (init) => new CfsScheduler(init), 10)));
      const fcfs = median(seeds.map((s) => p99(s, (init) => new VllmV0Scheduler(init), 0)));
      expect(ref, `hidden seed ${hidden * 7919}`).toBeLessThan(0.95 * P99_TTFT_THRESHOLD_S);
      expect(fcfs, `hidden seed ${hidden * 7919}`).toBeGreaterThan(P99_TTFT_THRESHOLD_S + 8 / POINTS_OFF_PER_SECOND);
    }
  });
});
