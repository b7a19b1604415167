/** The run summary written to summary.json and printed by the CLI. */
import type { SimulationResult } from '../engine/simulator.js';
import { deadlineViolations, type DeadlineReport } from './deadlines.js';
import { requestServiceCost } from './fairness.js';
import { distribution, type Distribution } from './stats.js';

export interface RunSummary {
  readonly requests: { readonly arrived: number; readonly completed: number; readonly preemptions: number };
  readonly e2e: Distribution;
  readonly ttft: Distribution;
  readonly tpot: Distribution;
  readonly schedulingDelay: Distribution;
  readonly throughput: { readonly requestsPerSecond: number; readonly tokensPerSecond: number };
  readonly costDollars: number;
  readonly simulatedSeconds: number;
  readonly requestsPerReplica: Readonly<Record<string, number>>;
  readonly replicaCount: {
    readonly min: number;
    readonly max: number;
    readonly timeline: readonly { time: number; replicas: number }[];
  };
  readonly batches: number;
  readonly events: number;
  /** Wall-clock seconds of event processing (excludes start-up and output). */
  readonly wallSeconds: number;
  /** Runs whose requests carry SLA tiers: deadline violations per tier and the worst tier's rate. */
  readonly deadlines?: DeadlineReport;
  /** Multi-client runs only: per client id, requests, mean TTFT and service received (w_p·prompt + w_q·output tokens of finished requests). */
  readonly perClient?: Readonly<
    Record<
      string,
      {
        readonly arrived: number;
        readonly completed: number;
        readonly ttftMean: number;
        readonly servicePerSecond: number;
      }
    >
  >;
}

export function summarize(result: SimulationResult, options: { tierDeadlines?: readonly number[] } = {}): RunSummary {
  const e2e: number[] = [];
  const ttft: number[] = [];
  const tpot: number[] = [];
  const delay: number[] = [];
  let tokens = 0;
  for (const r of result.requests) {
    if (r.scheduledAt !== undefined) delay.push(r.scheduledAt - r.arrivedAt);
    if (r.completedAt === undefined) continue;
    e2e.push(r.completedAt - r.arrivedAt);
    ttft.push(r.prefillCompletedAt! - r.arrivedAt);
    if (r.numDecodeTokens > 1) tpot.push((r.completedAt - r.prefillCompletedAt!) / (r.numDecodeTokens - 1));
    tokens += r.numPrefillTokens + r.numDecodeTokens;
  }
  const perReplica: Record<string, number> = {};
  for (const [id, n] of [...result.requestsPerReplica].sort((a, b) => a[0] - b[0])) perReplica[String(id)] = n;
  const counts = result.replicaTimeline.map((p) => p.replicas);
  const span = result.endTime > 0 ? result.endTime : Number.NaN;
  const perClient = clientBreakdown(result, span);
  const tiered = options.tierDeadlines !== undefined && result.requests.some((r) => r.tier !== undefined);
  return {
    requests: { arrived: result.requests.length, completed: result.numCompleted, preemptions: result.numPreemptions },
    e2e: distribution(e2e),
    ttft: distribution(ttft),
    tpot: distribution(tpot),
    schedulingDelay: distribution(delay),
    throughput: { requestsPerSecond: result.numCompleted / span, tokensPerSecond: tokens / span },
    costDollars: result.costDollars,
    simulatedSeconds: result.endTime,
    requestsPerReplica: perReplica,
    replicaCount: { min: Math.min(...counts), max: Math.max(...counts), timeline: result.replicaTimeline },
    batches: result.numBatches,
    events: result.numEvents,
    wallSeconds: result.wallSeconds,
    ...(tiered ? { deadlines: deadlineViolations(result.requests, options.tierDeadlines!) } : {}),
    ...(perClient !== undefined ? { perClient } : {}),
  };
}

/** Per-client counts for runs with more than one client (fairness labs); undefined otherwise. */
function clientBreakdown(result: SimulationResult, span: number): RunSummary['perClient'] {
  const clients = [...new Set(result.requests.map((r) => r.clientId))].sort((a, b) => a - b);
  if (clients.length < 2) return undefined;
  const out: Record<string, { arrived: number; completed: number; ttftMean: number; servicePerSecond: number }> = {};
  for (const c of clients) {
    const mine = result.requests.filter((r) => r.clientId === c);
    const ttfts = mine
      .filter((r) => r.prefillCompletedAt !== undefined)
      .map((r) => r.prefillCompletedAt! - r.arrivedAt);
    const done = mine.filter((r) => r.completedAt !== undefined);
    const service = done.reduce((s, r) => s + requestServiceCost(r), 0);
    out[String(c)] = {
      arrived: mine.length,
      completed: done.length,
      ttftMean: distribution(ttfts).mean,
      servicePerSecond: service / span,
    };
  }
  return out;
}
