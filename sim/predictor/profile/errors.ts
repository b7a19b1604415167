/**
 * Problems with a profile directory, as data: what went wrong, where (file, line, column) and how to
 * fix it. `formatProfileError` is the only place that turns one into text.
 */
import { InputError } from '../../errors.js';

export type ProfileErrorCode =
  | 'missing-file'
  | 'missing-column'
  | 'bad-value'
  | 'bad-csv'
  | 'no-matching-rows'
  | 'unknown-model';

export interface ProfileIssue {
  readonly code: ProfileErrorCode;
  readonly file: string;
  /** 1-based line in the file, counting the header as line 1. */
  readonly line?: number;
  readonly column?: string;
  readonly message: string;
  readonly fix?: string;
}

export function formatProfileError(issue: ProfileIssue): string {
  const where = issue.line === undefined ? issue.file : `${issue.file}:${issue.line}`;
  const column = issue.column === undefined ? '' : ` column "${issue.column}"`;
  const fix = issue.fix === undefined ? '' : `. ${issue.fix}`;
  return `${where}${column}: ${issue.message}${fix}`;
}

export class ProfileError extends InputError {
  readonly issue: ProfileIssue;

  constructor(issue: ProfileIssue) {
    super(formatProfileError(issue));
    this.name = 'ProfileError';
    this.issue = issue;
  }
}
