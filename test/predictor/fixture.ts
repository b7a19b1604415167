/**
 * Writes small synthetic Vidur-format profile directories whose times follow simple formulas, so
 * the batch formula and the loader's errors can be checked without ../shared.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ModelSpec } from '../../sim/catalog/models.js';
import { TOKEN_OPS } from '../../sim/predictor/profile/loader.js';

/** Per-layer ms of the synthetic profiles. Each token op takes (i+1)·1e-4·T, so their sum is 4.5e-3·T. */
export const opMs = (op: number, tokens: number): number => (op + 1) * 1e-4 * tokens;
export const tokenOpsMs = (tokens: number): number => TOKEN_OPS.reduce((s, _, i) => s + opMs(i, tokens), 0);
export const decodeMs = (batch: number, kv: number): number => 1e-5 * batch * kv + 0.01;
export const prefillMs = (kv: number, chunk: number): number => 1e-7 * chunk * chunk + 1e-6 * kv + 0.02;
export const kvSaveMs = (tokens: number): number => 1e-3 * tokens;
export const allReduceMs = (tokens: number): number => 0.01 + 2e-5 * tokens;

let scratch: string | undefined;

/** A fresh temporary directory under one per-file root; call `removeTempDirs` in afterAll. */
export function tempDir(prefix: string): string {
  scratch ??= mkdtempSync(join(tmpdir(), 'servelab-predictor-'));
  return mkdtempSync(join(scratch, prefix));
}

export function removeTempDirs(): void {
  if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true });
  scratch = undefined;
}

export const TOKENS = [1, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096];
export const BATCHES = [1, 2, 4, 8, 16, 32, 64, 128];
export const KVS = [0, 64, 128, 256, 512, 1024, 2048, 4096];
export const CHUNKS = [16, 32, 64, 128, 256, 512, 1024, 2048, 4096];

export interface FixtureOptions {
  readonly kvSave?: boolean;
  readonly tps?: readonly number[];
  /** TPs attention.csv has rows for (default: all of `tps`); Vidur's public attention profiles are TP 1 only. */
  readonly attentionTps?: readonly number[];
  /** Replace line `n` (1-based, header = 1) of a file with `text`. */
  readonly edit?: { readonly file: 'mlp' | 'attention' | 'network'; readonly line: number; readonly text: string };
  readonly omit?: 'mlp' | 'attention';
}

export function writeProfiles(model: ModelSpec, options: FixtureOptions = {}): string {
  const root = tempDir('profiles-');
  const tps = options.tps ?? [1];
  const dir = join(root, 'compute', 'a100', ...model.hfId.split('/'));
  mkdirSync(dir, { recursive: true });
  const dims = [model.numQHeads, model.numKvHeads, model.hiddenSize, model.intermediateSize];

  const mlp = [
    [
      ...TOKEN_OPS.map((op) => `time_stats.${op}.median`),
      'n_head',
      'n_kv_head',
      'n_embd',
      'n_expanded_embd',
      'num_tokens',
      'num_tensor_parallel_workers',
    ].join(','),
    ...tps.flatMap((tp) => TOKENS.map((t) => [...TOKEN_OPS.map((_, i) => opMs(i, t) / tp), ...dims, t, tp].join(','))),
  ];
  const attnHeader = [
    'batch_size',
    'prefill_chunk_size',
    'kv_cache_size',
    'is_prefill',
    'time_stats.attn_decode.median',
    'time_stats.attn_prefill.median',
    ...(options.kvSave ? ['time_stats.attn_kv_cache_save.median'] : []),
    'n_embd',
    'n_q_head',
    'n_kv_head',
    'block_size',
    'num_tensor_parallel_workers',
  ];
  const attnDims = [model.hiddenSize, model.numQHeads, model.numKvHeads, 16];
  const attention = [
    attnHeader.join(','),
    ...(options.attentionTps ?? tps).flatMap((tp) => [
      ...BATCHES.flatMap((b) =>
        KVS.filter((kv) => kv > 0).map((kv) =>
          [b, 0, kv, 'False', decodeMs(b, kv), '', ...(options.kvSave ? [kvSaveMs(b)] : []), ...attnDims, tp].join(','),
        ),
      ),
      ...CHUNKS.flatMap((c) =>
        KVS.map((kv) =>
          [1, c, kv, 'True', '', prefillMs(kv, c), ...(options.kvSave ? [kvSaveMs(c)] : []), ...attnDims, tp].join(','),
        ),
      ),
    ]),
  ];
  const files: Record<string, string[]> = { mlp, attention };
  for (const tp of tps.filter((t) => t > 1)) {
    const netDir = join(root, 'network', 'a100_pairwise_nvlink');
    mkdirSync(netDir, { recursive: true });
    files.network = [
      ',time_stats.all_reduce.median,rank,num_workers,size,collective,devices_per_node,max_devices_per_node',
      ...TOKENS.map((t, i) => [i, allReduceMs(t), 0, tp, t * model.hiddenSize * 2, 'all_reduce', tp, 4].join(',')),
    ];
  }
  if (options.edit) {
    const lines = files[options.edit.file]!;
    lines[options.edit.line - 1] = options.edit.text;
  }
  if (options.omit !== 'mlp') writeFileSync(join(dir, 'mlp.csv'), `${files.mlp!.join('\n')}\n`);
  if (options.omit !== 'attention') writeFileSync(join(dir, 'attention.csv'), `${files.attention!.join('\n')}\n`);
  if (files.network)
    writeFileSync(join(root, 'network', 'a100_pairwise_nvlink', 'all_reduce.csv'), `${files.network.join('\n')}\n`);
  return root;
}
