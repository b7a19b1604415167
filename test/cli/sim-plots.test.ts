/** `npm run sim -- … --plots DIR` and `--autoscaler-module`: files, contents that match the run, stable bytes. */
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../sim/cli/sim.js';

const CFS = [
  '--config',
  'traces/cfs-homework.json',
  '--replica-scheduler-module',
  'reference/cfs/cfs-scheduler.ts',
  '--progress',
  'off',
];

function csvRows(text: string): string[][] {
  return text
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split(','));
}

function expectSvg(text: string): void {
  expect(text.startsWith('<svg')).toBe(true);
  expect(text.trimEnd().endsWith('</svg>')).toBe(true);
  // Balanced <g> groups: a truncated or garbled render would not be.
  expect((text.match(/<g[\s>]/g) ?? []).length).toBe((text.match(/<\/g>/g) ?? []).length);
}

describe('--plots', () => {
  let out: string[];
  beforeEach(() => {
    out = [];
    vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
  });
  afterEach(() => vi.restoreAllMocks());

  it('writes every plot of a swapping vllm-v0 run as SVG + CSV, matching request_metrics.csv, byte-identical across runs', async () => {
    const base = mkdtempSync(join(tmpdir(), 'servelab-plots-'));
    for (const name of ['a', 'b']) {
      expect(await main([...CFS, '--output-dir', join(base, name, 'run'), '--plots', join(base, name, 'plots')])).toBe(
        0,
      );
    }
    const dir = join(base, 'a', 'plots');
    const names = [
      'ttft-cdf',
      'tpot-cdf',
      'e2e-cdf',
      'ttft-by-request',
      'tpot-by-request',
      'kv-usage',
      'swap-usage',
      'replicas',
      'p90-latency',
      'cost',
    ];
    expect(readdirSync(dir).sort()).toEqual(names.flatMap((n) => [`${n}.csv`, `${n}.svg`]).sort());
    for (const n of names) {
      expectSvg(readFileSync(join(dir, `${n}.svg`), 'utf8'));
      expect(readFileSync(join(dir, `${n}.svg`))).toEqual(readFileSync(join(base, 'b', 'plots', `${n}.svg`)));
      expect(readFileSync(join(dir, `${n}.csv`))).toEqual(readFileSync(join(base, 'b', 'plots', `${n}.csv`)));
    }
    // TTFT per request is request_metrics.csv's prefill_e2e_time, in arrival order.
    const metrics = readFileSync(join(base, 'a', 'run', 'request_metrics.csv'), 'utf8')
      .trim()
      .split('\n');
    const header = metrics[0]!.split(',');
    const col = (name: string) => header.indexOf(name);
    const byId = new Map(
      metrics
        .slice(1)
        .map((l) => l.split(','))
        .map((c) => [c[col('request_id')]!, c]),
    );
    const ttft = csvRows(readFileSync(join(dir, 'ttft-by-request.csv'), 'utf8'));
    expect(ttft).toHaveLength(byId.size);
    let lastArrival = -1;
    for (const [, id, value] of ttft) {
      const row = byId.get(id!)!;
      expect(Number(value)).toBeCloseTo(Number(row[col('prefill_e2e_time')]), 6);
      expect(Number(row[col('arrived_at')])).toBeGreaterThanOrEqual(lastArrival);
      lastArrival = Number(row[col('arrived_at')]);
    }
    // The TTFT CDF ends at 1 with the largest TTFT.
    const cdf = csvRows(readFileSync(join(dir, 'ttft-cdf.csv'), 'utf8'));
    expect(Number(cdf.at(-1)![1])).toBe(1);
    expect(Number(cdf.at(-1)![0])).toBeCloseTo(Math.max(...ttft.map((r) => Number(r[2]))), 6);
    // The swap pool is used in this run, and the cost plot ends at the run's cost.
    expect(csvRows(readFileSync(join(dir, 'swap-usage.csv'), 'utf8')).some((r) => Number(r[3]) > 0)).toBe(true);
    const summary = JSON.parse(readFileSync(join(base, 'a', 'run', 'summary.json'), 'utf8')) as { costDollars: number };
    expect(Number(csvRows(readFileSync(join(dir, 'cost.csv'), 'utf8')).at(-1)![1])).toBeCloseTo(summary.costDollars, 6);
  });

  it('draws one series per interval with --cfs-interval-sweep', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'servelab-plots-')), 'plots');
    expect(await main([...CFS, '--cfs-interval-sweep', '0,10', '--no-write-outputs', '--plots', dir])).toBe(0);
    for (const n of ['ttft-cdf', 'tpot-cdf', 'ttft-by-request', 'tpot-by-request', 'kv-usage', 'swap-usage'])
      expectSvg(readFileSync(join(dir, `${n}.svg`), 'utf8'));
    const runs = new Set(csvRows(readFileSync(join(dir, 'ttft-by-request.csv'), 'utf8')).map((r) => r[0]));
    expect([...runs]).toEqual(['interval 0 (FCFS)', 'interval 10']);
    // The trade-off plot holds each interval's P99s, the same figures the sweep table prints.
    const tradeoff = csvRows(readFileSync(join(dir, 'p99-tradeoff.csv'), 'utf8'));
    expect(tradeoff.map((r) => r[0])).toEqual(['interval 0 (FCFS)', 'interval 10']);
    const printed = out.join('\n');
    for (const [label, ttft, tpot] of tradeoff) {
      const interval = label!.startsWith('interval 0') ? '0 \\(FCFS\\)' : '10';
      expect(printed).toMatch(
        new RegExp(`^${interval}\\s+${Number(ttft).toFixed(2)}\\s+\\S+\\s+${(1000 * Number(tpot)).toFixed(1)}\\s`, 'm'),
      );
    }
    expect(
      readdirSync(dir)
        .filter((f) => f.endsWith('.svg'))
        .sort(),
    ).toEqual(
      [
        'kv-usage',
        'p99-tradeoff',
        'swap-usage',
        'tpot-by-request',
        'tpot-cdf',
        'ttft-by-request',
        'ttft-cdf',
        'waiting',
      ].map((n) => `${n}.svg`),
    );
  });

  it('plots per-client service when the workload has several clients', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'servelab-plots-')), 'plots');
    expect(
      await main([
        '--replicas',
        '1',
        '--clients',
        'qps=1,lengths=fixed,prefill=64,decode=8;qps=2,lengths=fixed,prefill=64,decode=8',
        '--duration',
        '20',
        '--no-write-outputs',
        '--progress',
        'off',
        '--plots',
        dir,
      ]),
    ).toBe(0);
    const rows = csvRows(readFileSync(join(dir, 'client-service.csv'), 'utf8'));
    expect(new Set(rows.map((r) => r[0]))).toEqual(new Set(['0', '1']));
    // Cumulative service never decreases within a client.
    for (const client of ['0', '1']) {
      const values = rows.filter((r) => r[0] === client).map((r) => Number(r[2]));
      expect(values.every((v, i) => i === 0 || v >= values[i - 1]!)).toBe(true);
    }
    expectSvg(readFileSync(join(dir, 'client-service.svg'), 'utf8'));
  });
});

describe('--autoscaler-module', () => {
  let out: string[];
  let err: string[];
  beforeEach(() => {
    out = [];
    err = [];
    vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
    vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
  });
  afterEach(() => vi.restoreAllMocks());

  const workload = ['--replicas', '1', '--qps', '4', '--duration', '60', '--no-write-outputs', '--progress', 'off'];

  function moduleFile(source: string): string {
    const file = join(mkdtempSync(join(tmpdir(), 'servelab-autoscaler-')), 'autoscaler.mjs');
    writeFileSync(file, source);
    return file;
  }

  it('loads the class, passes --autoscaler-args to its constructor and scales the cluster after --scale-up-delay', async () => {
    // Adds `extra` replicas at its first tune, then holds.
    const file =
      moduleFile(`export class StepUp { tuneInterval = 5; #done = false; constructor(extra) { this.extra = extra; }
      tune(now, state) { if (this.#done) return 0; this.#done = true; return this.extra; } }`);
    const dir = join(mkdtempSync(join(tmpdir(), 'servelab-plots-')), 'plots');
    expect(
      await main([
        ...workload,
        '--autoscaler-module',
        file,
        '--autoscaler-args',
        '2',
        '--scale-up-delay',
        '7',
        '--plots',
        dir,
      ]),
    ).toBe(0);
    const steps = csvRows(readFileSync(join(dir, 'replicas.csv'), 'utf8'))
      .filter((r) => r[0] === 'replicas')
      .map((r) => [Number(r[1]), Number(r[2])]);
    expect(steps[0]).toEqual([0, 1]);
    // First tune at 5 s, provisioned 7 s later: three replicas from 12 s on.
    expect(steps.find(([, n]) => n === 3)![0]).toBeCloseTo(12, 6);
    expect(out.join('\n')).toMatch(/replicas 1\.\.3/);
  });

  it('respects --max-replicas', async () => {
    const file = moduleFile(`export default class Greedy { tuneInterval = 2; tune() { return 5; } }`);
    expect(await main([...workload, '--autoscaler-module', file, '--max-replicas', '3'])).toBe(0);
    expect(out.join('\n')).toMatch(/replicas 1\.\.3\)/);
  });

  it('names what is wrong: no autoscaler class, bad JSON arguments, min above max, a sweep', async () => {
    const none = moduleFile('export const x = 1;');
    expect(await main([...workload, '--autoscaler-module', none])).toBe(2);
    expect(err.join('\n')).toContain('exports no autoscaler class');
    const ok = moduleFile('export class A { tuneInterval = 5; tune() { return 0; } }');
    expect(await main([...workload, '--autoscaler-module', ok, '--autoscaler-args', '{level: 2}'])).toBe(2);
    expect(err.join('\n')).toContain('--autoscaler-args must be JSON');
    expect(await main([...workload, '--autoscaler-module', ok, '--min-replicas', '4', '--max-replicas', '2'])).toBe(2);
    expect(err.join('\n')).toContain('--min-replicas (4) is above --max-replicas (2)');
    expect(await main([...workload, '--autoscaler-module', ok, '--cfs-interval-sweep', '0,5'])).toBe(2);
    expect(err.join('\n')).toContain('cannot be combined');
    const badInterval = moduleFile('export class A { tuneInterval = 0; tune() { return 0; } }');
    expect(await main([...workload, '--autoscaler-module', badInterval])).toBe(2);
    expect(err.join('\n')).toContain('tuneInterval must be a number of seconds > 0');
  });
});
