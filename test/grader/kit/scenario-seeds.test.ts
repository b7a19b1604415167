/**
 * Every lab's scenario and benchmark items prepare their hidden workloads on 200 hidden seeds without
 * an error, with an input the child channel can carry: a failure there would be a grader error for
 * every submission on that seed, the reference's included (as autoscaling's empty clusters once were).
 * On two more seeds every item is graded in full, in-process, as `npm run sweep` grades (the reference's
 * full marks on seeds 1-200 are that command's job: about a minute of CPU per seed over the five labs).
 * Unit items are covered on 200 seeds by many-seeds.test.ts; whole gradings by each lab's lab.test.ts.
 * A slow sweep (autoscaling alone builds 126,000-request traces for each seed): it runs when asked,
 * `SERVELAB_SWEEPS=1`, as CI does (.ci/run).
 */
import { describe, expect, it } from 'vitest';
import type { ItemContext } from '../../../grader/core/lab.js';
import { referenceAsBuilt, shortfalls, sweepSeed } from '../../../grader/kit/seed-sweep.js';
import { labNames, loadInProcessParts, loadLab } from '../../../grader/labs/catalogue.js';
import { REPO_ROOT } from '../../../sim/config/paths.js';

const SEEDS = Array.from({ length: 200 }, (_, i) => i + 1);

describe.runIf(process.env.SERVELAB_SWEEPS === '1').each(labNames())(
  '%s: scenario items on 200 hidden seeds (SERVELAB_SWEEPS=1)',
  (name) => {
    it('prepare builds every workload, and the child input survives JSON', async () => {
      const lab = await loadLab(name);
      const items = lab.manifest.items.filter((i) => i.kind !== 'unit');
      expect(items.length).toBeGreaterThan(0);
      const failures: string[] = [];
      for (const hiddenSeed of SEEDS) {
        const ctx: ItemContext = { hiddenSeed, publicSeed: lab.manifest.publicSeed, repoRoot: REPO_ROOT };
        for (const item of items) {
          try {
            const { input } = lab.items[item.id]!.prepare(ctx);
            JSON.stringify(input);
          } catch (err) {
            failures.push(`seed ${hiddenSeed}, ${item.id}: ${(err as Error).message}`);
          }
        }
      }
      expect(failures).toEqual([]);
    });

    it('the reference gets full marks on every item, graded in-process, on hidden seeds 7 and 8', async () => {
      const lab = await loadLab(name);
      const { child, oracle } = await loadInProcessParts(name);
      const reference = await referenceAsBuilt(lab, oracle, REPO_ROOT);
      try {
        for (const seed of [7, 8]) {
          const swept = await sweepSeed(lab, { module: reference.module, child }, seed, REPO_ROOT);
          expect(shortfalls(swept), `seed ${seed}`).toEqual([]);
        }
      } finally {
        reference.cleanup();
      }
    });
  },
);
