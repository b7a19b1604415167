import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../sim/cli/sim.js';

describe('npm run sim (main)', () => {
  let out: string[];
  let err: string[];
  beforeEach(() => {
    out = [];
    err = [];
    vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
    vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
    vi.spyOn(console, 'warn').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
  });
  afterEach(() => vi.restoreAllMocks());

  it('writes request_metrics.csv, config.json and summary.json with the documented contract', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'servelab-cli-')), 'run');
    const code = await main([
      '--replicas',
      '2',
      '--global-scheduler',
      'llq',
      '--qps',
      '4',
      '--duration',
      '30',
      '--seed',
      '3',
      '--output-dir',
      dir,
      '--progress',
      'off',
    ]);
    expect(code).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(['config.json', 'request_metrics.csv', 'summary.json']);
    const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
    expect(Object.keys(summary.requests)).toEqual(expect.arrayContaining(['arrived', 'completed']));
    for (const m of ['e2e', 'ttft', 'tpot'])
      expect(Object.keys(summary[m]).sort()).toEqual(['mean', 'p50', 'p90', 'p99']);
    expect(Object.keys(summary.requestsPerReplica).sort()).toEqual(['0', '1']);
    expect(typeof summary.wallSeconds).toBe('number');
    const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    expect(config).toMatchObject({ replicas: 2, globalScheduler: 'llq', qps: 4, seed: 3, model: 'llama-2-7b' });
    const header = readFileSync(join(dir, 'request_metrics.csv'), 'utf8').split('\n')[0];
    expect(header).toContain(
      'request_e2e_time,request_execution_time,request_preemption_time,request_scheduling_delay,prefill_e2e_time',
    );
    expect(out.join('\n')).toMatch(/e2e\s+\d/);
  });

  it('gives the same request_metrics.csv for the same seed', async () => {
    const base = mkdtempSync(join(tmpdir(), 'servelab-cli-'));
    const run = async (name: string) => {
      await main([
        '--qps',
        '3',
        '--duration',
        '40',
        '--global-scheduler',
        'random',
        '--output-dir',
        join(base, name),
        '--progress',
        'off',
      ]);
      return readFileSync(join(base, name, 'request_metrics.csv'), 'utf8');
    };
    expect(await run('a')).toBe(await run('b'));
  });

  it('prints input errors without a stack trace and exits with 2', async () => {
    expect(await main(['--model', 'llama-3-70b', '--no-write-outputs'])).toBe(2);
    expect(err.join('\n')).toMatch(/^error: llama-3-70b on a100 with TP 1 leaves no room.*Raise --tp/m);
    expect(await main(['--trace', '/nonexistent/trace.csv'])).toBe(2);
    expect(err.at(-1)).toMatch(/cannot read trace/);
    expect(await main(['--replicas', 'many'])).toBe(2);
  });

  it('prints --help', async () => {
    expect(await main(['--help'])).toBe(0);
    expect(out.join('\n')).toContain('--lengths-trace');
  });
});
