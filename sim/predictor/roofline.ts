/**
 * A roofline execution-time model for (model, device, TP) triples without profiles. It follows
 * Vidur's batch formula (the same keys as ProfileTableModel: ceil8 tokens, decode (B, ceil64 mean
 * KV), prefill (Σ ceil64 KV, round(√Σc²)), two all-reduces per layer, × layers) but estimates each
 * operator from FLOPs / achievable FLOP/s and bytes / achievable bandwidth (the larger of the two;
 * a smooth maximum for GEMMs) plus a per-kernel floor.
 *
 * The efficiencies and floors below were calibrated on the profiled pairs (Llama-2-7B and
 * Llama-3-8B, A100, TP 1; all-reduce on the a100_dgx node profiles) by
 * `npx tsx sim/predictor/calibrate-roofline.ts ../shared/vidur-data/data/profiling`, which fits
 * each group of operators by Nelder–Mead on the squared log error against the profile tables and
 * prints these constants and the error table in docs/execution-model.md.
 */
import type { DeviceName, DeviceSpec } from '../catalog/devices.js';
import type { ModelSpec } from '../catalog/models.js';
import { BatchKeys } from './batch-keys.js';
import type { BatchShape, ExecutionTimeModel } from './execution-time-model.js';
import { ALL_REDUCE_LAUNCH_MS, GQA_BATCHING_OVERHEAD } from './fit.js';

export interface RooflineParams {
  /** Fraction of peak FP16 FLOP/s reached by GEMMs (and decode attention when compute-bound). */
  readonly gemmCompute: number;
  /** Fraction of HBM bandwidth reached by weight-bound GEMMs. */
  readonly gemmMemory: number;
  /** Fixed time per GEMM kernel, ms. */
  readonly gemmFloorMs: number;
  /**
   * Sharpness of the compute/memory transition: a GEMM takes (c^k + m^k)^(1/k) for compute time c
   * and memory time m (k → ∞ is the plain roofline max). Mid-sized GEMMs (~128–512 tokens) are
   * slower than either bound, as tiles neither saturate the tensor cores nor stream weights at full rate.
   */
  readonly gemmSharpness: number;
  /** Fraction of HBM bandwidth reached by norms, rotary, activation, residual add and KV writes. */
  readonly elementwiseMemory: number;
  /** Fixed time per elementwise kernel, ms. */
  readonly elementwiseFloorMs: number;
  /** Fraction of HBM bandwidth reached by decode attention (reading the KV cache). */
  readonly decodeMemory: number;
  readonly decodeFloorMs: number;
  /** Fraction of peak FLOP/s reached by prefill attention on very long chunks. */
  readonly prefillCompute: number;
  /** Chunk length at which prefill attention reaches half of `prefillCompute` (short chunks fill the GPU poorly). */
  readonly prefillHalfChunk: number;
  readonly prefillFloorMs: number;
  /** Fixed time of one all-reduce, ms. */
  readonly allReduceLatencyMs: number;
  /** Bus bandwidth of a ring all-reduce as a fraction of the GPU's NVLink bandwidth. */
  readonly allReduceLinkFraction: number;
}

/** Calibrated on the profiled pairs; see the header comment and docs/execution-model.md. */
export const CALIBRATED_ROOFLINE: RooflineParams = {
  gemmCompute: 0.701,
  gemmMemory: 0.817,
  gemmFloorMs: 0.00529,
  gemmSharpness: 2.28,
  elementwiseMemory: 0.537,
  elementwiseFloorMs: 0.00361,
  decodeMemory: 0.756,
  decodeFloorMs: 0.0123,
  prefillCompute: 0.289,
  prefillHalfChunk: 51.9,
  prefillFloorMs: 0.017,
  allReduceLatencyMs: 0.0382,
  allReduceLinkFraction: 0.263,
};

/**
 * Per-GPU NVLink bandwidth, GB/s, both directions (NVIDIA A100 and H100 SXM datasheets). Kept
 * here, not in the device catalog, because only the roofline's all-reduce uses it.
 */
export const NVLINK_GBS: Readonly<Record<DeviceName, number>> = { a100: 600, 'a100-40gb': 600, h100: 900 };

/** Hardware rates the operator estimates divide by. */
export interface RooflineDevice {
  readonly flopsPerMs: number;
  readonly bytesPerMs: number;
  readonly linkBytesPerMs: number;
}

export function rooflineDevice(device: DeviceSpec): RooflineDevice {
  return {
    flopsPerMs: device.fp16Tflops * 1e9,
    bytesPerMs: device.memoryBandwidthGBs * 1e6,
    linkBytesPerMs: NVLINK_GBS[device.name] * 1e6,
  };
}

/** One GEMM of `tokens` × k by k × n (fp16), ms. */
export function gemmMs(tokens: number, n: number, k: number, dev: RooflineDevice, p: RooflineParams): number {
  const flops = 2 * tokens * n * k;
  const bytes = 2 * (n * k + tokens * k + tokens * n);
  const c = flops / (dev.flopsPerMs * p.gemmCompute);
  const m = bytes / (dev.bytesPerMs * p.gemmMemory);
  const e = p.gemmSharpness;
  const hi = Math.max(c, m);
  // Scaled by the larger term so large exponents do not overflow.
  return hi * ((c / hi) ** e + (m / hi) ** e) ** (1 / e) + p.gemmFloorMs;
}

export function elementwiseMs(bytes: number, dev: RooflineDevice, p: RooflineParams): number {
  return bytes / (dev.bytesPerMs * p.elementwiseMemory) + p.elementwiseFloorMs;
}

/** Shapes of one layer's operators on one GPU of a TP group. */
export interface LayerShape {
  readonly hidden: number;
  readonly qHeads: number;
  readonly kvHeads: number;
  readonly headDim: number;
  readonly intermediate: number;
  readonly tp: number;
}

export function layerShape(model: ModelSpec, tp: number): LayerShape {
  return {
    hidden: model.hiddenSize,
    qHeads: model.numQHeads / tp,
    // With more GPUs than KV heads each GPU keeps (a replica of) one head, as vLLM does.
    kvHeads: Math.max(1, model.numKvHeads / tp),
    headDim: model.headDim,
    intermediate: model.intermediateSize / tp,
    tp,
  };
}

/** The GEMMs of a layer as [n, k]: fused QKV, attention output, fused gate+up, down. */
export function layerGemms(s: LayerShape): readonly (readonly [number, number])[] {
  return [
    [(s.qHeads + 2 * s.kvHeads) * s.headDim, s.hidden],
    [s.hidden, s.qHeads * s.headDim],
    [2 * s.intermediate, s.hidden],
    [s.hidden, s.intermediate],
  ];
}

/** Bytes per token of the elementwise kernels: two RMSNorms, rotary, SiLU·mul, residual add (read + write, fp16). */
export function layerElementwiseBytesPerToken(s: LayerShape): readonly number[] {
  const norm = 2 * 2 * s.hidden;
  return [norm, norm, 2 * 2 * (s.qHeads + s.kvHeads) * s.headDim, 2 * 3 * s.intermediate, 2 * 3 * s.hidden];
}

/** The token-count operators of a layer, precomputed so the per-batch path does not allocate. */
export interface TokenOpShapes {
  readonly gemms: readonly (readonly [number, number])[];
  readonly elementwiseBytesPerToken: readonly number[];
}

export function tokenOpShapes(s: LayerShape): TokenOpShapes {
  return { gemms: layerGemms(s), elementwiseBytesPerToken: layerElementwiseBytesPerToken(s) };
}

export function tokenOpsMs(tokens: number, ops: TokenOpShapes, dev: RooflineDevice, p: RooflineParams): number {
  let ms = 0;
  for (const [n, k] of ops.gemms) ms += gemmMs(tokens, n, k, dev, p);
  for (const b of ops.elementwiseBytesPerToken) ms += elementwiseMs(b * tokens, dev, p);
  return ms;
}

/** Writing K and V of `tokens` tokens into the paged cache (read + write). */
export function kvSaveMs(tokens: number, s: LayerShape, dev: RooflineDevice, p: RooflineParams): number {
  return elementwiseMs(2 * 2 * 2 * s.kvHeads * s.headDim * tokens, dev, p);
}

/** Decode attention of `batch` requests with KV length `kv` each: reads the KV cache once. */
export function decodeAttentionMs(
  batch: number,
  kv: number,
  s: LayerShape,
  dev: RooflineDevice,
  p: RooflineParams,
): number {
  const flops = 4 * s.qHeads * s.headDim * batch * kv;
  const bytes = 2 * 2 * s.kvHeads * s.headDim * batch * kv + 2 * 2 * batch * s.qHeads * s.headDim;
  return (
    Math.max(flops / (dev.flopsPerMs * p.gemmCompute), bytes / (dev.bytesPerMs * p.decodeMemory)) + p.decodeFloorMs
  );
}

/** Causal prefill attention of a chunk of `chunk` tokens after `kv` cached ones. */
export function prefillAttentionMs(
  kv: number,
  chunk: number,
  s: LayerShape,
  dev: RooflineDevice,
  p: RooflineParams,
): number {
  const flops = 4 * s.qHeads * s.headDim * chunk * (kv + chunk / 2);
  const bytes = 2 * 2 * s.kvHeads * s.headDim * (kv + chunk) + 2 * 2 * chunk * s.qHeads * s.headDim;
  const efficiency = (p.prefillCompute * chunk) / (chunk + p.prefillHalfChunk);
  return Math.max(flops / (dev.flopsPerMs * efficiency), bytes / (dev.bytesPerMs * p.decodeMemory)) + p.prefillFloorMs;
}

/** One ring all-reduce of `tokens` fp16 activations across `s.tp` GPUs. */
export function allReduceMs(tokens: number, s: LayerShape, dev: RooflineDevice, p: RooflineParams): number {
  if (s.tp <= 1) return 0;
  const bytes = (2 * (s.tp - 1) * tokens * s.hidden * 2) / s.tp;
  return p.allReduceLatencyMs + bytes / (dev.linkBytesPerMs * p.allReduceLinkFraction);
}

/** Cached token counts: up to 128k tokens per batch (1 MiB per model). */
const TOKEN_CACHE_SIZE = 16_385;

export class RooflineModel implements ExecutionTimeModel {
  readonly name: string;
  readonly params: RooflineParams;
  readonly #shape: LayerShape;
  readonly #ops: TokenOpShapes;
  readonly #dev: RooflineDevice;
  readonly #layers: number;
  readonly #overhead: number;
  readonly #keys = new BatchKeys();
  /**
   * Token-operator time per multiple of 8 tokens (the only keys Vidur's formula uses), filled on
   * first use: the nine per-operator estimates with fractional powers would otherwise dominate a call.
   */
  readonly #tokenCache = new Float64Array(TOKEN_CACHE_SIZE).fill(Number.NaN);

  constructor(
    model: ModelSpec,
    device: DeviceSpec,
    tensorParallel: number,
    params: RooflineParams = CALIBRATED_ROOFLINE,
  ) {
    if (!Number.isInteger(tensorParallel) || tensorParallel < 1)
      throw new Error(`tensor parallelism must be a positive integer, got ${tensorParallel}`);
    if (
      model.numQHeads % tensorParallel !== 0 ||
      (model.numKvHeads % tensorParallel !== 0 && tensorParallel % model.numKvHeads !== 0)
    ) {
      throw new Error(
        `${model.name} has ${model.numQHeads} query and ${model.numKvHeads} KV heads, which TP ${tensorParallel} cannot split evenly; use a TP that divides ${model.numQHeads}`,
      );
    }
    this.name = `roofline:${model.name}:${device.name}:tp${tensorParallel}`;
    this.params = params;
    this.#shape = layerShape(model, tensorParallel);
    this.#ops = tokenOpShapes(this.#shape);
    this.#dev = rooflineDevice(device);
    this.#layers = model.numLayers;
    this.#overhead = model.numQHeads > model.numKvHeads ? GQA_BATCHING_OVERHEAD : 0;
  }

  batchTime(batch: BatchShape): number {
    const k = this.#keys.read(batch);
    return (this.layerMs(k) * this.#layers) / 1000;
  }

  /** Per-layer time for already reduced batch keys, ms. */
  layerMs(k: BatchKeys): number {
    const s = this.#shape;
    const dev = this.#dev;
    const p = this.params;
    let ms = this.#tokenOpsMs(k.roundedTokens) + kvSaveMs(k.totalTokens, s, dev, p);
    if (k.decodeCount > 0) {
      ms += decodeAttentionMs(k.decodeCount, k.decodeKv, s, dev, p) * (k.decodeCount > 1 ? 1 + this.#overhead : 1);
    }
    if (k.prefillCount > 0) {
      ms += prefillAttentionMs(k.prefillKv, k.prefillChunk, s, dev, p) * (k.prefillCount > 1 ? 1 + this.#overhead : 1);
    }
    if (s.tp > 1) ms += 2 * (allReduceMs(k.roundedTokens, s, dev, p) + ALL_REDUCE_LAUNCH_MS);
    return ms;
  }

  #tokenOpsMs(roundedTokens: number): number {
    const i = roundedTokens / 8;
    if (!(i < TOKEN_CACHE_SIZE)) return tokenOpsMs(roundedTokens, this.#ops, this.#dev, this.params);
    let v = this.#tokenCache[i]!;
    if (Number.isNaN(v)) v = this.#tokenCache[i] = tokenOpsMs(roundedTokens, this.#ops, this.#dev, this.params);
    return v;
  }
}
