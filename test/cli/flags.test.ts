import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configFields, helpText, parseArgs } from '../../sim/cli/flags.js';
import { parseConfig, SimulationConfig } from '../../sim/config/schema.js';

describe('config schema', () => {
  it('every field has a description and either a default that --help prints on its line or is optional', () => {
    const help = helpText('npm run sim --').split('\n');
    const shape = SimulationConfig.shape as Record<string, { safeParse(v: unknown): { success: boolean } }>;
    for (const f of configFields()) {
      expect(f.description, f.key).not.toBe('');
      const line = help.find((l) => l.trimStart().startsWith(`${f.flag} <`));
      expect(line, `${f.flag} has a --help line`).toBeDefined();
      if (f.defaultValue !== undefined) expect(line, f.flag).toContain(`(default: ${String(f.defaultValue)})`);
      else
        expect(shape[f.key]!.safeParse(undefined).success, `${f.key} has no default, so it must be optional`).toBe(
          true,
        );
    }
    expect(
      configFields()
        .filter((f) => f.defaultValue === undefined)
        .map((f) => f.key),
    ).toEqual(expect.arrayContaining(['trace', 'numBlocks', 'routerModule']));
    const defaults = SimulationConfig.parse({});
    expect(defaults).toMatchObject({
      replicas: 4,
      model: 'llama-2-7b',
      device: 'a100',
      tp: 1,
      globalScheduler: 'lor',
      replicaScheduler: 'vllm',
      qps: 2,
      seed: 42,
    });
  });

  it('names each bad field, what it got and why', () => {
    expect(() => parseConfig({ replicas: 0, globalScheduler: 'fastest', qps: -1 })).toThrow(
      /replicas: Too small.*\n.*globalScheduler: Invalid option: expected one of "round_robin"\|"lor"\|"llq"\|"random"\n.*qps: Too small/s,
    );
    expect(() => parseConfig({ replcas: 3 })).toThrow(/Unrecognized key: "replcas".*--help/);
  });
});

describe('parseArgs', () => {
  it('maps kebab-case flags to config fields with the right types', () => {
    const { config } = parseArgs([
      '--global-scheduler',
      'llq',
      '--replicas=8',
      '--qps',
      '3.5',
      '--trace',
      'x.csv',
      '--no-write-outputs',
    ]);
    expect(config).toEqual({ globalScheduler: 'llq', replicas: 8, qps: 3.5, trace: 'x.csv', writeOutputs: false });
  });

  it('layers flags over a --config file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'servelab-'));
    const file = join(dir, 'c.json');
    writeFileSync(file, JSON.stringify({ replicas: 2, qps: 1 }));
    expect(parseArgs(['--config', file, '--qps', '4']).config).toEqual({ replicas: 2, qps: 4 });
    writeFileSync(file, '[1, 2]');
    expect(() => parseArgs(['--config', file])).toThrow(/not a JSON object/);
    expect(() => parseArgs(['--config', join(dir, 'missing.json')])).toThrow(/cannot read config file/);
  });

  it('explains unknown flags, missing values and bad numbers', () => {
    expect(() => parseArgs(['--replica', '3'])).toThrow(/unknown flag --replica \(did you mean --replicas/);
    expect(() => parseArgs(['--qps'])).toThrow(/--qps needs a value/);
    expect(() => parseArgs(['--qps', 'fast'])).toThrow(/--qps expects a number, got "fast"/);
    expect(() => parseArgs(['replicas'])).toThrow(/unexpected argument/);
  });

  it('--help lists every flag with its default', () => {
    const text = helpText('npm run sim --');
    for (const f of configFields()) expect(text).toContain(f.flag);
    expect(text).toContain('--global-scheduler <round_robin|lor|llq|random>');
    expect(text).toContain('(default: lor)');
    expect(parseArgs(['--help']).help).toBe(true);
  });
});
