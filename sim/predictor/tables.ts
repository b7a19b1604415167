/**
 * The serialised form of a profile-table model: derived per-layer time tables (ms) that replace the
 * raw Vidur CSVs, so servelab runs without them. `fit.ts` produces it, `ProfileTableModel.fromTables`
 * consumes it, and the zod schema checks files before use.
 */
import { z } from 'zod';

export const FITTED_FORMAT = 'servelab/fitted-execution-model@1';

const finite = z.number().refine(Number.isFinite, 'must be finite');

const Curve = z
  .object({
    x: z.array(finite).min(1),
    y: z.array(finite.pipe(z.number().min(0))).min(1),
  })
  .refine((c) => c.x.length === c.y.length, 'x and y must have the same length')
  .describe('Piecewise-linear ms vs x, constant beyond the first and last knot');

const Row = z
  .object({ r: finite, x: z.array(finite).min(1), y: z.array(finite.pipe(z.number().min(0))).min(1) })
  .refine((c) => c.x.length === c.y.length, 'x and y must have the same length');

export const FittedTablesSchema = z.object({
  format: z.literal(FITTED_FORMAT),
  /** servelab catalog name (e.g. "llama-2-7b"). */
  model: z.string(),
  hfId: z.string(),
  /** Vidur device folder the profiles came from (e.g. "a100"). */
  device: z.string(),
  tensorParallel: z.number().int().min(1),
  numLayers: z.number().int().min(1),
  /** Vidur's attention batching overhead: applied to decode (prefill) attention when more than one decode (prefill) request is batched; 0 for MHA models. */
  attentionBatchingOverhead: z.number().min(0),
  /** NCCL launch cost added to every all-reduce, ms (Vidur's nccl_cpu_launch_overhead_ms). */
  allReduceLaunchMs: z.number().min(0),
  source: z.object({
    files: z.array(z.object({ file: z.string(), sha256: z.string() })),
    network: z.string().nullable(),
    method: z.string(),
  }),
  /** Σ of the token-count operators (norms, QKV/O projections, rope, MLP, add), ms per layer vs ceil8(batch tokens). */
  tokenOps: Curve,
  /** KV-cache write, ms per layer vs exact batch tokens; null when not profiled (then 0, as in Vidur). */
  kvCacheSave: Curve.nullable(),
  /** One all-reduce, ms vs ceil8(batch tokens); null at TP 1. Counted twice per layer. */
  allReduce: Curve.nullable(),
  /** Decode attention, ms per layer: rows r = decode requests, x = ceil64(mean KV length). */
  decodeAttention: z.array(Row).min(1),
  /** Prefill attention, ms per layer: rows r = chunk C = round(√Σ chunk²) (interpolated in C²), x = Σ ceil64(KV length). */
  prefillAttention: z.array(Row).min(1),
});

export type FittedTables = z.infer<typeof FittedTablesSchema>;
export type Curve = FittedTables['tokenOps'];

/** Parses unknown JSON as fitted tables; `where` names the file in the error. */
export function parseFittedTables(json: unknown, where: string): FittedTables {
  const result = FittedTablesSchema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new Error(
      `${where}: not a fitted execution model (${issue.path.join('.') || 'root'}: ${issue.message}). Regenerate it with \`npm run fit-model -- <profile dir>\``,
    );
  }
  return result.data;
}

/**
 * Deterministic, diff-friendly JSON: keys in insertion order, one line per numeric array, so the
 * same fit gives byte-identical files and a refit shows up as a readable diff.
 */
export function serializeTables(tables: FittedTables): string {
  return `${write(tables, '')}\n`;
}

function write(value: unknown, indent: string): string {
  if (Array.isArray(value)) {
    if (value.every((v) => typeof v === 'number')) return `[${value.map(num).join(',')}]`;
    const inner = `${indent}  `;
    return `[\n${value.map((v) => inner + write(v, inner)).join(',\n')}\n${indent}]`;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    // Rows are short objects of arrays; one line each keeps 2-D tables readable.
    if (
      entries.every(([, v]) => typeof v === 'number' || (Array.isArray(v) && v.every((x) => typeof x === 'number')))
    ) {
      return `{${entries.map(([k, v]) => `${JSON.stringify(k)}: ${write(v, '')}`).join(', ')}}`;
    }
    const inner = `${indent}  `;
    return `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${write(v, inner)}`).join(',\n')}\n${indent}}`;
  }
  if (typeof value === 'number') return num(value);
  return JSON.stringify(value);
}

function num(v: number): string {
  if (!Number.isFinite(v)) throw new Error(`cannot serialise ${v}`);
  return Object.is(v, -0) ? '0' : String(v);
}
