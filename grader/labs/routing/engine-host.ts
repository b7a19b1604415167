/**
 * The routing lab's simulations, run in the grader (a worker thread, grader/kit/engine-worker.ts) with
 * the hidden workloads: a ProxyRouter asks the student's router in the sandboxed child for every
 * decision, sending only what a router may see (grader/kit/router-proxy.ts). Decode lengths never leave
 * the grader, and the scored latencies come from this engine directly.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { childAsker, ChildGone, type EngineWorkerData } from '../../kit/engine-worker.js';
import { narrowToShownWindow, reportRecorder } from '../../kit/timelines.js';
import { InvalidAnswer, ProxyRouter, type Ask } from '../../kit/router-proxy.js';
import { TIMELINE_SERIES_RESOLUTION, type HostResult, type RunOutcome, type SimulationRun } from './schemas.js';
import { e2eValues, meanE2e, perReplicaCounts } from '../../kit/run-metrics.js';
import { runConfig, simulateRouting } from './simulate.js';

/**
 * What the worker is started with: the runs, and the first run's reference series when the report
 * wants its timeline. The student's run is then recorded whole and only the window the report will
 * show (grader/report/timeline-view.ts, `mostDifferentWindow`) crosses back: a whole run's events
 * would be hundreds of thousands of lines.
 */
export interface HostInput {
  readonly runs: SimulationRun[];
  /** The reference's run on the same workload, as a series: the window is chosen against it. */
  readonly timelineReference?: Parameters<typeof narrowToShownWindow>[2];
}

export function hostRuns({ runs, timelineReference }: HostInput, ask: Ask): HostResult {
  const outcomes: RunOutcome[] = [];
  for (const [index, run] of runs.entries()) {
    let proxy: ProxyRouter | undefined;
    const decodeReads = (): string[] =>
      proxy !== undefined && proxy.decodeTokenReads > 0
        ? [`read numDecodeTokens ${proxy.decodeTokenReads} time(s); routers may not use the decode length`]
        : [];
    try {
      const seed = runConfig(run).seed;
      // Only the first run is recorded, and only when the report wants its timeline.
      const shownBeside = index === 0 ? timelineReference : undefined;
      const recorder = shownBeside && reportRecorder({ seriesResolution: TIMELINE_SERIES_RESOLUTION });
      let lastTune = 0;
      const clock = () => lastTune;
      const result = simulateRouting(run, (init) => (proxy = new ProxyRouter(init, ask, index, seed, clock)), {
        guardDecodeTokens: false,
        observers: recorder === undefined ? [] : [recorder],
        onTune: (now) => (lastTune = now),
      });
      const { endTime, numCompleted } = result;
      const n = run.requests.arrivedAt.length;
      const problems = decodeReads();
      if (numCompleted < n) problems.push(`${n - numCompleted} of ${n} requests were never routed or never finished`);
      outcomes.push({
        label: run.label,
        problems,
        e2e: meanE2e(result),
        requestsPerReplica: perReplicaCounts(result),
        e2es: e2eValues(result),
        ...(recorder !== undefined && shownBeside !== undefined
          ? { timeline: { data: narrowToShownWindow(recorder.freeze(endTime), endTime, shownBeside), endTime } }
          : {}),
      });
    } catch (err) {
      if (err instanceof ChildGone) return { runs: outcomes, ended: true };
      if (err instanceof InvalidAnswer) return { runs: outcomes, invalid: err.message };
      const problems = [...decodeReads(), `the router's decisions break the rules: ${(err as Error).message}`];
      outcomes.push({ label: run.label, problems, e2e: null, requestsPerReplica: {}, e2es: [] });
    }
  }
  return { runs: outcomes };
}

// Worker entry: started by runEngineWorker with the runs; posts one 'done' message.
if (parentPort !== null && (workerData as { data?: unknown } | null)?.data !== undefined) {
  const init = workerData as EngineWorkerData<HostInput>;
  const port = parentPort;
  const ask = childAsker(init, (m) => port.postMessage(m));
  port.postMessage({ kind: 'done', result: hostRuns(init.data, ask) });
}
