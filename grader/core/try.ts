/**
 * `npm run try -- <lab>`: the student's code, run directly (no sandbox) on the lab's public workloads,
 * beside the engine's baselines and the reference's published numbers. Each lab says how to load its
 * policy from a folder, which baselines to show and what to measure (LabTry); this module runs them
 * and assembles the table and plots.
 *
 * The published numbers are data: `dist:student` measures the reference on the public seed and ships
 * labs/<lab>/published.json; the handout never computes them (it has no reference). In the instructor
 * checkout, without that file, they are measured from reference/<lab>/.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { scatterChart, type Plot } from '../report/charts.js';

/** One measured quantity per row: `key` names the workload and the metric, e.g. "2 QPS: mean e2e (s)". */
export interface TryMeasure {
  readonly values: Readonly<Record<string, number>>;
  /** Runs that failed (e.g. the student's code threw): "workload: error". */
  readonly errors: readonly string[];
}

export interface TryPlot {
  readonly title: string;
  readonly x: string;
  readonly y: string;
  /** [x, y] points of one policy's measure, in order. */
  readonly points: (m: TryMeasure) => [number, number][];
}

export interface LabTry<P = unknown> {
  readonly lab: string;
  /** The lab's policy built from the lab files in `dir` (the student's folder, or reference/<lab>). */
  load(dir: string): Promise<P>;
  /** Engine baselines, by column name. */
  baselines(): Readonly<Record<string, P>>;
  /** Row keys in order (every key `measure` may return). */
  rows(seed: number): readonly string[];
  measure(policy: P, seed: number): TryMeasure;
  format(key: string, value: number): string;
  readonly plots?: readonly TryPlot[];
  /** One line under the table: what the public workloads are and how the hidden ones differ. */
  readonly about: string;
}

export const publishedFile = (lab: string): string => `labs/${lab}/published.json`;

const Published = z.strictObject({
  lab: z.string(),
  seed: z.number().int(),
  values: z.record(z.string(), z.number()),
});
export type Published = z.infer<typeof Published>;

/** The reference's numbers on the public seed, as `dist:student` ships them. */
export async function buildPublished(t: LabTry, repoRoot: string, publicSeed: number): Promise<string> {
  const policy = await t.load(join(repoRoot, 'reference', t.lab));
  const m = t.measure(policy, publicSeed);
  if (m.errors.length > 0) throw new Error(`the reference failed on the public workloads: ${m.errors.join('; ')}`);
  const out: Published = { lab: t.lab, seed: publicSeed, values: m.values };
  return `${JSON.stringify(out, null, 1)}\n`;
}

/** Shipped published numbers, else (instructor checkout) measured from the reference, else undefined. */
export async function readPublished(t: LabTry, repoRoot: string, publicSeed: number): Promise<Published | undefined> {
  const file = join(repoRoot, publishedFile(t.lab));
  if (existsSync(file)) return Published.parse(JSON.parse(readFileSync(file, 'utf8')));
  if (!existsSync(join(repoRoot, 'reference', t.lab))) return undefined;
  return Published.parse(JSON.parse(await buildPublished(t, repoRoot, publicSeed)));
}

export interface TryOutcome {
  readonly header: string[];
  readonly rows: string[][];
  readonly notes: string[];
  readonly plots: Plot[];
}

export async function tryLab(
  t: LabTry,
  opts: { dir: string; seed: number; publicSeed: number; repoRoot: string },
): Promise<TryOutcome> {
  const notes: string[] = [];
  let yours: TryMeasure;
  try {
    yours = t.measure(await t.load(opts.dir), opts.seed);
  } catch (err) {
    yours = { values: {}, errors: [`your code: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`] };
  }
  notes.push(...yours.errors.map((e) => `yours failed: ${e}`));
  const baselines = Object.entries(t.baselines()).map(([name, p]) => [name, t.measure(p, opts.seed)] as const);
  const published = await readPublished(t, opts.repoRoot, opts.publicSeed);
  const publishedApplies = published !== undefined && published.seed === opts.seed;
  if (published === undefined) notes.push('no published reference numbers here (labs/<lab>/published.json is missing)');
  else if (!publishedApplies)
    notes.push(
      `the reference's published numbers are for seed ${published.seed}, not ${opts.seed}: that column is empty`,
    );
  const header = ['workload: metric', 'yours', ...baselines.map(([name]) => name), 'reference (published)'];
  const cell = (m: Readonly<Record<string, number>> | undefined, key: string) =>
    m?.[key] === undefined ? '-' : t.format(key, m[key]!);
  const rows = t
    .rows(opts.seed)
    .map((key) => [
      key,
      cell(yours.values, key),
      ...baselines.map(([, m]) => cell(m.values, key)),
      cell(publishedApplies ? published.values : undefined, key),
    ]);
  for (const [name, m] of baselines) notes.push(...m.errors.map((e) => `${name} failed: ${e}`));
  notes.push(t.about);
  const plots = (t.plots ?? []).map((p) =>
    scatterChart({
      title: p.title,
      x: p.x,
      y: p.y,
      connect: true,
      series: [
        { name: 'yours', points: p.points(yours) },
        ...baselines.map(([name, m]) => ({ name, points: p.points(m) })),
        ...(publishedApplies
          ? [{ name: 'reference', points: p.points({ values: published.values, errors: [] }), dashed: true }]
          : []),
      ],
    }),
  );
  return { header, rows, notes, plots };
}
