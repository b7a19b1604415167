/**
 * A scenario item's comparison of the student's runs with baseline policies' runs on the same
 * workloads (lower is better: latency, cost): one table row per workload, and per baseline the
 * improvements a rule (rules.ts) turns into points.
 */
import { textTable } from '../core/scoring.js';
import { fmt, pct } from './messages.js';

/** One workload: the student's value and each baseline's, by the name the table shows. */
export interface VersusRow {
  readonly label: string;
  readonly yours: number;
  readonly baselines: Readonly<Record<string, number>>;
}

export interface Versus {
  /** "workload, yours (unit), <baseline>…, vs <baseline>…". */
  readonly table: string;
  /** Per baseline, per workload: 1 − yours / baseline (positive: the student's is lower). */
  readonly improvement: Readonly<Record<string, number[]>>;
}

export function versusBaselines(rows: readonly VersusRow[], unit = 's'): Versus {
  const names = Object.keys(rows[0]?.baselines ?? {});
  const improvement = Object.fromEntries(names.map((n) => [n, rows.map((r) => 1 - r.yours / r.baselines[n]!)]));
  const table = textTable(
    ['workload', `yours (${unit})`, ...names, ...names.map((n) => `vs ${n}`)],
    rows.map((r, i) => [
      r.label,
      fmt(r.yours),
      ...names.map((n) => fmt(r.baselines[n])),
      ...names.map((n) => pct(improvement[n]![i]!)),
    ]),
  );
  return { table, improvement };
}
