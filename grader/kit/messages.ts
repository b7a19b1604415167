/**
 * The student-facing wording every lab shares: one PASS/FAIL line per case, its problems indented
 * under it, and one summary line per item. One format, so a student reads every lab's report alike.
 */

export interface CaseVerdict {
  readonly name: string;
  readonly hidden: boolean;
  /** What the case checks; shown after the name. */
  readonly expect?: string;
  /** Empty when the case passed. */
  readonly problems: readonly string[];
}

/** "PASS public case: name: expect", then each problem (its lines) indented. */
export function caseLines(c: CaseVerdict): string[] {
  const head = `${c.problems.length === 0 ? 'PASS' : 'FAIL'} ${c.hidden ? 'hidden variant' : 'public case'}: ${c.name}`;
  const lines = [c.expect === undefined ? head : `${head}: ${c.expect}`];
  for (const p of c.problems) for (const line of p.split('\n')) lines.push(`     ${line}`);
  return lines;
}

/** "5 of 8 cases passed (public 3 of 3, hidden variants 2 of 5)". */
export function casesSummary(cases: readonly CaseVerdict[]): string {
  const passed = cases.filter((c) => c.problems.length === 0);
  const pub = cases.filter((c) => !c.hidden);
  const pubPassed = passed.filter((c) => !c.hidden).length;
  const hidden = cases.length - pub.length;
  const split =
    hidden === 0 || pub.length === 0
      ? ''
      : ` (public ${pubPassed} of ${pub.length}, hidden variants ${passed.length - pubPassed} of ${hidden})`;
  return `${passed.length} of ${cases.length} cases passed${split}`;
}

/** A value for a table cell: '-' for missing or non-finite numbers. */
export function fmt(x: number | null | undefined, digits = 3): string {
  return x === null || x === undefined || !Number.isFinite(x) ? '-' : x.toFixed(digits);
}

export const pct = (x: number, digits = 1): string => `${(100 * x).toFixed(digits)}%`;

export { textTable } from '../core/scoring.js';
