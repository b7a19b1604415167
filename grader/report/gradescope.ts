/**
 * Gradescope's results.json (autograder_samples docs/specs.md), built from a GradingResult and
 * validated before it is written. Nothing time-dependent goes in, so a regrade is byte-identical.
 */
import { z } from 'zod';
import type { GradingResult } from '../core/types.js';
import { Visibility } from '../manifest/schema.js';

const OutputFormat = z.enum(['text', 'html', 'simple_format', 'md', 'ansi']);

export const GradescopeTest = z.strictObject({
  name: z.string(),
  number: z.string(),
  score: z.number().nonnegative(),
  max_score: z.number().nonnegative(),
  status: z.enum(['passed', 'failed']),
  output: z.string(),
  output_format: OutputFormat,
  visibility: Visibility,
  tags: z.array(z.string()),
  extra_data: z.record(z.string(), z.unknown()).optional(),
});

export const GradescopeResults = z.strictObject({
  score: z.number().nonnegative(),
  output: z.string(),
  output_format: OutputFormat,
  visibility: Visibility,
  stdout_visibility: Visibility,
  tests: z.array(GradescopeTest),
  leaderboard: z
    .array(
      z.strictObject({ name: z.string(), value: z.union([z.number(), z.string()]), order: z.enum(['asc', 'desc']) }),
    )
    .optional(),
  extra_data: z.record(z.string(), z.unknown()).optional(),
});
export type GradescopeResults = z.infer<typeof GradescopeResults>;

/** Keeps results far below Gradescope's limits and a student's flood out of the page. */
const MAX_TEST_OUTPUT = 8000;

export function truncate(text: string, max = MAX_TEST_OUTPUT): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}\n…truncated ${text.length - max} characters`;
}

const fmtPoints = (x: number) => (Number.isInteger(x) ? String(x) : x.toFixed(2));

/**
 * What Gradescope really does with the items that are not `visible` (autograder specs: `hidden` is never
 * shown, `after_due_date` after the (late) due date, `after_published` once grades are published, and
 * any such test hides the student's total score until then). One line per visibility present.
 */
export function visibilityNotes(
  items: readonly Pick<GradingResult['items'][number], 'number' | 'visibility' | 'maxScore'>[],
): string[] {
  const when: Record<Exclude<GradingResult['items'][number]['visibility'], 'visible'>, string> = {
    after_due_date:
      'hidden until after the due date (the late due date, if there is one): you will see the scores and feedback then',
    after_published: 'hidden until the course staff publish the grades: you will see the scores and feedback then',
    hidden: 'never shown to you: counted in your grade, but you will not see the scores or feedback',
  };
  const notes: string[] = [];
  for (const visibility of ['after_due_date', 'after_published', 'hidden'] as const) {
    const group = summarize(items.filter((i) => i.visibility === visibility));
    if (group.count === 0) continue;
    notes.push(
      `${group.count === 1 ? 'Test' : 'Tests'} ${group.numbers} (${fmtPoints(group.points)} ${group.points === 1 ? 'point' : 'points'}) ${group.count === 1 ? 'is' : 'are'} ${when[visibility]}.`,
    );
  }
  if (notes.length > 0)
    notes.push(
      'While any test is hidden from you, Gradescope hides your total score: the scores you see are not your final score.',
    );
  return notes;
}

function summarize(items: readonly { number: string; maxScore: number }[]): {
  count: number;
  numbers: string;
  points: number;
} {
  return {
    count: items.length,
    numbers: items.map((i) => i.number).join(', '),
    points: items.reduce((s, i) => s + i.maxScore, 0),
  };
}

export function toGradescope(result: GradingResult): GradescopeResults {
  const summary = [
    `${result.labTitle}`,
    result.internalError !== undefined
      ? `The autograder itself failed: ${result.internalError}. Your code was not at fault for this; please tell the course staff.`
      : '',
    ...result.notices,
    result.typeErrors.length > 0 ? `Type errors (reported, not graded):\n${result.typeErrors.join('\n')}` : '',
    visibilityNotes(result.items).join('\n'),
  ]
    .filter((s) => s !== '')
    .join('\n\n');
  const leaderboard = result.items.flatMap((i) => i.leaderboard ?? []);
  const results: GradescopeResults = {
    score: result.score,
    output: truncate(summary),
    output_format: 'text',
    visibility: 'visible',
    stdout_visibility: 'hidden',
    tests: result.items.map((i) => ({
      name: i.title,
      number: i.number,
      score: i.score,
      max_score: i.maxScore,
      status: i.score >= i.maxScore && i.maxScore > 0 ? 'passed' : i.verdict === 'passed' ? 'passed' : 'failed',
      output: truncate(`${i.message}\n\n${i.output}`.trim()),
      output_format: 'text',
      visibility: i.visibility,
      tags: [i.kind, i.verdict],
      extra_data: { id: i.id, ...(i.extra ?? {}) },
    })),
    ...(leaderboard.length > 0 ? { leaderboard: leaderboard.map((l) => ({ ...l })) } : {}),
    // No hidden seed here: students can see results.json, and the handout turns a seed into the hidden workloads.
    extra_data: {
      lab: result.lab,
      publicSeed: result.publicSeed,
      graderVersion: result.graderVersion,
      ...(result.wrongLab !== undefined ? { wrongLab: result.wrongLab } : {}),
      ...(result.sandboxLayers !== undefined
        ? { sandboxLayers: { active: [...result.sandboxLayers.active], missing: [...result.sandboxLayers.missing] } }
        : {}),
    },
  };
  return GradescopeResults.parse(results);
}
