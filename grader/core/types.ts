/**
 * The grader's results, as data. A rubric item always ends with a verdict; `internalError` keeps a
 * failure of the grader itself apart from the student's failures (otter-grader's distinction).
 */
import type { ItemKind, Visibility } from '../manifest/schema.js';
import type { Plot } from '../report/charts.js';
import type { TimelinePair } from '../report/timeline-view.js';
import type { SandboxVerdict } from '../sandbox/run-sandboxed.js';

/**
 * How an item ended: passed/partial/failed are scored outcomes; the sandbox's own verdicts (timeout,
 * memory, …) say why the student's code did not finish; the rest come before or after the child.
 */
export type Verdict =
  | 'passed'
  | 'partial'
  | 'failed'
  | Exclude<SandboxVerdict, 'ok'>
  | 'compile-error'
  | 'missing-file'
  | 'grader-error';

export interface ItemResult {
  readonly id: string;
  readonly number: string;
  readonly title: string;
  readonly kind: ItemKind;
  readonly visibility: Visibility;
  readonly score: number;
  readonly maxScore: number;
  readonly verdict: Verdict;
  /** One line: what happened. */
  readonly message: string;
  /** Longer student-visible text: expected vs actual, tables, compiler output. */
  readonly output: string;
  /** Wall-clock milliseconds of the item's run (reports only; never in results.json, which must be reproducible). */
  readonly durationMs: number;
  readonly leaderboard?: readonly LeaderboardEntry[];
  readonly extra?: Readonly<Record<string, unknown>>;
  readonly plots?: readonly Plot[];
  /** Report-only, like plots: the student's and the reference's timelines (grader/report/timeline-view.ts). */
  readonly timelines?: TimelinePair;
}

export interface LeaderboardEntry {
  readonly name: string;
  readonly value: number;
  readonly order: 'asc' | 'desc';
}

export interface GradingResult {
  readonly lab: string;
  readonly labTitle: string;
  readonly submission: string;
  readonly hiddenSeed: number;
  readonly publicSeed: number;
  readonly mode: 'grade' | 'check';
  readonly items: readonly ItemResult[];
  readonly score: number;
  readonly maxScore: number;
  /** Problems found before any item ran (intake, build), shown at the top of the report. */
  readonly notices: readonly string[];
  /** Type errors: reported, never fatal while the code transpiles. */
  readonly typeErrors: readonly string[];
  /** A failure of the grader itself (not the student's fault), if any. */
  readonly internalError?: string;
  /** The lab the submission was made for when it is another lab's (nothing was graded). */
  readonly wrongLab?: string;
  readonly graderVersion: string;
  readonly durationMs: number;
  /** The sandbox's operating-system layers on the machine that graded (grader/sandbox/isolation.ts). */
  readonly sandboxLayers?: { readonly active: readonly string[]; readonly missing: readonly string[] };
}
