/**
 * Other gradebooks' formats, from the same GradingResult: PrairieLearn's external-grader results and
 * JUnit XML (for CI dashboards). Both are deterministic like results.json.
 */
import type { GradingResult } from '../core/types.js';

export const REPORT_FORMATS = ['gradescope', 'prairielearn', 'junit'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** PrairieLearn externalGrading results: score is a fraction; build failures are "not gradable" (no attempt charged). */
export function toPrairieLearn(r: GradingResult): Record<string, unknown> {
  const notGradable =
    r.items.length > 0 && r.items.every((i) => i.verdict === 'compile-error' || i.verdict === 'missing-file');
  const message = [r.internalError !== undefined ? `The grader failed: ${r.internalError}` : '', ...r.notices]
    .filter((s) => s !== '')
    .join('\n');
  return {
    gradable: !notGradable,
    ...(notGradable ? { format_errors: [r.items[0]!.message] } : {}),
    score: r.maxScore > 0 ? Math.round((r.score / r.maxScore) * 1e6) / 1e6 : 0,
    message,
    output: r.typeErrors.join('\n'),
    tests: r.items.map((i) => ({
      name: `${i.number}. ${i.title}`,
      description: `${i.kind}, ${i.visibility}`,
      points: i.score,
      max_points: i.maxScore,
      message: i.message,
      output: i.output,
    })),
  };
}

const xml = (s: string) =>
  s
    .replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!)
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');

export function toJunit(r: GradingResult): string {
  const failures = r.items.filter((i) => i.score < i.maxScore && !isError(i.verdict)).length;
  const errors = r.items.filter((i) => isError(i.verdict)).length;
  const cases = r.items.map((i) => {
    const body =
      i.score >= i.maxScore
        ? ''
        : isError(i.verdict)
          ? `\n      <error type="${xml(i.verdict)}" message="${xml(i.message)}">${xml(i.output)}</error>`
          : `\n      <failure type="${xml(i.verdict)}" message="${xml(i.message)}">${xml(i.output)}</failure>`;
    return `    <testcase classname="${xml(r.lab)}" name="${xml(`${i.number}. ${i.title} (${i.score}/${i.maxScore})`)}">${body}${body === '' ? '' : '\n    '}</testcase>`;
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="servelab" tests="${r.items.length}" failures="${failures}" errors="${errors}">`,
    `  <testsuite name="${xml(`${r.lab} / ${r.submission}`)}" tests="${r.items.length}" failures="${failures}" errors="${errors}">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

function isError(v: string): boolean {
  return !['passed', 'partial', 'failed'].includes(v);
}
