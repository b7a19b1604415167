import { afterAll, describe, expect, it, vi } from 'vitest';
import { DEVICES } from '../../sim/catalog/devices.js';
import { MODELS } from '../../sim/catalog/models.js';
import { createExecutionModel, findFittedTables } from '../../sim/predictor/factory.js';
import { ProfileTableModel } from '../../sim/predictor/profile-table-model.js';
import { RooflineModel } from '../../sim/predictor/roofline.js';
import { ProfileError } from '../../sim/predictor/profile/errors.js';
import { prefill } from './batches.js';
import { writeProfiles, removeTempDirs } from './fixture.js';

afterAll(removeTempDirs);

const base = { model: MODELS['llama-2-7b'], device: DEVICES.a100, tensorParallel: 1 } as const;

describe('createExecutionModel', () => {
  it("'fitted' uses the committed tables", () => {
    const m = createExecutionModel({ ...base, kind: 'fitted' });
    expect(m).toBeInstanceOf(ProfileTableModel);
    expect(m.name).toBe('fitted:llama-2-7b:a100:tp1');
    expect(findFittedTables(MODELS['llama-3-8b'], DEVICES.a100, 1)?.hfId).toBe('meta-llama/Meta-Llama-3-8B');
  });

  it("'fitted' without committed tables says what is missing and what to do", () => {
    expect(() =>
      createExecutionModel({ kind: 'fitted', model: MODELS['llama-3-70b'], device: DEVICES.a100, tensorParallel: 4 }),
    ).toThrow(
      "no fitted tables for llama-3-70b on a100 at TP 4 (committed: llama-2-7b/a100/tp1, llama-3-8b/a100/tp1). Use kind 'roofline' or 'auto', or profile meta-llama/Meta-Llama-3-70B with Vidur's profiler and run `npm run fit-model -- <profile dir>`",
    );
  });

  it("'auto' falls back to the roofline and says so", () => {
    const onFallback = vi.fn();
    const m = createExecutionModel({
      kind: 'auto',
      model: MODELS['codellama-34b'],
      device: DEVICES['a100-40gb'],
      tensorParallel: 2,
      onFallback,
    });
    expect(m).toBeInstanceOf(RooflineModel);
    expect(m.name).toBe('roofline:codellama-34b:a100-40gb:tp2');
    expect(onFallback).toHaveBeenCalledOnce();
    expect(onFallback.mock.calls[0]![0]).toMatch(
      /^no fitted tables for codellama-34b on a100-40gb at TP 2 .* Using roofline:codellama-34b:a100-40gb:tp2; see docs\/execution-model\.md/,
    );
  });

  it("'auto' uses fitted tables when they exist, silently", () => {
    const onFallback = vi.fn();
    expect(createExecutionModel({ ...base, kind: 'auto', onFallback }).name).toBe('fitted:llama-2-7b:a100:tp1');
    expect(onFallback).not.toHaveBeenCalled();
  });

  it("'profiles' reads a Vidur-format directory", () => {
    const m = createExecutionModel({ ...base, kind: 'profiles', profilesDir: writeProfiles(MODELS['llama-2-7b']) });
    expect(m.name).toBe('profiles:llama-2-7b:a100:tp1');
    expect(m.batchTime(prefill(100))).toBeGreaterThan(0);
  });

  it("'profiles' needs a directory and names missing files", () => {
    expect(() => createExecutionModel({ ...base, kind: 'profiles' })).toThrow(
      /kind 'profiles' needs profilesDir \(--profiles DIR\)/,
    );
    const dir = writeProfiles(MODELS['llama-2-7b']);
    expect(() => createExecutionModel({ ...base, device: DEVICES.h100, kind: 'profiles', profilesDir: dir })).toThrow(
      ProfileError,
    );
    expect(() => createExecutionModel({ ...base, device: DEVICES.h100, kind: 'profiles', profilesDir: dir })).toThrow(
      /^compute\/h100\/meta-llama\/Llama-2-7b-hf\/mlp\.csv: cannot read the file \(ENOENT\)/,
    );
  });

  it("'roofline' works for any pair and TP must be a positive integer", () => {
    expect(
      createExecutionModel({ kind: 'roofline', model: MODELS['llama-3-70b'], device: DEVICES.h100, tensorParallel: 4 })
        .name,
    ).toBe('roofline:llama-3-70b:h100:tp4');
    expect(() => createExecutionModel({ ...base, kind: 'roofline', tensorParallel: 0 })).toThrow(
      /tensorParallel must be a positive integer, got 0/,
    );
  });
});
