/**
 * What a lab's items are written against (grader/core/lab.ts), re-exported so a lab imports only the
 * kit and the engine: labs → kit → core.
 */
export { InvalidOutput } from '../core/child-output.js';
export type { ItemContext, ItemImplementation, ItemOutcome, LabDefinition } from '../core/lab.js';
