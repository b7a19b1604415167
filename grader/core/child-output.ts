/**
 * Reading what a lab's harness (the sandboxed child) returned: it is validated against the lab's zod
 * schema, and data of the wrong shape is the student's failure ("invalid-output"), never the grader's.
 */
import type { z } from 'zod';

export class InvalidOutput extends Error {
  readonly verdict = 'invalid-output';
}

/** The child's reply as the variant of `schema` for `task`, or InvalidOutput. */
export function parseTaskOutput<Output extends { task: string }, Task extends Output['task']>(
  schema: z.ZodType<Output>,
  raw: unknown,
  task: Task,
): Extract<Output, { task: Task }> {
  const parsed = schema.safeParse(raw);
  if (!parsed.success || parsed.data.task !== task)
    throw new InvalidOutput('the harness returned data of the wrong shape');
  return parsed.data as Extract<Output, { task: Task }>;
}
