/**
 * Results of trusted runs (the reference's and the engine baselines' on a hidden workload) kept on
 * disk, so grading a submission runs only the submission. A key is the lab, what was run and its
 * seed; every entry is also tied to a hash of the code that produced it (sim/, grader/, the lab's
 * reference, traces/, the lab's manifest), so any change to that code misses the cache rather than
 * serving a stale figure. Entries are validated on read like any other input: a damaged file is a
 * miss, never a wrong grade.
 *
 * Where: SERVELAB_CACHE_DIR, else `.cache/results` in the checkout. SERVELAB_CACHE=off turns it off.
 * The Gradescope bundle ships the entries for its seed (dist:gradescope grades the reference once
 * with the cache pointed into the bundle).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import type { z } from 'zod';

export function cacheDir(repoRoot: string): string | undefined {
  if (process.env.SERVELAB_CACHE === 'off') return undefined;
  const dir = process.env.SERVELAB_CACHE_DIR;
  return dir !== undefined && dir !== '' ? dir : join(repoRoot, '.cache', 'results');
}

const CODE_ROOTS = ['sim', 'grader', 'traces', 'package.json'];

/**
 * Files under `rel`, skipping other labs' grader folders and the lab catalogue: a Gradescope bundle
 * holds one lab only, and must hash as the checkout that filled its cache did.
 */
function filesUnder(root: string, rel: string, lab: string, out: string[]): void {
  const path = join(root, rel);
  if (!existsSync(path)) return;
  if (statSync(path).isDirectory()) {
    for (const name of readdirSync(path).sort()) {
      if (name === 'node_modules' || name.startsWith('.')) continue;
      const child = join(rel, name);
      if (rel === join('grader', 'labs') && name !== lab) continue;
      filesUnder(root, child, lab, out);
    }
  } else out.push(rel);
}

const hashes = new Map<string, string>();

/** A hash of every file whose change could change a trusted run of `lab` (memoized per process). */
export function codeHash(repoRoot: string, lab: string): string {
  const key = `${repoRoot}\0${lab}`;
  let h = hashes.get(key);
  if (h === undefined) {
    const files: string[] = [];
    for (const root of [...CODE_ROOTS, join('reference', lab), join('labs', lab, 'manifest.json')])
      filesUnder(repoRoot, root, lab, files);
    const hash = createHash('sha256');
    for (const f of files)
      hash
        .update(relative(repoRoot, join(repoRoot, f)))
        .update('\0')
        .update(readFileSync(join(repoRoot, f)));
    h = hash.digest('hex').slice(0, 16);
    hashes.set(key, h);
  }
  return h;
}

export interface CacheKey {
  readonly repoRoot: string;
  readonly lab: string;
  /** What was run, e.g. "baseline llq on hidden workload 2"; with the seed it must determine the result. */
  readonly what: string;
  readonly seed: number;
}

/**
 * `compute()`'s result, from the cache when an entry for `key` and the current code exists and
 * parses with `schema`; computed and stored otherwise. One computation per entry at a time: calls in
 * this process share it, and another process computing the same entry (batch grading's graders side
 * by side, test files) holds `<entry>.lock` until its result is stored, which this one waits for.
 */
export async function cached<T>(key: CacheKey, schema: z.ZodType<T>, compute: () => T | Promise<T>): Promise<T> {
  const file = entryFile(key);
  if (file === undefined) return compute();
  const hit = readEntry(file, schema);
  if (hit !== undefined) return hit.value;
  let pending = inFlight.get(file) as Promise<T> | undefined;
  if (pending === undefined) {
    pending = computeOnce(file, schema, compute);
    inFlight.set(file, pending);
    const forget = () => inFlight.delete(file);
    pending.then(forget, forget);
  }
  return pending;
}

/** Where `key`'s entry is stored for the current code; undefined with the cache off. */
export function entryFile(key: CacheKey): string | undefined {
  const dir = cacheDir(key.repoRoot);
  if (dir === undefined) return undefined;
  const id = createHash('sha256')
    .update(JSON.stringify([key.lab, key.what, key.seed, codeHash(key.repoRoot, key.lab)]))
    .digest('hex')
    .slice(0, 32);
  return join(dir, key.lab, `${id}.json`);
}

/** Entries being computed in this process, by file. */
const inFlight = new Map<string, Promise<unknown>>();

/** A lock older than this is abandoned whoever holds it: no trusted run takes that long. */
const LOCK_MAX_AGE_MS = 15 * 60_000;
const LOCK_POLL_MS = 100;

function readEntry<T>(file: string, schema: z.ZodType<T>): { value: T } | undefined {
  if (!existsSync(file)) return undefined;
  try {
    const parsed = schema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    if (parsed.success) return { value: parsed.data };
  } catch {
    // A damaged entry is a miss.
  }
  return undefined;
}

/** Takes the entry's lock: true when this process holds it (or the cache cannot hold locks: a read-only one). */
function takeLock(lock: string): boolean {
  try {
    mkdirSync(dirname(lock), { recursive: true });
    writeFileSync(lock, String(process.pid), { flag: 'wx' });
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'EEXIST';
  }
}

/** A lock whose holder has exited, or that is older than LOCK_MAX_AGE_MS. */
function lockAbandoned(lock: string): boolean {
  try {
    if (Date.now() - statSync(lock).mtimeMs > LOCK_MAX_AGE_MS) return true;
    const holder = Number(readFileSync(lock, 'utf8'));
    if (!Number.isInteger(holder) || holder <= 0) return false; // being written
    process.kill(holder, 0);
    return false;
  } catch (err) {
    // ESRCH: no such process. ENOENT: released meanwhile (the next take decides).
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

async function computeOnce<T>(file: string, schema: z.ZodType<T>, compute: () => T | Promise<T>): Promise<T> {
  const lock = `${file}.lock`;
  while (!takeLock(lock)) {
    await new Promise((resolve) => setTimeout(resolve, LOCK_POLL_MS));
    const hit = readEntry(file, schema);
    if (hit !== undefined) return hit.value;
    if (lockAbandoned(lock)) rmSync(lock, { force: true });
  }
  try {
    // The previous holder may have stored it between this process's miss and its taking the lock.
    const stored = readEntry(file, schema);
    if (stored !== undefined) return stored.value;
    const value = await compute();
    try {
      const tmp = `${file}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify(value));
      renameSync(tmp, file);
    } catch {
      // A read-only cache (a shipped bundle on a locked-down machine) only costs time.
    }
    return value;
  } finally {
    rmSync(lock, { force: true });
  }
}
