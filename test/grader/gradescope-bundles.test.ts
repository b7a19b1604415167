/**
 * Every lab's Gradescope bundle, end to end: built (grading the reference once for the bundle's seed and
 * shipping those results), unzipped, and `run_autograder` run on the reference's files in a fake
 * /autograder. The reference must get full marks from the shipped cache alone. The cfs bundle (the
 * cheapest lab to grade) is tested in instructor.test.ts on every run; the other four grade whole labs
 * twice each, so they run when asked (`SERVELAB_BUNDLES=1`; CI asks, .ci/run).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildGradescopeBundle } from '../../grader/dist/gradescope.js';
import { labManifest, labNames } from '../../grader/labs/catalogue.js';
import { GradescopeResults } from '../../grader/report/gradescope.js';
import { REPO_ROOT } from '../../sim/config/paths.js';
import { extractZip } from './zip-entries.js';

const asked = process.env.SERVELAB_BUNDLES === '1';
const tmp = (p: string) => mkdtempSync(join(tmpdir(), `servelab-${p}-`));

describe.skipIf(!asked)('Gradescope bundles of every lab (SERVELAB_BUNDLES=1)', () => {
  it.each(labNames().filter((lab) => lab !== 'cfs'))(
    '%s: run_autograder gives the reference full marks from the shipped results',
    async (lab) => {
      const manifest = labManifest(lab);
      const root = tmp(`autograder-${lab}`);
      const source = join(root, 'source');
      const { zip, precomputed } = await buildGradescopeBundle({
        lab,
        outDir: join(tmp(`bundle-${lab}`), 'source'),
        config: { lab, hiddenSeed: 424_242 },
      });
      expect(precomputed?.referenceScore).toBe(precomputed?.maxScore);
      await extractZip(zip, source);
      symlinkSync(join(REPO_ROOT, 'node_modules'), join(source, 'node_modules')); // stands in for setup.sh's npm ci
      mkdirSync(join(root, 'submission'));
      for (const f of manifest.files)
        cpSync(join(REPO_ROOT, manifest.referenceDir, f), join(root, 'submission', f), { recursive: true });
      const cacheDir = join(source, '.cache', 'results', lab);
      const shipped = readdirSync(cacheDir).length;
      const run = spawnSync(join(source, 'run_autograder'), [], {
        env: { ...process.env, SERVELAB_AUTOGRADER_ROOT: root },
        encoding: 'utf8',
      });
      expect(run.status, run.stderr).toBe(0);
      const results = GradescopeResults.parse(JSON.parse(readFileSync(join(root, 'results', 'results.json'), 'utf8')));
      const max = manifest.items.reduce((s, i) => s + i.points, 0);
      expect(results.score).toBe(max);
      expect(readFileSync(join(root, 'results', 'results.json'), 'utf8')).not.toContain('424242');
      // Every trusted run was a cache hit: grading in the bundle wrote no new entry.
      expect(readdirSync(cacheDir)).toHaveLength(shipped);
    },
  );
});
