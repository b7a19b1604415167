import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { cached, entryFile } from '../../../grader/kit/result-cache.js';

/** A throwaway checkout: the files the code hash reads. */
function checkout(): string {
  const root = mkdtempSync(join(tmpdir(), 'kit-cache-'));
  mkdirSync(join(root, 'sim'), { recursive: true });
  mkdirSync(join(root, 'reference', 'toy'), { recursive: true });
  writeFileSync(join(root, 'sim', 'engine.ts'), 'export const v = 1;\n');
  writeFileSync(join(root, 'reference', 'toy', 'policy.ts'), 'export const p = 1;\n');
  writeFileSync(join(root, 'package.json'), '{"version":"1.0.0"}');
  return root;
}

const saved = { ...process.env };
beforeEach(() => {
  delete process.env.SERVELAB_CACHE;
  delete process.env.SERVELAB_CACHE_DIR;
});
afterEach(() => {
  process.env = { ...saved };
});

describe('kit result cache', () => {
  it('computes once per key and code, then serves the stored value', async () => {
    const repoRoot = checkout();
    let runs = 0;
    const compute = () => ++runs;
    const key = { repoRoot, lab: 'toy', what: 'baseline fcfs', seed: 3 };
    expect(await cached(key, z.number(), compute)).toBe(1);
    expect(await cached(key, z.number(), compute)).toBe(1);
    expect(await cached({ ...key, seed: 4 }, z.number(), compute)).toBe(2);
    expect(await cached({ ...key, what: 'reference' }, z.number(), compute)).toBe(3);
    expect(runs).toBe(3);
  });

  it('misses after the reference changes (another code hash), and on a damaged entry', async () => {
    const repoRoot = checkout();
    const key = { repoRoot, lab: 'toy', what: 'reference', seed: 1 };
    await cached(key, z.number(), () => 10);
    // The same checkout copied with one reference line changed: a fresh process would hash it anew.
    const changed = mkdtempSync(join(tmpdir(), 'kit-cache-'));
    cpSync(repoRoot, changed, { recursive: true });
    writeFileSync(join(changed, 'reference', 'toy', 'policy.ts'), 'export const p = 2;\n');
    expect(await cached({ ...key, repoRoot: changed }, z.number(), () => 20)).toBe(20);
    const dir = join(repoRoot, '.cache', 'results', 'toy');
    for (const f of readdirSync(dir)) writeFileSync(join(dir, f), '{"not": "a number"');
    expect(await cached(key, z.number(), () => 30)).toBe(30);
    expect(await cached(key, z.number(), () => 40)).toBe(30);
  });

  it('SERVELAB_CACHE=off always computes; SERVELAB_CACHE_DIR moves the store', async () => {
    const repoRoot = checkout();
    process.env.SERVELAB_CACHE = 'off';
    let runs = 0;
    const key = { repoRoot, lab: 'toy', what: 'x', seed: 1 };
    await cached(key, z.number(), () => ++runs);
    await cached(key, z.number(), () => ++runs);
    expect(runs).toBe(2);
    delete process.env.SERVELAB_CACHE;
    const elsewhere = mkdtempSync(join(tmpdir(), 'kit-cache-dir-'));
    process.env.SERVELAB_CACHE_DIR = elsewhere;
    await cached(key, z.number(), () => 5);
    expect(readdirSync(join(elsewhere, 'toy'))).toHaveLength(1);
  });

  it("computes an entry once while calls wait for it: in this process, and behind a live process's lock", async () => {
    const repoRoot = checkout();
    let runs = 0;
    const slow = async () => {
      runs++;
      await new Promise((resolve) => setTimeout(resolve, 200));
      return 7;
    };
    const key = { repoRoot, lab: 'toy', what: 'baseline', seed: 1 };
    expect(await Promise.all([cached(key, z.number(), slow), cached(key, z.number(), slow)])).toEqual([7, 7]);
    expect(runs).toBe(1);
    // Another grader (a live process) holds the lock of a second entry: this one waits and reads its result.
    const other = { ...key, seed: 2 };
    const file = entryFile(other)!;
    const holder = spawn('sleep', ['30']);
    try {
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(`${file}.lock`, String(holder.pid));
      const waiting = cached(other, z.number(), slow);
      await new Promise((resolve) => setTimeout(resolve, 300));
      writeFileSync(file, '41');
      expect(await waiting).toBe(41);
      expect(runs).toBe(1);
    } finally {
      holder.kill();
    }
  });

  it('takes over a lock whose holder has exited, and releases its own', async () => {
    const repoRoot = checkout();
    const key = { repoRoot, lab: 'toy', what: 'baseline', seed: 3 };
    const file = entryFile(key)!;
    const gone = spawnSync('true').pid;
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(`${file}.lock`, String(gone));
    expect(await cached(key, z.number(), () => 5)).toBe(5);
    expect(existsSync(`${file}.lock`)).toBe(false);
    expect(existsSync(file)).toBe(true);
  });
});
