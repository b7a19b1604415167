/**
 * Vidur's batch-time formula over per-layer profile tables (monotone piecewise-linear instead of
 * Vidur's random forest; see docs/execution-model.md):
 *
 *   layer = tokenOps(ceil8 T) + kvSave(T) + decodeAttn(B_d, ceil64 mean kv)·(1 + o·[B_d > 1])
 *         + prefillAttn(round(√Σc²)², Σ ceil64 kv)·(1 + o·[B_p > 1]) + [TP > 1]·2·(allReduce(ceil8 T) + launch)
 *   batch = layer × layers, ms → s
 *
 * with o = 0.1 for grouped-query-attention models and 0 otherwise, as in Vidur. Lookups clamp at the
 * profiled edges (Vidur's forest extrapolates as a constant there); `limits` lets callers check a
 * configuration against the profiled range once instead of on every batch.
 */
import { loadProfileData, type ProfileSelection } from './profile/loader.js';
import { BatchKeys, ceilKv } from './batch-keys.js';
import type { BatchShape, ExecutionTimeModel } from './execution-time-model.js';
import { buildTables, FULL_BUILD } from './fit.js';
import { PiecewiseLinear, RowTable } from './interpolation.js';
import type { FittedTables } from './tables.js';

/** The largest profiled keys; beyond them times stay flat. */
export interface ProfileLimits {
  readonly maxTokens: number;
  readonly maxDecodeBatch: number;
  readonly maxDecodeKv: number;
  readonly maxPrefillChunk: number;
  readonly maxPrefillKv: number;
}

/** Per-layer parts of one batch, ms (for documentation, calibration and tests; allocates). */
export interface LayerBreakdown {
  readonly tokenOps: number;
  readonly kvCacheSave: number;
  readonly decodeAttention: number;
  readonly prefillAttention: number;
  readonly allReduce: number;
  readonly layerMs: number;
  readonly batchMs: number;
}

export class ProfileTableModel implements ExecutionTimeModel {
  readonly name: string;
  readonly tables: FittedTables;
  readonly limits: ProfileLimits;
  readonly #tokenOps: PiecewiseLinear;
  /** tokenOps plus both all-reduces, merged into one table so the hot path does one lookup. */
  readonly #tokenCurve: PiecewiseLinear;
  readonly #allReduce: PiecewiseLinear | undefined;
  readonly #kvSave: PiecewiseLinear | undefined;
  readonly #decode: RowTable;
  /** Row keys are chunk². */
  readonly #prefill: RowTable;
  readonly #overhead: number;
  readonly #layers: number;
  readonly #commMs: number;
  readonly #keys = new BatchKeys();

  private constructor(tables: FittedTables, name: string) {
    const where = `${tables.model} on ${tables.device} at TP ${tables.tensorParallel}`;
    this.name = name;
    this.tables = tables;
    this.#layers = tables.numLayers;
    this.#overhead = tables.attentionBatchingOverhead;
    this.#tokenOps = new PiecewiseLinear(tables.tokenOps.x, tables.tokenOps.y, `${where}: tokenOps`);
    this.#kvSave = tables.kvCacheSave
      ? new PiecewiseLinear(tables.kvCacheSave.x, tables.kvCacheSave.y, `${where}: kvCacheSave`)
      : undefined;
    if (tables.tensorParallel > 1 && !tables.allReduce) throw new Error(`${where}: TP > 1 needs an allReduce table`);
    this.#allReduce = tables.allReduce
      ? new PiecewiseLinear(tables.allReduce.x, tables.allReduce.y, `${where}: allReduce`)
      : undefined;
    this.#commMs = tables.allReduceLaunchMs;
    // Vidur counts one all-reduce after attention and one after the MLP, each with the launch cost.
    this.#tokenCurve = this.#allReduce
      ? PiecewiseLinear.combine([this.#tokenOps, this.#allReduce], [1, 2], 2 * this.#commMs)
      : this.#tokenOps;
    this.#decode = new RowTable(tables.decodeAttention, `${where}: decodeAttention`);
    this.#prefill = new RowTable(
      tables.prefillAttention.map((row) => ({ ...row, r: row.r * row.r })),
      `${where}: prefillAttention`,
    );
    const maxOf = (rows: FittedTables['decodeAttention']): number =>
      Math.max(...rows.map((row) => row.x[row.x.length - 1]!));
    this.limits = {
      maxTokens: this.#tokenOps.maxX,
      maxDecodeBatch: tables.decodeAttention[tables.decodeAttention.length - 1]!.r,
      maxDecodeKv: maxOf(tables.decodeAttention),
      maxPrefillChunk: tables.prefillAttention[tables.prefillAttention.length - 1]!.r,
      maxPrefillKv: maxOf(tables.prefillAttention),
    };
  }

  /** A model over already fitted (or fully built) tables. */
  static fromTables(tables: FittedTables, kind = 'fitted'): ProfileTableModel {
    return new ProfileTableModel(tables, `${kind}:${tables.model}:${tables.device}:tp${tables.tensorParallel}`);
  }

  /** A model over every profiled point of a Vidur-format directory (smoothed, not simplified). */
  static fromProfiles(dir: string, selection: ProfileSelection): ProfileTableModel {
    return ProfileTableModel.fromTables(buildTables(loadProfileData(dir, selection), FULL_BUILD), 'profiles');
  }

  batchTime(batch: BatchShape): number {
    const k = this.#keys.read(batch);
    let ms = this.#tokenCurve.at(k.roundedTokens);
    if (this.#kvSave) ms += this.#kvSave.at(k.totalTokens);
    if (k.decodeCount > 0) {
      const t = this.#decode.at(k.decodeCount, k.decodeKv);
      ms += k.decodeCount > 1 ? t * (1 + this.#overhead) : t;
    }
    if (k.prefillCount > 0) {
      const t = this.#prefill.at(k.prefillChunk * k.prefillChunk, k.prefillKv);
      ms += k.prefillCount > 1 ? t * (1 + this.#overhead) : t;
    }
    return (ms * this.#layers) / 1000;
  }

  /**
   * A decode run changes only the mean KV length, by one token per iteration, and the attention
   * table is keyed by that mean rounded up to 64, so durations repeat in stretches: one lookup per
   * stretch instead of one pass over the batch per iteration.
   */
  decodeRunTimes(batch: BatchShape, steps: number, out: Float64Array): void {
    const k = this.#keys.read(batch);
    if (k.prefillCount > 0) throw new Error('decodeRunTimes needs a batch of decodes only');
    const n = k.decodeCount;
    let kvSum = 0;
    for (const r of batch.requests) kvSum += r.numProcessedTokens;
    let base = this.#tokenCurve.at(k.roundedTokens);
    if (this.#kvSave) base += this.#kvSave.at(k.totalTokens);
    let lastKey = -1;
    let lastTime = 0;
    for (let s = 0; s < steps; s++) {
      const key = ceilKv(Math.trunc((kvSum + n * s) / n));
      if (key !== lastKey) {
        const t = this.#decode.at(n, key);
        lastTime = ((base + (n > 1 ? t * (1 + this.#overhead) : t)) * this.#layers) / 1000;
        lastKey = key;
      }
      out[s] = lastTime;
    }
  }

  breakdown(batch: BatchShape): LayerBreakdown {
    const k = new BatchKeys().read(batch);
    const tokenOps = this.#tokenOps.at(k.roundedTokens);
    const kvCacheSave = this.#kvSave ? this.#kvSave.at(k.totalTokens) : 0;
    const decodeAttention =
      k.decodeCount > 0 ? this.#decode.at(k.decodeCount, k.decodeKv) * (k.decodeCount > 1 ? 1 + this.#overhead : 1) : 0;
    const prefillAttention =
      k.prefillCount > 0
        ? this.#prefill.at(k.prefillChunk * k.prefillChunk, k.prefillKv) * (k.prefillCount > 1 ? 1 + this.#overhead : 1)
        : 0;
    const allReduce = this.#allReduce ? 2 * (this.#allReduce.at(k.roundedTokens) + this.#commMs) : 0;
    const layerMs = tokenOps + kvCacheSave + decodeAttention + prefillAttention + allReduce;
    return {
      tokenOps,
      kvCacheSave,
      decodeAttention,
      prefillAttention,
      allReduce,
      layerMs,
      batchMs: layerMs * this.#layers,
    };
  }
}
