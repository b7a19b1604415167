/**
 * Model architectures, from each model's public Hugging Face config.json.
 * Parameter counts are derived from the shapes (not quoted), so memory planning and the roofline
 * model agree with each other by construction.
 */
import { z } from 'zod';

export const ModelName = z.enum(['llama-2-7b', 'llama-3-8b', 'codellama-34b', 'llama-3-70b']);
export type ModelName = z.infer<typeof ModelName>;

export interface ModelSpec {
  readonly name: ModelName;
  /** Hugging Face id, also the folder name used by Vidur's profile layout. */
  readonly hfId: string;
  readonly numLayers: number;
  readonly hiddenSize: number;
  readonly numQHeads: number;
  readonly numKvHeads: number;
  readonly headDim: number;
  readonly intermediateSize: number;
  readonly vocabSize: number;
  /** Bytes per weight and per KV element (fp16/bf16). */
  readonly dtypeBytes: number;
  readonly maxPositionEmbeddings: number;
}

export const MODELS: Readonly<Record<ModelName, ModelSpec>> = {
  // meta-llama/Llama-2-7b-hf config.json
  'llama-2-7b': {
    name: 'llama-2-7b',
    hfId: 'meta-llama/Llama-2-7b-hf',
    numLayers: 32,
    hiddenSize: 4096,
    numQHeads: 32,
    numKvHeads: 32,
    headDim: 128,
    intermediateSize: 11008,
    vocabSize: 32000,
    dtypeBytes: 2,
    maxPositionEmbeddings: 4096,
  },
  // meta-llama/Meta-Llama-3-8B config.json (grouped-query attention, 8 KV heads)
  'llama-3-8b': {
    name: 'llama-3-8b',
    hfId: 'meta-llama/Meta-Llama-3-8B',
    numLayers: 32,
    hiddenSize: 4096,
    numQHeads: 32,
    numKvHeads: 8,
    headDim: 128,
    intermediateSize: 14336,
    vocabSize: 128256,
    dtypeBytes: 2,
    maxPositionEmbeddings: 8192,
  },
  // codellama/CodeLlama-34b-hf config.json
  'codellama-34b': {
    name: 'codellama-34b',
    hfId: 'codellama/CodeLlama-34b-hf',
    numLayers: 48,
    hiddenSize: 8192,
    numQHeads: 64,
    numKvHeads: 8,
    headDim: 128,
    intermediateSize: 22016,
    vocabSize: 32000,
    dtypeBytes: 2,
    maxPositionEmbeddings: 16384,
  },
  // meta-llama/Meta-Llama-3-70B config.json
  'llama-3-70b': {
    name: 'llama-3-70b',
    hfId: 'meta-llama/Meta-Llama-3-70B',
    numLayers: 80,
    hiddenSize: 8192,
    numQHeads: 64,
    numKvHeads: 8,
    headDim: 128,
    intermediateSize: 28672,
    vocabSize: 128256,
    dtypeBytes: 2,
    maxPositionEmbeddings: 8192,
  },
};

/** Weights of one decoder layer's matrices (attention projections + gated MLP). */
export function linearParamsPerLayer(m: ModelSpec): number {
  const qo = 2 * m.hiddenSize * m.numQHeads * m.headDim;
  const kv = 2 * m.hiddenSize * m.numKvHeads * m.headDim;
  const mlp = 3 * m.hiddenSize * m.intermediateSize; // gate, up, down
  return qo + kv + mlp;
}

/** Total parameters: layers (matrices + two RMSNorms), embeddings, untied LM head, final norm. */
export function parameterCount(m: ModelSpec): number {
  const perLayer = linearParamsPerLayer(m) + 2 * m.hiddenSize;
  return m.numLayers * perLayer + 2 * m.vocabSize * m.hiddenSize + m.hiddenSize;
}

/** KV-cache bytes one token occupies on one GPU: 2 (K and V) × layers × KV heads × head dim × dtype / TP. */
export function kvBytesPerToken(m: ModelSpec, tensorParallel: number): number {
  return (2 * m.numLayers * m.numKvHeads * m.headDim * m.dtypeBytes) / tensorParallel;
}
