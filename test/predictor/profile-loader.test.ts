import { afterAll, describe, expect, it } from 'vitest';
import { MODELS } from '../../sim/catalog/models.js';
import { ProfileTableModel } from '../../sim/predictor/profile-table-model.js';
import { loadProfileData, ProfileError } from '../../sim/predictor/profile/index.js';
import { batch } from './batches.js';
import {
  allReduceMs,
  decodeMs,
  kvSaveMs,
  prefillMs,
  tokenOpsMs,
  writeProfiles,
  type FixtureOptions,
  removeTempDirs,
} from './fixture.js';

afterAll(removeTempDirs);

const llama2 = MODELS['llama-2-7b'];
const llama3 = MODELS['llama-3-8b'];

function loadError(options: FixtureOptions, tensorParallel = 1): ProfileError {
  const dir = writeProfiles(llama2, options);
  try {
    loadProfileData(dir, { model: llama2, device: 'a100', tensorParallel });
  } catch (err) {
    expect(err).toBeInstanceOf(ProfileError);
    return err as ProfileError;
  }
  throw new Error('expected loadProfileData to throw');
}

describe('Vidur batch formula on synthetic profiles', () => {
  // 3 decodes (KV 100, 200, 301) and 2 prefill chunks (100 tokens at KV 0, 200 at KV 70).
  const mixed = batch([
    [100, true, 1],
    [200, true, 1],
    [301, true, 1],
    [0, false, 100],
    [70, false, 200],
  ]);
  // Keys: ceil8(303) = 304; decode (3, ceil64(trunc(601/3) = 200) = 256); prefill (ceil64(0) + ceil64(70) = 128, round(√(100² + 200²)) = 224).
  const perLayer = (overhead: number, kvSave: boolean): number =>
    tokenOpsMs(304) +
    decodeMs(3, 256) * (1 + overhead) +
    prefillMs(128, 224) * (1 + overhead) +
    (kvSave ? kvSaveMs(303) : 0);

  it('reproduces the keys, rounding and layer count for an MHA model', () => {
    const m = ProfileTableModel.fromProfiles(writeProfiles(llama2), {
      model: llama2,
      device: 'a100',
      tensorParallel: 1,
    });
    expect(m.batchTime(mixed)).toBeCloseTo((perLayer(0, false) * 32) / 1000, 12);
  });

  it('adds the 10 % batching overhead and KV save for a GQA model', () => {
    const m = ProfileTableModel.fromProfiles(writeProfiles(llama3, { kvSave: true }), {
      model: llama3,
      device: 'a100',
      tensorParallel: 1,
    });
    expect(m.batchTime(mixed)).toBeCloseTo((perLayer(0.1, true) * 32) / 1000, 12);
    // One request of each kind: no overhead.
    const single = batch([
      [500, true, 1],
      [0, false, 64],
    ]);
    const expected = tokenOpsMs(72) + decodeMs(1, 512) + prefillMs(0, 64) + kvSaveMs(65);
    expect(m.batchTime(single)).toBeCloseTo((expected * 32) / 1000, 12);
  });

  it('counts two all-reduces plus launch overhead per layer at TP > 1', () => {
    const m = ProfileTableModel.fromProfiles(writeProfiles(llama2, { tps: [1, 2] }), {
      model: llama2,
      device: 'a100',
      tensorParallel: 2,
    });
    const b = batch([[0, false, 512]]);
    const expected = tokenOpsMs(512) / 2 + prefillMs(0, 512) + 2 * (allReduceMs(512) + 0.02);
    expect(m.batchTime(b)).toBeCloseTo((expected * 32) / 1000, 12);
    expect(m.tables.source.network).toBe('a100_pairwise_nvlink');
  });

  it('reports the profiled range', () => {
    const m = ProfileTableModel.fromProfiles(writeProfiles(llama2), {
      model: llama2,
      device: 'a100',
      tensorParallel: 1,
    });
    expect(m.limits).toEqual({
      maxTokens: 4096,
      maxDecodeBatch: 128,
      maxDecodeKv: 4096,
      maxPrefillChunk: 4096,
      maxPrefillKv: 4096,
    });
  });
});

describe('profile loading errors', () => {
  it('names file, line and column for a bad cell', () => {
    const err = loadError({ edit: { file: 'mlp', line: 3, text: '0,0,0,0,0,0,0,0,0,32,32,4096,11008,abc,1' } });
    expect(err.issue).toMatchObject({ code: 'bad-value', line: 3, column: 'num_tokens' });
    expect(err.message).toBe(
      'compute/a100/meta-llama/Llama-2-7b-hf/mlp.csv:3 column "num_tokens": expected a number, got "abc"',
    );
  });

  it('names a missing required column and lists the header', () => {
    const err = loadError({ edit: { file: 'attention', line: 1, text: 'batch_size,prefill_chunk_size,kv_size' } });
    expect(err.issue).toMatchObject({ code: 'missing-column', line: 1, column: 'kv_cache_size' });
    expect(err.message).toMatch(
      /attention\.csv:1 column "kv_cache_size": required column is missing \(the header has: batch_size, prefill_chunk_size, kv_size\)/,
    );
  });

  it('says which file is missing and what layout is expected', () => {
    const err = loadError({ omit: 'attention' });
    expect(err.issue.code).toBe('missing-file');
    expect(err.message).toMatch(/attention\.csv: cannot read the file \(ENOENT\).*compute\/<device>\/<hf model id>/);
  });

  it('names the model and TP when no rows match, and what the file has', () => {
    const err = loadError({}, 4);
    expect(err.issue.code).toBe('no-matching-rows');
    expect(err.message).toMatch(
      /mlp\.csv: no rows for llama-2-7b .* at num_tensor_parallel_workers 4; the file has .*: 32, 32, 4096, 11008, 1\. Profile meta-llama\/Llama-2-7b-hf at TP 4/,
    );
  });

  it('rejects a decode row without a decode time', () => {
    const err = loadError({ edit: { file: 'attention', line: 2, text: '1,0,64,False,,,4096,32,32,16,1' } });
    expect(err.message).toMatch(/attention\.csv:2 column "time_stats\.attn_decode\.median": decode row .* has no time/);
  });

  it('rejects negative times and non-integer keys', () => {
    expect(
      loadError({ edit: { file: 'attention', line: 2, text: '1,0,64,False,-1,,4096,32,32,16,1' } }).message,
    ).toMatch(/attention\.csv:2 column "time_stats\.attn_decode\.median": expected a time ≥ 0 ms, got "-1"/);
    expect(
      loadError({ edit: { file: 'attention', line: 2, text: '1.5,0,64,False,1,,4096,32,32,16,1' } }).message,
    ).toMatch(/attention\.csv:2 column "batch_size": expected an integer, got "1\.5"/);
  });

  it('reports malformed CSV with its line', () => {
    const err = loadError({ edit: { file: 'mlp', line: 4, text: '1,2,3' } });
    expect(err.issue.code).toBe('bad-csv');
    expect(err.message).toMatch(/mlp\.csv:4: the line has 3 fields but the header has 15/);
  });
});

describe('row handling', () => {
  it('drops exact duplicate lines and averages differing rows with the same key', () => {
    const dir = writeProfiles(llama2, {
      // Line 3 (num_tokens 8) duplicated exactly on line 2, then a differing row for num_tokens 8 on line 4.
      edit: { file: 'mlp', line: 2, text: [0.1, 0, 0, 0, 0, 0, 0, 0, 0, 32, 32, 4096, 11008, 8, 1].join(',') },
    });
    const data = loadProfileData(dir, { model: llama2, device: 'a100', tensorParallel: 1 });
    // Token count 8 now has the fixture row (op 0 = 8e-4) and the edited one (0.1): mean 0.0504.
    const p = data.ops.input_layernorm;
    expect(p.y[p.x.indexOf(8)]).toBeCloseTo((0.1 + 8e-4) / 2, 12);
    expect(p.w[p.x.indexOf(8)]).toBe(2);
    expect(p.x[0]).toBe(8);
  });
});
