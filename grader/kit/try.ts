/** `npm run try -- <lab>` (grader/core/try.ts): what a lab's try.ts defines, re-exported for labs, and the shape every lab's measure shares. */
import type { TryMeasure } from '../core/try.js';

export { loadExport } from '../core/load-module.js';
export type { LabTry, TryMeasure } from '../core/try.js';

/**
 * A try's measure, case by case: `measure(c)` gives a case's values; a throw becomes the error line
 * `label(c): message`, and the other cases still run.
 */
export function measureEach<C>(
  cases: readonly C[],
  label: (c: C) => string,
  measure: (c: C) => Readonly<Record<string, number>>,
): TryMeasure {
  const values: Record<string, number> = {};
  const errors: string[] = [];
  for (const c of cases) {
    try {
      Object.assign(values, measure(c));
    } catch (err) {
      errors.push(`${label(c)}: ${(err as Error).message}`);
    }
  }
  return { values, errors };
}

/** A plot's points: [x, the value measured under key(x)] for each x, skipping values not measured. */
export const measuredPoints =
  (xs: readonly number[], key: (x: number) => string) =>
  (m: TryMeasure): [number, number][] =>
    xs.flatMap((x) => (m.values[key(x)] === undefined ? [] : [[x, m.values[key(x)]!]]));
