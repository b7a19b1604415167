/**
 * What a lab gives the grader: its manifest, the child-side harness that runs student code, and for
 * each rubric item how to prepare the child's input (in the trusted parent, from the seeds) and how
 * to score what the child returns (also in the parent; the child's data is validated, never trusted).
 */
import type { z } from 'zod';
import type { Manifest } from '../manifest/schema.js';
import type { Plot } from '../report/charts.js';
import type { TimelinePair } from '../report/timeline-view.js';
import type { SplitCases } from './split-cases.js';
import type { LabTry } from './try.js';
import type { SandboxSession } from '../sandbox/run-sandboxed.js';
import { InvalidOutput } from './child-output.js';

export interface ItemContext {
  readonly hiddenSeed: number;
  readonly publicSeed: number;
  readonly repoRoot: string;
  /**
   * 'check' is the students' local runner (`npm run check`): it runs in a handout without reference/,
   * so a visible item must not need the reference there (use data from `handoutData`). Default 'grade'.
   */
  readonly mode?: 'grade' | 'check';
}

export interface ItemOutcome {
  /** Points earned, 0..maxScore. */
  readonly score: number;
  readonly message: string;
  readonly output: string;
  readonly leaderboard?: readonly { name: string; value: number; order: 'asc' | 'desc' }[];
  readonly extra?: Readonly<Record<string, unknown>>;
  /** Charts for the HTML report (inline SVG) and report.md (linked SVG files); never in results.json. */
  readonly plots?: readonly Plot[];
  /** The student's run and the reference's on one public workload, for the report's side-by-side timeline. */
  readonly timelines?: TimelinePair;
  /**
   * Status-only (0-point) items: whether the check passed. Points decide every other item's verdict;
   * a 0-point item would otherwise always read "passed".
   */
  readonly passed?: boolean;
  /**
   * Every run of the student's code the item scores ended in a throw (the harness caught it to report
   * it): the item is then `error`, as when a throw stops the child, so code that throws has one verdict
   * in every lab. A unit case that throws is a failed case; the item is `error` only if all of them threw.
   */
  readonly threw?: boolean;
  /** Every case threw because memory ran out (an allocation failed): the item is `memory`, not `error`. */
  readonly outOfMemory?: boolean;
}

export interface ItemImplementation<Prepared = unknown, Output = unknown> {
  /** Builds the item's input; `input` goes to the child over IPC, `prepared` stays in the parent. */
  prepare(ctx: ItemContext): { input: unknown; prepared: Prepared };
  /**
   * The schema of the child's reply (required: every item says what it accepts). Core parses the reply
   * with it before `score` runs (scoreItem):
   * data of another shape is the student's `invalid-output`, and `score` gets typed data. Items that
   * `drive` the child validate each answer themselves and return trusted data, parsed here as well.
   */
  readonly output: z.ZodType<Output>;
  /**
   * Optional: talk to the child in turns instead of sending `input` in one request (the routing lab
   * runs its engine here, in the grader, and asks the child per router call, so hidden data stays in
   * the parent). What it resolves with is what `score` receives; the child's answers must be validated
   * by it. A child that ends early (timeout, crash) gives the item its verdict as usual.
   */
  drive?(session: SandboxSession, prepared: Prepared, ctx: ItemContext): Promise<Output>;
  /**
   * Who asks the child while `drive` runs: `thread` (default, `session.ask`), or `worker` when `drive`
   * hands the session to an engine worker (grader/kit/engine-worker.ts), which asks it directly.
   */
  readonly driveChannel?: 'thread' | 'worker';
  /**
   * `drive` without a sandbox, for trusted modules graded in-process (grader/kit/in-process.ts: tests and
   * the many-seed sweep): the same conversation, each turn answered by `ask` at once.
   */
  driveInProcess?(prepared: Prepared, ask: (payload: unknown) => unknown, ctx: ItemContext): Output | Promise<Output>;
  /**
   * Scores the child's (unvalidated) result, or what `drive` returned. Throwing here is a grader error, not the student's.
   * May be async, e.g. to load the reference solution with `importReference` (never import
   * reference/ statically from grader code: the student handout ships the grader without it).
   */
  score(result: Output, prepared: Prepared, ctx: ItemContext, maxScore: number): ItemOutcome | Promise<ItemOutcome>;
  /** How to run each case alone, so a case that hangs is named and the others still score (split-cases.ts). */
  readonly splitCases?: SplitCases;
}

export interface LabDefinition {
  readonly manifest: Manifest;
  /** Absolute path of the TypeScript module the child runs; it imports the student's code as `@student/<lab>/<file>`. */
  readonly harnessEntry: string;
  readonly items: Readonly<Record<string, ItemImplementation>>;
  /**
   * Files `dist:student` computes in the instructor checkout (where the reference is) and ships in the
   * handout, by repo-relative path: e.g. the expected values of public checks, or the reference's
   * published numbers on the public workloads. Never anything that depends on the hidden seed.
   */
  readonly handoutData?: (repoRoot: string) => Promise<Readonly<Record<string, string>>>;
  /** `npm run try -- <lab>`: the student's code on the public workloads beside baselines and the reference's published numbers. */
  readonly tryout?: LabTry;
  /** Build the student's code with its work counted (grader/build/count-work.ts), for items that measure it. */
  readonly countWork?: boolean;
}

/** Checks that manifest and implementation agree, so a renamed item cannot silently score 0. */
export function checkLabDefinition(lab: LabDefinition): void {
  const implemented = new Set(Object.keys(lab.items));
  const listed = new Set(lab.manifest.items.map((i) => i.id));
  const missing = [...listed].filter((id) => !implemented.has(id));
  const extra = [...implemented].filter((id) => !listed.has(id));
  if (missing.length > 0 || extra.length > 0) {
    throw new Error(
      `lab ${lab.manifest.lab}: manifest and grader disagree` +
        (missing.length > 0 ? `; no implementation for ${missing.join(', ')}` : '') +
        (extra.length > 0 ? `; not in the manifest: ${extra.join(', ')}` : ''),
    );
  }
}

/**
 * Scores a child's reply: parsed with the item's output schema first (a mismatch throws InvalidOutput,
 * the student's `invalid-output`), then the item's `score`. The one way grader and tests score an item.
 */
export async function scoreItem<P, O>(
  impl: ItemImplementation<P, O>,
  raw: unknown,
  prepared: P,
  ctx: ItemContext,
  maxScore: number,
): Promise<ItemOutcome> {
  return impl.score(parseItemOutput(impl, raw), prepared, ctx, maxScore);
}

function parseItemOutput<P, O>(impl: ItemImplementation<P, O>, raw: unknown): O {
  const parsed = impl.output.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue === undefined || issue.path.length === 0 ? '' : ` at ${issue.path.join('.')}`;
  throw new InvalidOutput(`the harness returned data of the wrong shape${where}: ${issue?.message ?? 'invalid'}`);
}
