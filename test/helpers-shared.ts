/**
 * What tests need from outside the repository (../shared/vidur-data, Chromium, git, python3) and the
 * one-line reason a test gives when it skips for lack of it. A fresh clone has none of ../shared, so
 * tests that need it must skip cleanly: never read such files while a `describe` body is collected
 * (vitest runs a skipped describe's body), only inside `it`/`beforeAll`.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { VIDUR_DATA } from '../bench/vidur-data.js';

export { VIDUR_DATA };
export const HAS_VIDUR_DATA = existsSync(join(VIDUR_DATA, 'README.md'));

/** True when `command args` runs (e.g. `git --version`). */
export function hasCommand(command: string, args: readonly string[] = ['--version']): boolean {
  try {
    execFileSync(command, args, { stdio: 'ignore', timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}

const warned = new Set<string>();

/**
 * `title`, plus why it is skipped when `available` is false; the reason is also printed once, so a
 * skipped suite says why in one line instead of passing silently.
 */
export function needs(available: boolean, title: string, missing: string): string {
  if (available) return title;
  const line = `skipped "${title}": ${missing}`;
  if (!warned.has(line)) {
    warned.add(line);
    console.warn(line);
  }
  return `${title} (skipped: ${missing})`;
}

export const NO_VIDUR_DATA = `no Vidur data at ${VIDUR_DATA} (put ../shared/vidur-data beside the checkout or set SERVELAB_VIDUR_DATA)`;

/** CI's second pass sets SERVELAB_SWEEPS=1 (.ci/run): the long seed ranges run there, not in every `npm test`. */
export const SWEEPS = process.env.SERVELAB_SWEEPS === '1';

/**
 * Hidden seeds 1..`full` under SERVELAB_SWEEPS=1, else 1..`quick`: a test that holds on every seed checks
 * a few in the everyday run and all of them in CI. `seedRange` names the range in a test title.
 */
export const hiddenSeeds = (full: number, quick: number): number[] =>
  Array.from({ length: SWEEPS ? full : quick }, (_, i) => i + 1);
export const seedRange = (seeds: readonly number[]): string =>
  seeds.length === 1 ? `seed ${seeds[0]}` : `seeds ${seeds[0]}–${seeds[seeds.length - 1]}`;
