/**
 * Loads the rows of a Vidur-format profile directory that apply to one (model, device, TP) and
 * averages repeated keys. Row selection mirrors Vidur's SklearnExecutionTimePredictor: mlp.csv by
 * the model's dimensions and TP; attention.csv by dimensions, block size and TP; all_reduce.csv by
 * `num_workers == devices_per_node == TP`. Smoothing happens later (see fit.ts).
 *
 * Layout: compute/<device>/<hf id>/{mlp,attention}.csv, network/<node>/all_reduce.csv; times in ms.
 */
import { join } from 'node:path';
import type { ModelSpec } from '../../catalog/models.js';
import type { GridPoint } from '../interpolation.js';
import { intCell, msCell, optionalMsCell, positiveNumberCell, readCsv, textCell } from './csv.js';
import { ProfileError } from './errors.js';

/** Operators looked up at the batch's token count (Vidur's mlp.csv; `emb` is profiled but unused). */
export const TOKEN_OPS = [
  'input_layernorm',
  'attn_pre_proj',
  'attn_rope',
  'attn_post_proj',
  'post_attention_layernorm',
  'mlp_up_proj',
  'mlp_act',
  'mlp_down_proj',
  'add',
] as const;
export type TokenOp = (typeof TOKEN_OPS)[number];

/** Vidur fills these with 0 when the column is missing or NaN (models without them, older profiles). */
const OPTIONAL_OPS: ReadonlySet<TokenOp> = new Set(['input_layernorm', 'post_attention_layernorm', 'add']);

/** Mean time per distinct key, sorted by key; `w` counts the rows averaged into each point. */
export interface Points {
  readonly x: number[];
  readonly y: number[];
  readonly w: number[];
}

export interface ProfileSelection {
  readonly model: ModelSpec;
  /** Device folder under compute/ (Vidur's device SKU name, e.g. "a100"). */
  readonly device: string;
  readonly tensorParallel: number;
  /** Node folder under network/; only read when TP > 1. Defaults to "<device>_pairwise_nvlink", Vidur's default node. */
  readonly network?: string;
  /** KV-cache block size the attention rows were profiled with; Vidur keeps rows equal to the scheduler's (16). */
  readonly blockSize?: number;
}

export interface ProfileSource {
  /** Path relative to the profile directory. */
  readonly file: string;
  readonly sha256: string;
}

export interface ProfileData {
  readonly model: ModelSpec;
  readonly device: string;
  readonly tensorParallel: number;
  readonly network: string | undefined;
  readonly sources: readonly ProfileSource[];
  /** Per-operator times (ms per layer) against num_tokens. */
  readonly ops: Readonly<Record<TokenOp, Points>>;
  /** KV-cache write time against Vidur's key max(prefill chunk, batch size); undefined when not profiled (Vidur uses 0). */
  readonly kvCacheSave: Points | undefined;
  /** Decode attention: r = number of decode requests, x = KV length. */
  readonly decode: GridPoint[];
  /** Prefill attention of one request: r = chunk length, x = KV length before the chunk. */
  readonly prefill: GridPoint[];
  /** One all-reduce of the activations against tokens (bytes / (hidden · 2)); undefined when TP = 1. */
  readonly allReduce: Points | undefined;
}

export const defaultNetwork = (device: string): string => `${device}_pairwise_nvlink`;

const positive = intCell(1);
const nonNegative = intCell(0);

const mlpShape = {
  num_tokens: positive,
  num_tensor_parallel_workers: positive,
  n_head: positive,
  n_kv_head: positive,
  n_embd: positive,
  n_expanded_embd: positive,
  ...Object.fromEntries(
    TOKEN_OPS.map((op) => [`time_stats.${op}.median`, OPTIONAL_OPS.has(op) ? optionalMsCell : msCell]),
  ),
};

const attentionShape = {
  batch_size: positive,
  prefill_chunk_size: nonNegative,
  kv_cache_size: nonNegative,
  n_embd: positive,
  n_q_head: positive,
  n_kv_head: positive,
  block_size: positive,
  num_tensor_parallel_workers: positive,
  'time_stats.attn_decode.median': optionalMsCell,
  'time_stats.attn_prefill.median': optionalMsCell,
  'time_stats.attn_kv_cache_save.median': optionalMsCell,
};

const networkShape = {
  size: positiveNumberCell,
  num_workers: positive,
  devices_per_node: positive,
  collective: textCell,
  'time_stats.all_reduce.median': msCell,
};

/** Groups values by key and averages them (Vidur's training frame has repeated keys; a forest averages them too). */
class Averager {
  readonly #sum = new Map<number, number>();
  readonly #count = new Map<number, number>();

  add(key: number, value: number): void {
    this.#sum.set(key, (this.#sum.get(key) ?? 0) + value);
    this.#count.set(key, (this.#count.get(key) ?? 0) + 1);
  }

  get size(): number {
    return this.#sum.size;
  }

  points(): Points {
    const x = [...this.#sum.keys()].sort((a, b) => a - b);
    return { x, y: x.map((k) => this.#sum.get(k)! / this.#count.get(k)!), w: x.map((k) => this.#count.get(k)!) };
  }
}

function gridAverage(): { add(r: number, x: number, v: number): void; points(): GridPoint[] } {
  const byRow = new Map<number, Averager>();
  return {
    add(r, x, v) {
      let a = byRow.get(r);
      if (!a) byRow.set(r, (a = new Averager()));
      a.add(x, v);
    },
    points() {
      return [...byRow.keys()]
        .sort((a, b) => a - b)
        .flatMap((r) => {
          const p = byRow.get(r)!.points();
          return p.x.map((x, i) => ({ r, x, y: p.y[i]!, w: p.w[i]! }));
        });
    },
  };
}

function describeDistinct<T>(rows: readonly { row: T }[], key: (row: T) => string): string {
  return [...new Set(rows.map((r) => key(r.row)))].sort().join('; ') || 'none';
}

function noMatchingRows(sel: ProfileSelection, file: string, message: string): ProfileError {
  return new ProfileError({
    code: 'no-matching-rows',
    file,
    message,
    fix: `Profile ${sel.model.hfId} at TP ${sel.tensorParallel} on ${sel.device} with Vidur's profiler, or use the roofline model (kind 'roofline' or 'auto')`,
  });
}

/** The token-count operators of mlp.csv for `sel` (rows selected by the model's dimensions and TP). */
export function loadTokenOps(
  dir: string,
  sel: ProfileSelection,
): { ops: Record<TokenOp, Points>; source: ProfileSource } {
  const { model, device, tensorParallel: tp } = sel;
  const mlpFile = `compute/${device}/${model.hfId}/mlp.csv`;
  const mlp = readCsv(join(dir, mlpFile), mlpFile, mlpShape);
  const mlpRows = mlp.rows.filter(
    ({ row }) =>
      row.n_head === model.numQHeads &&
      row.n_kv_head === model.numKvHeads &&
      row.n_embd === model.hiddenSize &&
      row.n_expanded_embd === model.intermediateSize &&
      row.num_tensor_parallel_workers === tp,
  );
  if (mlpRows.length === 0) {
    throw noMatchingRows(
      sel,
      mlpFile,
      `no rows for ${model.name} (n_head ${model.numQHeads}, n_kv_head ${model.numKvHeads}, n_embd ${model.hiddenSize}, n_expanded_embd ${model.intermediateSize}) at num_tensor_parallel_workers ${tp}; ` +
        `the file has (n_head, n_kv_head, n_embd, n_expanded_embd, TP): ${describeDistinct(mlp.rows, (r) => `${r.n_head}, ${r.n_kv_head}, ${r.n_embd}, ${r.n_expanded_embd}, ${r.num_tensor_parallel_workers}`)}`,
    );
  }
  const opAverages = Object.fromEntries(TOKEN_OPS.map((op) => [op, new Averager()])) as Record<TokenOp, Averager>;
  for (const { row } of mlpRows) {
    for (const op of TOKEN_OPS) {
      const cell: unknown = Reflect.get(row, `time_stats.${op}.median`);
      opAverages[op].add(row.num_tokens, typeof cell === 'number' ? cell : 0);
    }
  }
  const ops = Object.fromEntries(TOKEN_OPS.map((op) => [op, opAverages[op].points()])) as Record<TokenOp, Points>;
  return { ops, source: { file: mlpFile, sha256: mlp.sha256 } };
}

/** Reads and averages the profile rows for `sel` from the Vidur-format directory `dir`. */
export function loadProfileData(dir: string, sel: ProfileSelection): ProfileData {
  const { model, device, tensorParallel: tp } = sel;
  const blockSize = sel.blockSize ?? 16;
  const computeDir = `compute/${device}/${model.hfId}`;
  const sources: ProfileSource[] = [];
  const noRows = (file: string, message: string): ProfileError => noMatchingRows(sel, file, message);

  const tokenOps = loadTokenOps(dir, sel);
  sources.push(tokenOps.source);
  const ops = tokenOps.ops;

  // attention.csv: decode and prefill attention, KV-cache save.
  const attnFile = `${computeDir}/attention.csv`;
  const attn = readCsv(join(dir, attnFile), attnFile, attentionShape);
  sources.push({ file: attnFile, sha256: attn.sha256 });
  const attnRows = attn.rows.filter(
    ({ row }) =>
      row.n_embd === model.hiddenSize &&
      row.n_q_head === model.numQHeads &&
      row.n_kv_head === model.numKvHeads &&
      row.block_size === blockSize &&
      row.num_tensor_parallel_workers === tp,
  );
  if (attnRows.length === 0) {
    throw noRows(
      attnFile,
      `no rows for ${model.name} (n_embd ${model.hiddenSize}, n_q_head ${model.numQHeads}, n_kv_head ${model.numKvHeads}) with block_size ${blockSize} at num_tensor_parallel_workers ${tp}; ` +
        `the file has (n_embd, n_q_head, n_kv_head, block_size, TP): ${describeDistinct(attn.rows, (r) => `${r.n_embd}, ${r.n_q_head}, ${r.n_kv_head}, ${r.block_size}, ${r.num_tensor_parallel_workers}`)}`,
    );
  }
  const hasKvSave = attn.columns.has('time_stats.attn_kv_cache_save.median');
  const decode = gridAverage();
  const prefill = gridAverage();
  const kvSave = new Averager();
  for (const { line, row } of attnRows) {
    // Vidur classifies by chunk size, not by the is_prefill column.
    const isDecode = row.prefill_chunk_size === 0;
    const column = isDecode ? 'time_stats.attn_decode.median' : 'time_stats.attn_prefill.median';
    const value = row[column];
    if (value === undefined) {
      throw new ProfileError({
        code: 'bad-value',
        file: attnFile,
        line,
        column,
        message: `${isDecode ? 'decode' : 'prefill'} row (prefill_chunk_size ${row.prefill_chunk_size}) has no time`,
        fix: 'Fill the cell or delete the row',
      });
    }
    if (isDecode) decode.add(row.batch_size, row.kv_cache_size, value);
    else prefill.add(row.prefill_chunk_size, row.kv_cache_size, value);
    if (hasKvSave)
      kvSave.add(Math.max(row.prefill_chunk_size, row.batch_size), row['time_stats.attn_kv_cache_save.median'] ?? 0);
  }
  const decodePoints = decode.points();
  const prefillPoints = prefill.points();
  if (decodePoints.length === 0)
    throw noRows(attnFile, `no decode rows (prefill_chunk_size 0) for ${model.name} at TP ${tp}`);
  if (prefillPoints.length === 0)
    throw noRows(attnFile, `no prefill rows (prefill_chunk_size > 0) for ${model.name} at TP ${tp}`);

  // all_reduce.csv: tensor-parallel communication.
  let allReduce: Points | undefined;
  let network: string | undefined;
  if (tp > 1) {
    network = sel.network ?? defaultNetwork(device);
    const net = loadAllReduce(dir, network, tp, model.hiddenSize);
    sources.push(net.source);
    allReduce = net.points;
  }

  return {
    model,
    device,
    tensorParallel: tp,
    network,
    sources,
    ops,
    kvCacheSave: hasKvSave ? kvSave.points() : undefined,
    decode: decodePoints,
    prefill: prefillPoints,
    allReduce,
  };
}

/**
 * All-reduce times of one node type at `tp` GPUs against tokens of width `hidden`
 * (Vidur: `num_workers == devices_per_node == TP`, tokens = bytes / (hidden · 2)).
 */
export function loadAllReduce(
  dir: string,
  network: string,
  tp: number,
  hidden: number,
): { points: Points; source: ProfileSource } {
  const netFile = `network/${network}/all_reduce.csv`;
  const net = readCsv(join(dir, netFile), netFile, networkShape);
  const reduce = new Averager();
  for (const { row } of net.rows) {
    if (row.collective !== 'all_reduce' || row.num_workers !== tp || row.devices_per_node !== tp) continue;
    // Vidur converts fp16 activation bytes to tokens with a fixed 2 bytes per element.
    reduce.add(row.size / (hidden * 2), row['time_stats.all_reduce.median']);
  }
  if (reduce.size === 0) {
    throw new ProfileError({
      code: 'no-matching-rows',
      file: netFile,
      message: `no all_reduce rows with num_workers = devices_per_node = ${tp}; the file has (num_workers, devices_per_node): ${describeDistinct(net.rows, (r) => `${r.num_workers}, ${r.devices_per_node}`)}`,
      fix: "Pick another node folder (--network), or profile the collective with Vidur's profiler",
    });
  }
  return { points: reduce.points(), source: { file: netFile, sha256: net.sha256 } };
}
