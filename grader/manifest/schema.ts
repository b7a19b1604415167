/**
 * A lab's manifest (labs/<lab>/manifest.json): which files students hand in, the rubric, and the
 * limits each rubric item runs under. Validated on load; the types come from the schema.
 */
import { z } from 'zod';

export const Visibility = z.enum(['visible', 'after_due_date', 'after_published', 'hidden']);
export type Visibility = z.infer<typeof Visibility>;

export const ItemKind = z.enum(['unit', 'scenario', 'benchmark', 'scaling']);
export type ItemKind = z.infer<typeof ItemKind>;

export const RubricItem = z.strictObject({
  id: z.string().regex(/^[a-z0-9-]+$/, 'use lower-case letters, digits and "-"'),
  title: z.string().min(1),
  points: z.number().nonnegative(),
  visibility: Visibility,
  kind: ItemKind,
  /** Shown to students with the result: what the item checks and how it scores. */
  description: z.string().min(1),
  /** Overrides of the lab's limits for this item. */
  timeoutMs: z.number().int().positive().optional(),
  maxOldSpaceMb: z.number().int().positive().optional(),
});
export type RubricItem = z.infer<typeof RubricItem>;

export const Manifest = z
  .strictObject({
    lab: z.string().regex(/^[a-z0-9-]+$/),
    title: z.string().min(1),
    /** Where the student files live in the repository, relative to its root. */
    studentDir: z.string().min(1),
    referenceDir: z.string().min(1),
    /** Student files, relative to studentDir. Only these are taken from a submission. */
    files: z.array(z.string().regex(/^[\w./-]+\.ts$/, 'student files are .ts paths without ".."')).min(1),
    /** Seed of the public (visible) checks; hidden items use the hidden seed. */
    publicSeed: z.number().int(),
    /** Hidden seed used when neither --seed nor SERVELAB_HIDDEN_SEED is given (so the demo works). */
    defaultHiddenSeed: z.number().int(),
    limits: z.strictObject({
      itemTimeoutMs: z.number().int().positive(),
      maxOldSpaceMb: z.number().int().positive(),
      maxOutputBytes: z.number().int().positive(),
    }),
    items: z.array(RubricItem).min(1),
  })
  .superRefine((m, ctx) => {
    const seen = new Set<string>();
    m.items.forEach((item, i) => {
      if (seen.has(item.id))
        ctx.addIssue({ code: 'custom', path: ['items', i, 'id'], message: `duplicate item id "${item.id}"` });
      seen.add(item.id);
    });
    if (m.studentDir !== `starter/${m.lab}`)
      ctx.addIssue({
        code: 'custom',
        path: ['studentDir'],
        message: `must be "starter/${m.lab}": a harness imports the student's files as @student/${m.lab}/<file>, which tsconfig.json and the grader's build map to starter/${m.lab}/<file>`,
      });
    m.files.forEach((f, i) => {
      if (f.split('/').includes('..'))
        ctx.addIssue({ code: 'custom', path: ['files', i], message: 'must not contain ".."' });
    });
  });
export type Manifest = z.infer<typeof Manifest>;

export function totalPoints(m: Manifest): number {
  return m.items.reduce((sum, item) => sum + item.points, 0);
}
