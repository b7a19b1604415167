/** The human-readable summary printed at the end of a run. */
import type { RunSummary } from '../metrics/summary.js';
import type { Distribution } from '../metrics/stats.js';
import { describeViolations } from '../metrics/deadlines.js';

const fmt = (x: number, digits = 3): string => (Number.isFinite(x) ? x.toFixed(digits) : '-');

export function summaryTable(s: RunSummary): string {
  const row = (name: string, d: Distribution) =>
    `${name.padEnd(10)} ${fmt(d.mean).padStart(9)} ${fmt(d.p50).padStart(9)} ${fmt(d.p90).padStart(9)} ${fmt(d.p99).padStart(9)}`;
  const perReplica = Object.entries(s.requestsPerReplica)
    .map(([id, n]) => `${id}:${n}`)
    .join(' ');
  return [
    `requests   ${s.requests.completed}/${s.requests.arrived} completed, ${s.requests.preemptions} preemptions`,
    `${'metric (s)'.padEnd(10)} ${'mean'.padStart(9)} ${'p50'.padStart(9)} ${'p90'.padStart(9)} ${'p99'.padStart(9)}`,
    row('e2e', s.e2e),
    row('ttft', s.ttft),
    row('tpot', s.tpot),
    `throughput ${fmt(s.throughput.requestsPerSecond)} req/s, ${fmt(s.throughput.tokensPerSecond, 0)} tok/s over ${fmt(s.simulatedSeconds, 1)} simulated s`,
    `cost       $${fmt(s.costDollars, 2)} (replicas ${s.replicaCount.min}..${s.replicaCount.max})`,
    `per replica ${perReplica}`,
    ...(s.perClient !== undefined
      ? [
          `per client ${Object.entries(s.perClient)
            .map(
              ([id, c]) =>
                `${id}: ${c.completed}/${c.arrived} done, ttft ${fmt(c.ttftMean, 2)} s, ${fmt(c.servicePerSecond, 0)} service/s`,
            )
            .join('; ')}`,
        ]
      : []),
    ...(s.deadlines !== undefined
      ? [`deadlines  worst tier ${fmt(100 * s.deadlines.maxRate, 2)}% missed; ${describeViolations(s.deadlines)}`]
      : []),
    `wall time  ${fmt(s.wallSeconds)} s for ${s.events} events, ${s.batches} batches`,
  ].join('\n');
}
