/** The report's charts and timeline pairs (grader/report/), re-exported for labs: labs → kit → report. */
export { barChart, cdfChart, lineChart, scatterChart, type Plot } from '../report/charts.js';
export type { RecordedRun, TimelinePair } from '../report/timeline-view.js';
