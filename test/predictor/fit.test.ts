import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MODELS } from '../../sim/catalog/models.js';
import { REPO_ROOT } from '../../sim/config/paths.js';
import { fittedEntries } from '../../sim/predictor/factory.js';
import { fitModel } from '../../sim/predictor/fit.js';
import { ProfileTableModel } from '../../sim/predictor/profile-table-model.js';
import { parseFittedTables, serializeTables } from '../../sim/predictor/tables.js';
import { HAS_PROFILES, prefill, PROFILES_DIR } from './batches.js';
import { needs, NO_VIDUR_DATA } from '../helpers-shared.js';
import { tempDir, writeProfiles, removeTempDirs } from './fixture.js';

afterAll(removeTempDirs);

const FITTED_DIR = join(REPO_ROOT, 'sim', 'predictor', 'fitted');

function runFitScript(profiles: string): { out: string; stdout: string } {
  const out = tempDir('fitted-');
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', join(REPO_ROOT, 'sim/predictor/fit-model.ts'), profiles, '--out', out],
    {
      cwd: REPO_ROOT,
      encoding: 'utf8',
    },
  );
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return { out, stdout: r.stdout };
}

const filesIn = (dir: string): Record<string, string> =>
  Object.fromEntries(
    readdirSync(dir)
      .sort()
      .map((f) => [f, readFileSync(join(dir, f), 'utf8')]),
  );

describe('fitModel', () => {
  it('is deterministic and its output round-trips through the schema', () => {
    const dir = writeProfiles(MODELS['llama-3-8b'], { kvSave: true });
    const a = serializeTables(fitModel(dir, MODELS['llama-3-8b'], 'a100', 1));
    const b = serializeTables(fitModel(dir, MODELS['llama-3-8b'], 'a100', 1));
    expect(a).toBe(b);
    const parsed = parseFittedTables(JSON.parse(a), 'test');
    expect(serializeTables(parsed)).toBe(a);
    expect(ProfileTableModel.fromTables(parsed).batchTime(prefill(100))).toBeGreaterThan(0);
  });

  it('rejects malformed tables with the file name and the fix', () => {
    expect(() =>
      parseFittedTables({ format: 'servelab/fitted-execution-model@1', model: 'x' }, 'sim/predictor/fitted/x.json'),
    ).toThrow(
      /^sim\/predictor\/fitted\/x\.json: not a fitted execution model \(hfId: .*\)\. Regenerate it with `npm run fit-model -- <profile dir>`/,
    );
  });
});

describe('npm run fit-model', () => {
  it('writes byte-identical files on every run, wherever the profiles are', () => {
    const first = runFitScript(writeProfiles(MODELS['llama-2-7b'], { tps: [1, 2] }));
    const second = runFitScript(writeProfiles(MODELS['llama-2-7b'], { tps: [1, 2] }));
    expect(Object.keys(filesIn(first.out))).toEqual([
      'index.ts',
      'llama-2-7b.a100.tp1.json',
      'llama-2-7b.a100.tp2.json',
    ]);
    expect(filesIn(second.out)).toEqual(filesIn(first.out));
    expect(first.stdout).toMatch(/wrote .*llama-2-7b\.a100\.tp2\.json/);
  });

  it('skips TPs without complete profiles and says why', () => {
    const dir = writeProfiles(MODELS['llama-2-7b'], { tps: [1, 2], attentionTps: [1] });
    const { out, stdout } = runFitScript(dir);
    expect(Object.keys(filesIn(out))).toEqual(['index.ts', 'llama-2-7b.a100.tp1.json']);
    expect(stdout).toMatch(
      /skip llama-2-7b on a100 at TP 2: .*attention\.csv: no rows for llama-2-7b .* at num_tensor_parallel_workers 2/,
    );
  });
});

describe('committed fitted tables', () => {
  it('are a few KB each and listed by the generated index', () => {
    const json = readdirSync(FITTED_DIR)
      .filter((f) => f.endsWith('.json'))
      .sort();
    expect(json).toEqual(['llama-2-7b.a100.tp1.json', 'llama-3-8b.a100.tp1.json']);
    for (const f of json) expect(statSync(join(FITTED_DIR, f)).size).toBeLessThan(10_000);
    expect(fittedEntries().map((e) => e.file)).toEqual(json);
  });

  it.skipIf(!HAS_PROFILES)(
    needs(HAS_PROFILES, 'are exactly what fit-model produces from ../shared today', NO_VIDUR_DATA),
    () => {
      const { out } = runFitScript(PROFILES_DIR);
      expect(filesIn(out)).toEqual(filesIn(FITTED_DIR));
    },
  );
});
