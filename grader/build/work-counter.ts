/**
 * The work counter that instrumented student code (count-work.ts) increments: one per loop iteration and
 * one per function call. Read in the child, around the calls being measured; no parser is imported here,
 * so the child's bundle stays small.
 */
export const WORK_COUNTER = '__servelabWork';

/** Work counted so far in this process (0 where no code was instrumented). */
export function workDone(): number {
  const n = (globalThis as Record<string, unknown>)[WORK_COUNTER];
  return typeof n === 'number' && Number.isFinite(n) ? n : 0;
}
