/**
 * The report's charts live in the simulator (`sim/report/charts.ts`) so the sim CLI's `--plots` and
 * the grader's reports render the same way; this module keeps the grader's imports where they were.
 */
export * from '../../sim/report/charts.js';
