/**
 * A unit item runs all its cases in one child; one case that loops forever would time the whole item
 * out and zero every case. Items that can run a case alone say how (`ItemImplementation.splitCases`):
 * after a timeout the grader reruns each case in its own child, names the case that hung, and scores
 * the others as usual.
 */

/** One case's rerun: its raw child result, or why it gave none (timeout, crash …). */
export type CaseRun = { readonly raw: unknown } | { readonly failure: string };

export interface SplitCases {
  /** Each case's name and child input alone, in case order; undefined when the input has a single case. */
  inputs(input: unknown): { name: string; input: unknown }[] | undefined;
  /** The raw result of the whole item, from the cases' reruns (a failed case becomes that case's error). */
  merge(input: unknown, runs: readonly CaseRun[]): unknown;
}

/** Every case gets at least this long alone (a child's start-up included). */
export const MIN_CASE_TIMEOUT_MS = 3000;

export function caseTimeoutMs(itemTimeoutMs: number, cases: number): number {
  return Math.max(MIN_CASE_TIMEOUT_MS, Math.ceil(itemTimeoutMs / Math.max(1, cases)));
}

/**
 * For inputs `{ task, cases: [...] }` whose output is `{ task, cases: [...] }`: a case alone is the input
 * with `cases: [c]`; `failed(c, message)` is the result a case that gave none stands for (it must carry
 * the message as the case's `error`, so the case fails naming it).
 */
export function splitByCasesArray(
  failed: (input: { task: string; cases: { name: string }[] }, index: number, message: string) => unknown,
): SplitCases {
  return {
    inputs(input) {
      const cases = (input as { cases?: unknown }).cases;
      if (!Array.isArray(cases) || cases.length < 2) return undefined;
      return cases.map((c: { name?: unknown }, i) => ({
        name: typeof c.name === 'string' ? c.name : `case ${i + 1}`,
        input: { ...(input as object), cases: [c] },
      }));
    },
    merge(input, runs) {
      const typed = input as { task: string; cases: { name: string }[] };
      return {
        task: typed.task,
        cases: runs.map((run, i) => {
          if ('raw' in run) {
            const got = (run.raw as { cases?: unknown[] } | undefined)?.cases?.[0];
            if (got !== undefined) return got;
            return failed(typed, i, 'the case returned no result');
          }
          return failed(typed, i, run.failure);
        }),
      };
    },
  };
}
