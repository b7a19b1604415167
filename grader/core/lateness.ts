/**
 * Late penalties from Gradescope's submission_metadata.json (created_at vs the assignment's due
 * dates; regrades run later, so the submission time is what counts). Pure: the policy and the dates in,
 * the multiplier and a note out.
 */
import { z } from 'zod';

export const SubmissionMetadata = z.looseObject({
  created_at: z.string(),
  assignment: z.looseObject({ due_date: z.string(), late_due_date: z.string().nullable().optional() }),
});

export interface LatePolicy {
  readonly penaltyPerDay: number;
  readonly maxDays: number;
}

export interface Lateness {
  readonly multiplier: number;
  readonly note: string;
}

const DAY_MS = 24 * 3600 * 1000;

export function lateness(metadata: unknown, policy: LatePolicy): Lateness {
  const parsed = SubmissionMetadata.safeParse(metadata);
  if (!parsed.success)
    return { multiplier: 1, note: 'submission_metadata.json has no usable dates; no late penalty applied' };
  const submitted = Date.parse(parsed.data.created_at);
  const due = Date.parse(parsed.data.assignment.due_date);
  if (!Number.isFinite(submitted) || !Number.isFinite(due))
    return { multiplier: 1, note: 'unreadable submission or due date; no late penalty applied' };
  if (submitted <= due) return { multiplier: 1, note: '' };
  const days = Math.ceil((submitted - due) / DAY_MS);
  const lateDue = parsed.data.assignment.late_due_date ? Date.parse(parsed.data.assignment.late_due_date) : Number.NaN;
  if (days > policy.maxDays || (Number.isFinite(lateDue) && submitted > lateDue)) {
    return { multiplier: 0, note: `submitted ${days} day(s) late, past the last accepted date: score 0` };
  }
  const multiplier = Math.max(0, 1 - policy.penaltyPerDay * days);
  return {
    multiplier,
    note: `submitted ${days} day(s) late: ${Math.round(policy.penaltyPerDay * days * 100)}% late penalty applied`,
  };
}
