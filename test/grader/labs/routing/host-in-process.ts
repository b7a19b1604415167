/**
 * Scores one of the routing lab's simulation items in-process: the grader's engine host asks a trusted
 * router module through the kit's router-session tasks directly, without a worker or a sandbox (the
 * item's `driveInProcess`, run by grader/kit/in-process.ts). For tests only.
 */
import type { ItemContext, ItemOutcome } from '../../../../grader/core/lab.js';
import { runItemInProcess } from '../../../../grader/kit/in-process.js';
import { child } from '../../../../grader/labs/routing/child.js';
import { lab } from '../../../../grader/labs/routing/lab.js';
import type { RoutingModule } from '../../../../grader/labs/routing/student.js';

export async function scoreSimulationItem(
  itemId: string,
  module: RoutingModule,
  ctx: ItemContext,
): Promise<ItemOutcome> {
  const out = await runItemInProcess(lab, itemId, { module, ...child }, ctx);
  if (!('score' in out)) throw new Error(`routing ${itemId} did not score in-process: ${JSON.stringify(out)}`);
  return out;
}
