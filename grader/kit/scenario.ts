/**
 * Scenario items: the student's code runs a workload in the child and reports what it did; the parent
 * judges that report with trusted code (a replay in its own engine, a check of the claimed numbers).
 */
import type { ReplicaSchedulerInit } from '../../sim/policies/replica/replica-scheduler.js';
import { ReplayError, ReplayReplicaScheduler, type ReplayRules } from './batch-replay.js';

/** What the parent makes of the student's run of one workload: a value from trusted code, or why there is none. */
export type Judged<T> =
  | { readonly value: T; readonly problem?: undefined }
  | { readonly value?: undefined; readonly problem: string };

/**
 * The student's run as the parent judges it: "no result" when the child sent none, the error the
 * child caught when the student's code threw, else `judge(run)`. A throw in `judge` is the run's
 * problem: a ReplayError says which rule the run broke; anything else is named as a failed replay.
 */
export function judgeRun<R extends { readonly error?: string | undefined }, T>(
  run: R | undefined,
  judge: (run: R) => T,
): Judged<T> {
  if (run === undefined) return { problem: 'no result' };
  if (run.error !== undefined) return { problem: `your scheduler failed: ${run.error}` };
  try {
    return { value: judge(run) };
  } catch (err) {
    return { problem: err instanceof ReplayError ? err.message : `replay failed: ${String(err)}` };
  }
}

/**
 * Runs `simulate` with a replay of the student's batch log (batch-replay.ts) as the replica scheduler
 * (`make`); calls left in the log when the run ends are a ReplayError too: the child formed batches
 * the replay never asked for.
 */
export function replayed<R>(
  log: readonly number[],
  rules: ReplayRules,
  simulate: (make: (init: ReplicaSchedulerInit) => ReplayReplicaScheduler) => R,
): R {
  let replica: ReplayReplicaScheduler | undefined;
  const result = simulate((init) => (replica = new ReplayReplicaScheduler(init, log, rules)));
  if (replica?.remaining === true)
    throw new ReplayError('the batch log has calls the replay never made: the run did not follow the engine');
  return result;
}
