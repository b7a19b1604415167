/**
 * One child run of a rubric item: a single request (the child's reply is what `score` gets), or, for
 * items that `drive` a session (the routing lab asks the child per router call), the session and
 * what `drive` made of it. Shared by the grader and the tests that run items without grading them.
 * A session driven from an engine worker (`driveChannel: 'worker'`) is finished only after `drive`
 * settles, which runEngineWorker does once its worker has exited.
 */
import {
  runSandboxed,
  startSandboxSession,
  type SandboxOptions,
  type SandboxOutcome,
} from '../sandbox/run-sandboxed.js';
import type { ItemContext, ItemImplementation } from './lab.js';

export interface ItemChildRun {
  readonly outcome: SandboxOutcome;
  /** What `score` gets: the child's reply, or what `drive` made of the session. */
  readonly result: unknown;
}

export async function runItemChild(
  impl: ItemImplementation,
  sandbox: SandboxOptions,
  prepared: unknown,
  ctx: ItemContext,
): Promise<ItemChildRun> {
  if (impl.drive === undefined) {
    const outcome = await runSandboxed(sandbox);
    return { outcome, result: outcome.result };
  }
  const session = await startSandboxSession({ ...sandbox, channel: impl.driveChannel ?? 'thread' });
  // A child that ended early makes drive() stop; its outcome carries the verdict.
  const driven = await impl.drive(session, prepared, ctx).catch(async (err: unknown) => {
    await session.finish();
    throw err;
  });
  return { outcome: await session.finish(), result: driven };
}
