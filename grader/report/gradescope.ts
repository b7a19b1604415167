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
  leaderboard: z.array(z.strictObject({ name: z.string(), value: z.union([z.number(), z.string()]), order: z.enum(['asc', 'desc']) })).optional(),
  extra_data: z.record(z.string(), z.unknown()).optional(),
});
export type GradescopeResults = z.infer<typeof GradescopeResults>;

/** Keeps results far below Gradescope's limits and a student's flood out of the page. */
const MAX_TEST_OUTPUT = 8000;

export function truncate(text: string, max = MAX_TEST_OUTPUT): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}\n…truncated ${text.length - max} characters`;
}

export function toGradescope(result: GradingResult): GradescopeResults {
  const hiddenExists = result.items.some((i) => i.visibility !== 'visible');
  const summary = [
    `${result.labTitle}`,
    result.internalError !== undefined ? `The autograder itself failed: ${result.internalError}. Your code was not at fault for this; please tell the course staff.` : '',
    ...result.notices,
    result.typeErrors.length > 0 ? `Type errors (reported, not graded):\n${result.typeErrors.join('\n')}` : '',
    hiddenExists ? 'Some tests are hidden until after the due date; the score shown may not be your final score.' : '',
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
    extra_data: {
      lab: result.lab,
      hiddenSeed: result.hiddenSeed,
      publicSeed: result.publicSeed,
      graderVersion: result.graderVersion,
      ...(result.sandboxLayers !== undefined ? { sandboxLayers: { active: [...result.sandboxLayers.active], missing: [...result.sandboxLayers.missing] } } : {}),
    },
  };
  return GradescopeResults.parse(results);
}
