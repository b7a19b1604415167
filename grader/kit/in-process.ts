/**
 * Grading a trusted module without the sandbox: each item's child request is answered by the lab's
 * child tasks in this process, on a module already loaded (the reference, or a mutant of it), and
 * scored as the grader scores a child's reply. For tests and the many-seed checks only: student code
 * never runs this way, since nothing here isolates it. Items that drive the child per call (routing's
 * simulations) are asked through their `driveInProcess`, and skipped without one.
 */
import { scoreItem, type ItemContext, type ItemOutcome, type LabDefinition } from '../core/lab.js';
import { handleRequest, type DriverSpec } from './driver.js';

export type InProcessOutcome = ItemOutcome | { readonly skipped: 'drives the child' } | { readonly error: string };

/** One item: its request answered in-process, the reply copied through JSON as the channel would. */
export async function runItemInProcess<M>(
  lab: LabDefinition,
  itemId: string,
  driver: DriverSpec<M>,
  ctx: ItemContext,
  /** What `prepare(ctx)` returned, when the caller has it already. */
  preparedAlready?: { readonly input: unknown; readonly prepared: unknown },
): Promise<InProcessOutcome> {
  const impl = lab.items[itemId];
  const item = lab.manifest.items.find((i) => i.id === itemId);
  if (impl === undefined || item === undefined) throw new Error(`lab ${lab.manifest.lab} has no item ${itemId}`);
  const { input, prepared } = preparedAlready ?? impl.prepare(ctx);
  // Each answer is copied through JSON, as the channel would copy it.
  const ask = (payload: unknown) => JSON.parse(JSON.stringify(handleRequest(driver, payload) ?? null)) as unknown;
  let reply: unknown;
  try {
    if (impl.drive !== undefined) {
      if (impl.driveInProcess === undefined) return { skipped: 'drives the child' };
      reply = await impl.driveInProcess(prepared, ask, ctx);
    } else reply = ask(input);
  } catch (err) {
    // In the sandbox this is the item's `error` verdict: the module threw outside any case.
    return { error: err instanceof Error ? err.message : String(err) };
  }
  return scoreItem(impl, reply, prepared, ctx, item.points);
}

/** Every item of the lab, by id, in manifest order. */
export async function gradeInProcess<M>(
  lab: LabDefinition,
  driver: DriverSpec<M>,
  ctx: ItemContext,
): Promise<Record<string, InProcessOutcome>> {
  const out: Record<string, InProcessOutcome> = {};
  for (const item of lab.manifest.items) out[item.id] = await runItemInProcess(lab, item.id, driver, ctx);
  return out;
}
