/** `npm run try -- <lab>` (grader/core/try.ts): what a lab's try.ts defines, re-exported for labs. */
export { loadExport } from '../core/load-module.js';
export type { LabTry, TryMeasure } from '../core/try.js';
