/**
 * Reads one profile CSV into typed rows. Each declared column is validated on its own with zod so
 * an error can name the file, the line and the column. Exact duplicate lines are dropped, as Vidur's
 * `drop_duplicates()` does before training, so they do not weigh twice in averages.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import { ProfileError } from './errors.js';

export interface CsvRow<T> {
  /** 1-based line number in the file (the header is line 1). */
  readonly line: number;
  readonly row: T;
}

export interface CsvTable<T> {
  readonly rows: readonly CsvRow<T>[];
  /** Columns present in the header. */
  readonly columns: ReadonlySet<string>;
  readonly sha256: string;
}

type Shape = Record<string, z.ZodType>;
type RowOf<S extends Shape> = { [K in keyof S]: z.output<S[K]> };

/**
 * Reads `file` (shown in errors as `displayName`) and validates the columns named in `shape`.
 * A column whose schema accepts `undefined` may be missing from the header; every other one must be there.
 */
export function readCsv<S extends Shape>(file: string, displayName: string, shape: S): CsvTable<RowOf<S>> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ProfileError({
      code: 'missing-file',
      file: displayName,
      message: `cannot read the file (${(err as NodeJS.ErrnoException).code ?? String(err)})`,
      fix: "Check the profile directory layout (compute/<device>/<hf model id>/{mlp,attention}.csv, network/<node>/all_reduce.csv), or use the roofline model (kind 'roofline' or 'auto')",
    });
  }
  const sha256 = createHash('sha256').update(text).digest('hex');

  let records: { record: string[]; info: { lines: number } }[];
  try {
    // Column counts are checked below, after the header, so a missing column is reported as such.
    // csv-parse's types do not model `info: true` (each row becomes { record, info }): checked here instead.
    const rows: unknown[] = parse(text, { info: true, skip_empty_lines: true, relax_column_count: true });
    records = rows.map((row) => {
      if (!isInfoRow(row)) throw new Error('csv-parse returned a row without its line info');
      return row;
    });
  } catch (err) {
    const e = err as { message?: string; lines?: number };
    throw new ProfileError({
      code: 'bad-csv',
      file: displayName,
      ...(typeof e.lines === 'number' ? { line: e.lines } : {}),
      message: `not valid CSV: ${e.message ?? String(err)}`,
    });
  }
  if (records.length === 0) {
    throw new ProfileError({
      code: 'bad-csv',
      file: displayName,
      message: 'the file is empty; expected a header line and data rows',
    });
  }

  const header = records[0]!.record.map((h) => h.trim());
  const index = new Map<string, number>();
  header.forEach((h, i) => {
    if (!index.has(h)) index.set(h, i);
  });
  const keys = Object.keys(shape) as (keyof S & string)[];
  for (const key of keys) {
    if (!index.has(key) && !shape[key]!.safeParse(undefined).success) {
      throw new ProfileError({
        code: 'missing-column',
        file: displayName,
        line: 1,
        column: key,
        message: `required column is missing (the header has: ${header.filter((h) => h !== '').join(', ')})`,
        fix: "Profiles must be in Vidur's CSV format; re-export them with Vidur's profiler",
      });
    }
  }

  const seen = new Set<string>();
  const rows: CsvRow<RowOf<S>>[] = [];
  for (let k = 1; k < records.length; k++) {
    const { record, info } = records[k]!;
    if (record.length !== header.length) {
      throw new ProfileError({
        code: 'bad-csv',
        file: displayName,
        line: info.lines,
        message: `the line has ${record.length} fields but the header has ${header.length}`,
      });
    }
    const identity = record.join('\u0000');
    if (seen.has(identity)) continue;
    seen.add(identity);
    const row: Record<string, unknown> = {};
    for (const key of keys) {
      const i = index.get(key);
      const cell = i === undefined ? undefined : record[i];
      const result = shape[key]!.safeParse(cell);
      if (!result.success) {
        throw new ProfileError({
          code: 'bad-value',
          file: displayName,
          line: info.lines,
          column: key,
          message: `${result.error.issues[0]?.message ?? 'invalid value'}, got ${JSON.stringify(cell ?? '')}`,
        });
      }
      row[key] = result.data;
    }
    rows.push({ line: info.lines, row: row as RowOf<S> });
  }
  return { rows, columns: new Set(header), sha256 };
}

/** Cells are strings; Python writes missing values as '' or 'nan'. */
function toNumber(s: string, ctx: z.RefinementCtx): number {
  const t = s.trim();
  const v = t === '' ? Number.NaN : Number(t);
  if (!Number.isFinite(v)) {
    ctx.addIssue({ code: 'custom', message: t === '' ? 'expected a number, the cell is empty' : 'expected a number' });
    return z.NEVER;
  }
  return v;
}

const isMissing = (s: string | undefined): boolean => s === undefined || ['', 'nan', 'NaN'].includes(s.trim());

/** A required finite number. */
export const numberCell = z.string().transform(toNumber);
/** A required integer ≥ min. */
export const intCell = (min: number) =>
  numberCell.pipe(z.number().int(`expected an integer`).min(min, `expected an integer ≥ ${min}`));
/** A number > 0. */
export const positiveNumberCell = numberCell.pipe(z.number().positive('expected a number > 0'));
/** A time in ms (≥ 0). */
export const msCell = numberCell.pipe(z.number().min(0, 'expected a time ≥ 0 ms'));
/** A time in ms that may be blank or 'nan', or whose column may be absent: undefined then. */
export const optionalMsCell = z
  .string()
  .optional()
  .transform((s, ctx) => (isMissing(s) ? undefined : toNumber(s!, ctx)))
  .pipe(z.number().min(0, 'expected a time ≥ 0 ms').optional());
/** A plain text cell. */
export const textCell = z.string().transform((s) => s.trim());

function isInfoRow(row: unknown): row is { record: string[]; info: { lines: number } } {
  if (typeof row !== 'object' || row === null) return false;
  const { record, info } = row as { record?: unknown; info?: { lines?: unknown } };
  return Array.isArray(record) && typeof info?.lines === 'number';
}
