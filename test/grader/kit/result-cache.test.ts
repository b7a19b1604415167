import { cpSync, mkdtempSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { cached } from '../../../grader/kit/result-cache.js';

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
});
