/**
 * Turns loaded profile rows into per-layer time tables: smooth, then (for committed files) simplify
 * and round. Smoothing is isotonic regression (PAVA), because more work never takes less time on the
 * same kernel and the medians are noisy.
 *
 * The token-count operators are smoothed as their sum, the only quantity the batch formula uses
 * (all nine are looked up at the same key). Smoothing each operator alone would also pool real
 * GEMM tile effects into their neighbours: on Llama-2-7B attn_post_proj takes 0.2205 ms at 1000
 * tokens and 0.176 ms at 1024, which per-operator PAVA turns into +1.3 % on a 1024-token prefill,
 * while the summed curve dips far less (+0.7 %) and tracks Vidur's ground-truth prefill times at
 * least as well (median error 0.51 % vs 0.63 % per-operator, 0.66 % raw).
 */
import type { DeviceSpec } from '../catalog/devices.js';
import type { ModelSpec } from '../catalog/models.js';
import {
  pava,
  pavaGrid,
  PiecewiseLinear,
  roundSignificant,
  simplifyCurve,
  simplifyRows,
  type Allowance,
  type GridPoint,
  type Row,
} from './interpolation.js';
import { loadProfileData, TOKEN_OPS, type Points, type ProfileData } from './profile/loader.js';
import { FITTED_FORMAT, type Curve, type FittedTables } from './tables.js';

/** Vidur's attention_decode/prefill_batching_overhead_fraction, applied to GQA models only. */
export const GQA_BATCHING_OVERHEAD = 0.1;
/** Vidur's nccl_cpu_launch_overhead_ms. */
export const ALL_REDUCE_LAUNCH_MS = 0.02;

export interface BuildOptions {
  /**
   * Drop knots that interpolation reproduces within this fraction of the larger of the point's own
   * time and the token-operator time of the smallest batch the point can occur in; false keeps
   * every profiled point. Measuring against the batch, not the part alone, spends no knots on a few
   * microseconds of attention next to a layer's ~0.2 ms of GEMMs.
   */
  readonly simplify: { readonly rel: number } | false;
  /** Significant digits of stored times; false keeps full precision. */
  readonly digits: number | false;
}

/**
 * Committed tables: see `simplify`; the tests bound the resulting batch-time error against the full
 * tables. 4 digits is far below the profiles' own run-to-run noise.
 */
export const COMMITTED_BUILD: BuildOptions = { simplify: { rel: 0.015 }, digits: 4 };
export const FULL_BUILD: BuildOptions = { simplify: false, digits: false };

export function buildTables(data: ProfileData, options: BuildOptions = FULL_BUILD): FittedTables {
  const { model } = data;
  const first = data.ops[TOKEN_OPS[0]];
  for (const op of TOKEN_OPS) {
    const p = data.ops[op];
    if (p.x.length !== first.x.length || p.x.some((x, i) => x !== first.x[i])) {
      throw new Error(
        `profile operators ${TOKEN_OPS[0]} and ${op} were profiled at different num_tokens; expected one row per num_tokens with all operators`,
      );
    }
  }
  const tokenSum = pava(
    first.x.map((_, i) => TOKEN_OPS.reduce((s, op) => s + data.ops[op].y[i]!, 0)),
    first.w,
  );
  const base = new PiecewiseLinear(first.x, tokenSum);
  const rel = options.simplify ? options.simplify.rel : 0;
  const allowance =
    (tokens: (r: number, x: number) => number): Allowance =>
    (r, x, y) =>
      rel * Math.max(y, base.at(tokens(r, x)));
  const byX = allowance((_, x) => x);

  const finish = (x: readonly number[], y: readonly number[], allow: Allowance): Curve => {
    const s = options.simplify ? simplifyCurve(x, y, allow) : { x: [...x], y: [...y] };
    return { x: roundKnots(s.x, options.digits), y: roundTimes(s.y, options.digits) };
  };
  const curve = (p: Points): Curve => finish(p.x, pava(p.y, p.w), byX);

  const rows = (
    points: GridPoint[],
    rowKey: (r: number) => number,
    backKey: (r: number) => number,
    allow: Allowance,
  ): FittedTables['decodeAttention'] => {
    pavaGrid(points);
    const byRow = new Map<number, { x: number[]; y: number[] }>();
    for (const p of points) {
      const key = rowKey(p.r);
      let row = byRow.get(key);
      if (!row) byRow.set(key, (row = { x: [], y: [] }));
      row.x.push(p.x);
      row.y.push(p.y);
    }
    const sorted: Row[] = [...byRow.keys()].sort((a, b) => a - b).map((r) => ({ r, ...byRow.get(r)! }));
    const kept = options.simplify ? simplifyRows(sorted, allow) : sorted;
    return kept.map((row) => ({
      r: backKey(row.r),
      x: roundKnots(row.x, options.digits),
      y: roundTimes(row.y, options.digits),
    }));
  };

  const tolerance = options.simplify
    ? `knots dropped where interpolation stays within ${options.simplify.rel * 100} % of max(part, token operators of its batch)`
    : 'every profiled point kept';
  const digits = options.digits ? `, ${options.digits} significant digits` : '';
  const identity = (r: number): number => r;

  return {
    format: FITTED_FORMAT,
    model: model.name,
    hfId: model.hfId,
    device: data.device,
    tensorParallel: data.tensorParallel,
    numLayers: model.numLayers,
    attentionBatchingOverhead: model.numQHeads > model.numKvHeads ? GQA_BATCHING_OVERHEAD : 0,
    allReduceLaunchMs: data.tensorParallel > 1 ? ALL_REDUCE_LAUNCH_MS : 0,
    source: {
      files: data.sources.map((s) => ({ file: s.file, sha256: s.sha256 })),
      network: data.network ?? null,
      method: `medians averaged per key; isotonic (PAVA) on the summed token operators, KV save, all-reduce and both axes of the attention grids; ${tolerance}${digits}`,
    },
    tokenOps: finish(first.x, tokenSum, byX),
    kvCacheSave: data.kvCacheSave ? curve(data.kvCacheSave) : null,
    allReduce: data.allReduce ? curve(data.allReduce) : null,
    decodeAttention: rows(
      data.decode.map((p) => ({ ...p })),
      identity,
      identity,
      allowance((r) => r),
    ),
    // Rows are interpolated in chunk², Vidur's feature (attention work grows with its square); stored as chunk for readability.
    prefillAttention: rows(
      data.prefill.map((p) => ({ ...p })),
      (c) => c * c,
      Math.sqrt,
      allowance((r) => Math.sqrt(r)),
    ),
  };
}

function roundTimes(y: readonly number[], digits: number | false): number[] {
  return digits ? y.map((v) => roundSignificant(v, digits)) : [...y];
}

/** Knots are integers except all-reduce token counts (bytes / (hidden·2)); keep enough digits to stay distinct. */
function roundKnots(x: readonly number[], digits: number | false): number[] {
  if (!digits) return [...x];
  for (let d = Math.max(digits, 6); d <= 17; d++) {
    const r = x.map((v) => roundSignificant(v, d));
    if (r.every((v, i) => i === 0 || v > r[i - 1]!)) return r;
  }
  return [...x];
}

export interface FitOptions {
  /** Node folder under network/ for TP > 1 (default "<device>_pairwise_nvlink"). */
  readonly network?: string;
  readonly build?: BuildOptions;
}

/** Loads the profiles for (model, device, TP) from a Vidur-format directory and fits committed-size tables. */
export function fitModel(
  profileDir: string,
  model: ModelSpec,
  device: DeviceSpec | string,
  tensorParallel: number,
  options: FitOptions = {},
): FittedTables {
  const data = loadProfileData(profileDir, {
    model,
    device: typeof device === 'string' ? device : device.name,
    tensorParallel,
    ...(options.network !== undefined ? { network: options.network } : {}),
  });
  return buildTables(data, options.build ?? COMMITTED_BUILD);
}
