/**
 * `npm run sweep` (grader/cli/sweep.ts, grader/kit/seed-sweep.ts): the seed range it reads, its argument
 * errors, and a one-seed sweep that gives the reference full marks while a wrong scheduler is named on the
 * items its mistake breaks. The lab is cfs, the cheapest to grade; the multi-lab, many-seed run is
 * test/grader/kit/scenario-seeds.test.ts (SERVELAB_SWEEPS=1).
 */
import { afterAll, describe, expect, it, vi } from 'vitest';
import { main, parseSeeds } from '../../grader/cli/sweep.js';
import { referenceAsBuilt, shortfalls, sweepSeed, type SeedIndependent } from '../../grader/kit/seed-sweep.js';
import { loadInProcessParts, loadLab } from '../../grader/labs/catalogue.js';
import { REPO_ROOT } from '../../sim/config/paths.js';
import { MUTANTS } from '../fixtures/mutants/cfs.js';
import { loadMutants, removeMutantDirs } from '../fixtures/mutants/in-process.js';

describe('npm run sweep: arguments', () => {
  it('reads FROM-TO and a single seed, and refuses an empty or malformed range', () => {
    expect(parseSeeds('1-3')).toEqual([1, 2, 3]);
    expect(parseSeeds('7')).toEqual([7]);
    expect(() => parseSeeds('3-1')).toThrow(/the range is empty/);
    expect(() => parseSeeds('1..3')).toThrow(/FROM-TO or one seed/);
  });

  it('exits 2 with a message on a missing or unknown lab, a bad range and a bad --jobs', async () => {
    const errors: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((m: string) => void errors.push(m));
    vi.spyOn(console, 'log').mockImplementation(() => {});
    expect(await main([])).toBe(2);
    expect(await main(['nolab'])).toBe(2);
    expect(await main(['cfs', '--seeds', '5-1'])).toBe(2);
    expect(await main(['cfs', '--jobs', '0'])).toBe(2);
    expect(await main(['cfs', '--bogus'])).toBe(2);
    expect(errors.join('\n')).toMatch(
      /no lab named "nolab"[\s\S]*range is empty[\s\S]*at least 1[\s\S]*unknown flag --bogus/,
    );
    vi.restoreAllMocks();
  });
});

describe('a one-seed sweep of the cfs lab', () => {
  const wrong = MUTANTS.filter((m) => m.name === 'ignores-interval');
  afterAll(() => removeMutantDirs('cfs', wrong));

  it('gives the reference full marks on every item, and names the items a wrong scheduler loses', async () => {
    const lab = await loadLab('cfs');
    const { child, oracle } = await loadInProcessParts('cfs');
    const reference = await referenceAsBuilt(lab, oracle, REPO_ROOT);
    const seen: SeedIndependent = new Map();
    const swept = await sweepSeed(lab, { module: reference.module, child }, 3, REPO_ROOT, seen);
    expect(swept.items.map((i) => i.id)).toEqual(lab.manifest.items.map((i) => i.id));
    expect(shortfalls(swept)).toEqual([]);
    // A second seed runs only the items whose preparation depends on the seed: the mcq's public runs do not.
    const ran = seen.size;
    const next = await sweepSeed(lab, { module: reference.module, child }, 4, REPO_ROOT, seen);
    expect(shortfalls(next)).toEqual([]);
    expect(next.items.find((i) => i.id === 'mcq')).toBe(swept.items.find((i) => i.id === 'mcq'));
    expect(seen.size).toBeGreaterThan(ran);
    expect(seen.size).toBeLessThan(2 * ran);
    const mutant = (await loadMutants('cfs', wrong, oracle)).get('ignores-interval')!;
    const lost = shortfalls(await sweepSeed(lab, { module: mutant, child }, 3, REPO_ROOT));
    expect(lost.map((l) => l.split(':')[0])).toEqual(expect.arrayContaining(['schedule-interval', 'interval-sweep']));
  });
});
