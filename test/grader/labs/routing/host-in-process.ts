/**
 * Scores the routing lab's simulation items in-process: the grader's engine host (engine-host.ts's
 * hostRuns) asks a trusted router module through the kit's router-session tasks directly, without a
 * worker or a sandbox (grader/kit/in-process.ts skips items that drive the child). For tests only.
 */
import { scoreItem, type ItemContext, type ItemOutcome } from '../../../../grader/core/lab.js';
import { routerSessionTasks, type RouterCall, type RouterOpen } from '../../../../grader/kit/router-session.js';
import { hostRuns } from '../../../../grader/labs/routing/engine-host.js';
import { lab } from '../../../../grader/labs/routing/lab.js';
import type { RoutingModule } from '../../../../grader/labs/routing/student.js';
import type { SimulationRun } from '../../../../grader/labs/routing/schemas.js';

export async function scoreSimulationItem(
  itemId: string,
  module: RoutingModule,
  ctx: ItemContext,
): Promise<ItemOutcome> {
  const impl = lab.items[itemId];
  const item = lab.manifest.items.find((i) => i.id === itemId);
  if (impl === undefined || item === undefined) throw new Error(`routing has no item ${itemId}`);
  const { prepared } = impl.prepare(ctx);
  const tasks = routerSessionTasks((m: RoutingModule) => m.AiRouter);
  const ask = (payload: unknown) => {
    const p = payload as RouterOpen | RouterCall;
    return p.task === 'open' ? tasks.open.run(p, module) : tasks.call.run(p, module);
  };
  const runs = (prepared as { run: SimulationRun }[]).map((w) => w.run);
  return scoreItem(impl, hostRuns(runs, ask), prepared, ctx, item.points);
}
