/**
 * The CFS lab's benchmark items against the engine's own policy: a copy of vLLM V0's scheduler
 * (test/fixtures/cfs/fcfs-copy.ts: every step the default FCFS step) earns at most 40% of the
 * benchmark points (measured: 0 of 14 on the default hidden seed and seed 1), while the reference
 * earns them all; a scheduler that preempts far more than needed loses burst points by name.
 */
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../../../sim/config/paths.js';
import { runItemInProcess } from '../../../../grader/kit/in-process.js';
import { labManifest, loadLab } from '../../../../grader/labs/catalogue.js';
import { child } from '../../../../grader/labs/cfs/child.js';
import type { CfsModule } from '../../../../grader/labs/cfs/student.js';
import { CfsScheduler } from '../../../../reference/cfs/cfs-scheduler.js';
import { CfsScheduler as FcfsCopy } from '../../../fixtures/cfs/fcfs-copy.js';

const BENCHMARKS = ['burst-p99-ttft', 'burst-variants', 'tight-swap-pool', 'interval-sweep'];
const manifest = labManifest('cfs');
const lab = await loadLab('cfs');

async function benchmarkPoints(m: CfsModule, hiddenSeed: number) {
  const ctx = { hiddenSeed, publicSeed: manifest.publicSeed, repoRoot: REPO_ROOT };
  let total = 0;
  for (const id of BENCHMARKS) {
    const out = await runItemInProcess(lab, id, { module: m, ...child }, ctx);
    total += 'score' in out ? out.score : 0;
  }
  return total;
}

describe('CFS benchmarks against the shipped FCFS scheduler', () => {
  const max = manifest.items.filter((i) => BENCHMARKS.includes(i.id)).reduce((s, i) => s + i.points, 0);

  it.each([manifest.defaultHiddenSeed, 1])(
    'hidden seed %i: a copy of the engine scheduler earns at most 40%, the reference all',
    async (seed) => {
      expect(max).toBe(14);
      expect(await benchmarkPoints({ CfsScheduler: FcfsCopy }, seed)).toBeLessThanOrEqual(0.4 * max);
      expect(await benchmarkPoints({ CfsScheduler }, seed)).toBe(max);
    },
  );
});
