/**
 * npx tsx sim/predictor/calibrate-roofline.ts DIR   (DIR: a Vidur-format profiling directory)
 *
 * Fits the roofline's efficiency factors to the profiled pairs and prints (1) the constants for
 * CALIBRATED_ROOFLINE and (2) the roofline-vs-profile error tables of docs/execution-model.md.
 * Each operator group is fitted on its own, minimising the mean squared log ratio (so 2× too slow
 * and 2× too fast weigh the same) over representative keys of both profiled models:
 *   GEMMs and elementwise kernels at 1…4096 tokens (mlp.csv, per operator);
 *   decode attention at 1…128 requests × KV 128…4032; prefill attention at chunks 64…4096 (KV 0)
 *   and a few chunked keys; all-reduce on the a100_dgx node at TP 2/4/8, 8…8192 tokens.
 * The search is deterministic (Nelder–Mead from fixed starting points), so reruns print the same.
 */
import { DEVICES } from '../catalog/devices.js';
import { MODELS, type ModelSpec } from '../catalog/models.js';
import type { BatchShape } from './execution-time-model.js';
import { pava, PiecewiseLinear } from './interpolation.js';
import { ProfileTableModel } from './profile-table-model.js';
import { loadAllReduce, loadProfileData, loadTokenOps, TOKEN_OPS, type TokenOp } from './profile/loader.js';
import {
  allReduceMs,
  decodeAttentionMs,
  elementwiseMs,
  gemmMs,
  layerElementwiseBytesPerToken,
  layerGemms,
  layerShape,
  prefillAttentionMs,
  RooflineModel,
  rooflineDevice,
  tokenOpShapes,
  tokenOpsMs,
  type RooflineParams,
} from './roofline.js';

/** Σ of the token-count operators at `tp`, smoothed like the tables (attention.csv has TP 1 only, so read mlp.csv alone). */
function loadTokenOpsAtTp(dir: string, model: ModelSpec, tp: number): PiecewiseLinear {
  const { ops } = loadTokenOps(dir, { model, device: 'a100', tensorParallel: tp });
  const first = ops[TOKEN_OPS[0]];
  const sum = first.x.map((_, i) => TOKEN_OPS.reduce((s, op) => s + ops[op].y[i]!, 0));
  return new PiecewiseLinear(first.x, pava(sum, first.w));
}

type Sample = () => [predicted: number, measured: number];

/** Minimises f over R^n by Nelder–Mead; deterministic. */
export function nelderMead(f: (x: number[]) => number, x0: number[], step = 0.5, iterations = 4000): number[] {
  const n = x0.length;
  let simplex = [x0, ...x0.map((_, i) => x0.map((v, j) => (i === j ? v + step : v)))].map((x) => ({ x, f: f(x) }));
  for (let it = 0; it < iterations; it++) {
    simplex.sort((a, b) => a.f - b.f);
    const best = simplex[0]!;
    const worst = simplex[n]!;
    if (Math.abs(worst.f - best.f) < 1e-12 * (1 + Math.abs(best.f))) break;
    const centroid = x0.map((_, j) => simplex.slice(0, n).reduce((s, p) => s + p.x[j]!, 0) / n);
    const along = (t: number): number[] => centroid.map((c, j) => c + t * (worst.x[j]! - c));
    const reflected = along(-1);
    const fr = f(reflected);
    if (fr < best.f) {
      const expanded = along(-2);
      const fe = f(expanded);
      simplex[n] = fe < fr ? { x: expanded, f: fe } : { x: reflected, f: fr };
    } else if (fr < simplex[n - 1]!.f) {
      simplex[n] = { x: reflected, f: fr };
    } else {
      const contracted = along(fr < worst.f ? -0.5 : 0.5);
      const fc = f(contracted);
      if (fc < Math.min(fr, worst.f)) simplex[n] = { x: contracted, f: fc };
      else {
        simplex = simplex.map((p, i) => {
          if (i === 0) return p;
          const x = p.x.map((v, j) => best.x[j]! + 0.5 * (v - best.x[j]!));
          return { x, f: f(x) };
        });
      }
    }
  }
  simplex.sort((a, b) => a.f - b.f);
  return simplex[0]!.x;
}

const msle = (samples: readonly Sample[]): number =>
  samples.reduce((s, sample) => {
    const [predicted, measured] = sample();
    return s + Math.log(predicted / measured) ** 2;
  }, 0) / samples.length;

/** Fits the named parameters (all positive, searched in log space) starting from `start`. */
function fit(
  base: RooflineParams,
  names: readonly (keyof RooflineParams)[],
  start: readonly number[],
  samples: (p: RooflineParams) => Sample[],
): RooflineParams {
  const withX = (x: number[]): RooflineParams => ({
    ...base,
    ...Object.fromEntries(names.map((k, i) => [k, Math.exp(x[i]!)])),
  });
  const best = nelderMead((x) => msle(samples(withX(x))), start.map(Math.log));
  return withX(best);
}

const TOKENS = [1, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096];
const GEMM_OPS: readonly TokenOp[] = ['attn_pre_proj', 'attn_post_proj', 'mlp_up_proj', 'mlp_down_proj'];
const ELEMENTWISE_OPS: readonly TokenOp[] = [
  'input_layernorm',
  'post_attention_layernorm',
  'attn_rope',
  'mlp_act',
  'add',
];
const DECODE_BATCHES = [1, 2, 4, 8, 16, 32, 64, 128];
const DECODE_KV = [128, 512, 1024, 2048, 4032];
const PREFILL_KEYS: readonly [kv: number, chunk: number][] = [
  ...[64, 128, 256, 512, 1024, 2048, 4096].map((c) => [0, c] as [number, number]),
  [1024, 512],
  [2048, 512],
  [2048, 1024],
  [3072, 1024],
];

const prefillBatch = (kv: number, chunk: number): BatchShape => ({
  requests: [{ numProcessedTokens: kv, isPrefillComplete: false }],
  numTokens: [chunk],
});
const decodeBatch = (b: number, kv: number): BatchShape => ({
  requests: Array.from({ length: b }, () => ({ numProcessedTokens: kv, isPrefillComplete: true })),
  numTokens: Array.from({ length: b }, () => 1),
});

interface Profiled {
  readonly model: ModelSpec;
  readonly table: ProfileTableModel;
  readonly op: (op: TokenOp) => PiecewiseLinear;
}

function main(dir: string): void {
  const a100 = rooflineDevice(DEVICES.a100);
  const profiled: Profiled[] = (['llama-2-7b', 'llama-3-8b'] as const).map((name) => {
    const model = MODELS[name];
    const data = loadProfileData(dir, { model, device: 'a100', tensorParallel: 1 });
    return {
      model,
      table: ProfileTableModel.fromProfiles(dir, { model, device: 'a100', tensorParallel: 1 }),
      op: (op) => new PiecewiseLinear(data.ops[op].x, pava(data.ops[op].y, data.ops[op].w)),
    };
  });

  let p: RooflineParams = {
    gemmCompute: 0.7,
    gemmMemory: 0.7,
    gemmFloorMs: 0.005,
    gemmSharpness: 2,
    elementwiseMemory: 0.6,
    elementwiseFloorMs: 0.003,
    decodeMemory: 0.8,
    decodeFloorMs: 0.01,
    prefillCompute: 0.3,
    prefillHalfChunk: 512,
    prefillFloorMs: 0.01,
    allReduceLatencyMs: 0.02,
    allReduceLinkFraction: 0.3,
  };

  p = fit(p, ['gemmCompute', 'gemmMemory', 'gemmFloorMs', 'gemmSharpness'], [0.7, 0.7, 0.005, 2], (q) =>
    profiled.flatMap(({ model, op }) => {
      const gemms = layerGemms(layerShape(model, 1));
      return GEMM_OPS.flatMap((name, i) =>
        TOKENS.map(
          (t): Sample =>
            () => [gemmMs(t, gemms[i]![0], gemms[i]![1], a100, q), op(name).at(t)],
        ),
      );
    }),
  );
  p = fit(p, ['elementwiseMemory', 'elementwiseFloorMs'], [0.6, 0.003], (q) =>
    profiled.flatMap(({ model, op }) => {
      const bytes = layerElementwiseBytesPerToken(layerShape(model, 1));
      return ELEMENTWISE_OPS.flatMap((name, i) =>
        TOKENS.map(
          (t): Sample =>
            () => [elementwiseMs(bytes[i]! * t, a100, q), op(name).at(t)],
        ),
      );
    }),
  );
  p = fit(p, ['decodeMemory', 'decodeFloorMs'], [0.8, 0.01], (q) =>
    profiled.flatMap(({ model, table }) => {
      const s = layerShape(model, 1);
      const overhead = table.tables.attentionBatchingOverhead;
      return DECODE_BATCHES.flatMap((b) =>
        DECODE_KV.map(
          (kv): Sample =>
            () => [
              decodeAttentionMs(b, kv, s, a100, q),
              table.breakdown(decodeBatch(b, kv)).decodeAttention / (b > 1 ? 1 + overhead : 1),
            ],
        ),
      );
    }),
  );
  p = fit(p, ['prefillCompute', 'prefillHalfChunk', 'prefillFloorMs'], [0.3, 512, 0.01], (q) =>
    profiled.flatMap(({ model, table }) => {
      const s = layerShape(model, 1);
      return PREFILL_KEYS.map(
        ([kv, c]): Sample =>
          () => [prefillAttentionMs(kv, c, s, a100, q), table.breakdown(prefillBatch(kv, c)).prefillAttention],
      );
    }),
  );
  const hidden = 4096;
  const reduce = [2, 4, 8].map((tp) => {
    const pts = loadAllReduce(dir, 'a100_dgx', tp, hidden).points;
    return { tp, curve: new PiecewiseLinear(pts.x, pava(pts.y, pts.w)) };
  });
  p = fit(p, ['allReduceLatencyMs', 'allReduceLinkFraction'], [0.02, 0.3], (q) =>
    reduce.flatMap(({ tp, curve }) => {
      const s = { ...layerShape(MODELS['llama-2-7b'], 1), tp };
      return [8, 64, 256, 1024, 2048, 4096, 8192].map(
        (t): Sample =>
          () => [allReduceMs(t, s, a100, q), curve.at(t)],
      );
    }),
  );

  const round = (v: number): number => Number(v.toPrecision(3));
  console.log('export const CALIBRATED_ROOFLINE: RooflineParams = {');
  for (const [k, v] of Object.entries(p)) console.log(`  ${k}: ${round(v)},`);
  console.log('};\n');

  const rounded: RooflineParams = { ...p };
  for (const k of Object.keys(rounded) as (keyof RooflineParams)[]) Object.assign(rounded, { [k]: round(p[k]) });
  const pct = (roof: number, table: number): string =>
    `${roof >= table ? '+' : '−'}${Math.abs((roof / table - 1) * 100).toFixed(0)} %`;
  for (const { model, table } of profiled) {
    const roof = new RooflineModel(model, DEVICES.a100, 1, rounded);
    console.log(`### ${model.name} (A100, TP 1): roofline vs profile table\n`);
    console.log('| prefill tokens (one request, KV 0) | 128 | 256 | 512 | 1024 | 2048 | 4096 |');
    console.log('|---|---|---|---|---|---|---|');
    const sizes = [128, 256, 512, 1024, 2048, 4096];
    console.log(
      `| table (ms) | ${sizes.map((n) => (table.batchTime(prefillBatch(0, n)) * 1000).toFixed(1)).join(' | ')} |`,
    );
    console.log(
      `| roofline error | ${sizes.map((n) => pct(roof.batchTime(prefillBatch(0, n)), table.batchTime(prefillBatch(0, n)))).join(' | ')} |\n`,
    );
    const batches = [1, 8, 32, 64, 128];
    console.log(`| decode: KV length \\ requests | ${batches.join(' | ')} |`);
    console.log(`|---|${batches.map(() => '---').join('|')}|`);
    for (const kv of [256, 1024, 3072]) {
      console.log(
        `| ${kv} | ${batches.map((b) => `${(table.batchTime(decodeBatch(b, kv)) * 1000).toFixed(1)} ms, ${pct(roof.batchTime(decodeBatch(b, kv)), table.batchTime(decodeBatch(b, kv)))}`).join(' | ')} |`,
      );
    }
    console.log('');
  }
  console.log('### Token-count operators at TP > 1 (mlp.csv has every TP): roofline error\n');
  const tpTokens = [32, 512, 2048];
  console.log(`| model | TP | ${tpTokens.map((t) => `${t} tokens`).join(' | ')} |`);
  console.log(`|---|---|${tpTokens.map(() => '---').join('|')}|`);
  for (const { model } of profiled) {
    for (const tp of [1, 2, 4, 8]) {
      const ops = loadTokenOpsAtTp(dir, model, tp);
      const shapes = tokenOpShapes(layerShape(model, tp));
      console.log(
        `| ${model.name} | ${tp} | ${tpTokens.map((t) => `${ops.at(t).toFixed(3)} ms, ${pct(tokenOpsMs(t, shapes, a100, rounded), ops.at(t))}`).join(' | ')} |`,
      );
    }
  }
  console.log('');
  console.log('### One all-reduce (ms): profile vs roofline error\n');
  const arTokens = [64, 1024, 4096];
  console.log(`| node | TP | ${arTokens.map((t) => `${t} tokens × 4096`).join(' | ')} |`);
  console.log(`|---|---|${arTokens.map(() => '---').join('|')}|`);
  for (const [node, tp] of [
    ['a100_dgx', 2],
    ['a100_dgx', 4],
    ['a100_dgx', 8],
    ['a100_pairwise_nvlink', 2],
    ['a100_pairwise_nvlink', 4],
  ] as const) {
    const pts = loadAllReduce(dir, node, tp, hidden).points;
    const curve = new PiecewiseLinear(pts.x, pava(pts.y, pts.w));
    const s = { ...layerShape(MODELS['llama-2-7b'], 1), tp };
    console.log(
      `| ${node} | ${tp} | ${arTokens.map((t) => `${curve.at(t).toFixed(3)}, ${pct(allReduceMs(t, s, a100, rounded), curve.at(t))}`).join(' | ')} |`,
    );
  }
  console.log('');
  console.log('### Roofline on the unprofiled pairs (ms per batch)\n');
  console.log('| model | device | TP | prefill 1024 | decode 32 × KV 1024 | decode 1 × KV 128 |');
  console.log('|---|---|---|---|---|---|');
  for (const [m, d, tp] of [
    ['codellama-34b', 'a100-40gb', 2],
    ['llama-3-70b', 'a100', 4],
    ['llama-2-7b', 'h100', 1],
    ['llama-3-8b', 'h100', 1],
    ['llama-3-70b', 'h100', 4],
  ] as const) {
    const roof = new RooflineModel(MODELS[m], DEVICES[d], tp, rounded);
    const t = (b: BatchShape): string => (roof.batchTime(b) * 1000).toFixed(1);
    console.log(
      `| ${m} | ${d} | ${tp} | ${t(prefillBatch(0, 1024))} | ${t(decodeBatch(32, 1024))} | ${t(decodeBatch(1, 128))} |`,
    );
  }
}

const dir = process.argv[2];
if (dir === undefined) {
  console.error('usage: npx tsx sim/predictor/calibrate-roofline.ts DIR  (a Vidur-format profiling directory)');
  process.exitCode = 2;
} else {
  main(dir);
}
