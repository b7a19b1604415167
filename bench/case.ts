/** Runs one benchmark case (by name) and prints its measurements as JSON on stdout. */
import { TimelineRecorder } from '../sim/metrics/timeline/index.js';
import { runSimulation } from '../sim/run.js';
import { BENCH_CASES } from './cases.js';

const name = process.argv[2];
const bench = BENCH_CASES.find((c) => c.name === name);
if (bench === undefined) {
  console.error(`unknown case ${name}; cases: ${BENCH_CASES.map((c) => c.name).join(', ')}`);
  process.exit(2);
}
const recorder = bench.timeline === undefined ? undefined : new TimelineRecorder(bench.timeline);
const { result, summary } = runSimulation(bench.config, recorder === undefined ? {} : { observers: [recorder] });
let timelineBytes: number | null = null;
let timelineWriteSeconds: number | null = null;
if (recorder !== undefined) {
  const started = performance.now();
  timelineBytes = Buffer.byteLength(recorder.toJson(result.endTime));
  timelineWriteSeconds = (performance.now() - started) / 1000;
}
const peakMiB = process.resourceUsage().maxRSS / 1024;
console.log(
  JSON.stringify({
    name: bench.name,
    description: bench.description,
    requests: result.requests.length,
    completed: result.numCompleted,
    events: result.numEvents,
    batches: result.numBatches,
    wallSeconds: result.wallSeconds,
    requestsPerSecond: result.requests.length / result.wallSeconds,
    eventsPerSecond: result.numEvents / result.wallSeconds,
    peakMiB,
    meanE2e: summary.e2e.mean,
    goalSeconds: bench.goalSeconds ?? null,
    goalMiB: bench.goalMiB ?? null,
    timelineBytes,
    timelineWriteSeconds,
    timelineEvents: recorder?.numEvents ?? null,
  }),
);
