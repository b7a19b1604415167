/**
 * Per-request metrics with Vidur's column names where Vidur has them (`request_metrics.csv`).
 * Unfinished requests keep their row, with empty time columns, as in Vidur's output.
 */
import type { Request } from '../entities/request.js';

export const REQUEST_METRIC_COLUMNS = [
  'request_id',
  'arrived_at',
  'completed_at',
  'replica_id',
  'client_id',
  'tier',
  'request_e2e_time',
  'request_execution_time',
  'request_preemption_time',
  'request_scheduling_delay',
  'prefill_e2e_time',
  'decode_time',
  'tpot',
  'request_num_prefill_tokens',
  'request_num_decode_tokens',
  'request_num_restarts',
] as const;
export type RequestMetricColumn = (typeof REQUEST_METRIC_COLUMNS)[number];

export type RequestMetricsRow = Record<RequestMetricColumn, number | undefined>;

/** TTFT = prefill completion − arrival; TPOT = (e2e − TTFT)/(decode − 1) for more than one decode token. */
export function requestMetrics(r: Request): RequestMetricsRow {
  const done = r.completedAt !== undefined;
  const e2e = done ? r.completedAt! - r.arrivedAt : undefined;
  const ttft = r.prefillCompletedAt !== undefined ? r.prefillCompletedAt - r.arrivedAt : undefined;
  const decodeTime = done && r.prefillCompletedAt !== undefined ? r.completedAt! - r.prefillCompletedAt : undefined;
  return {
    request_id: r.id,
    arrived_at: r.arrivedAt,
    completed_at: r.completedAt,
    replica_id: r.replicaId,
    client_id: r.clientId,
    tier: r.tier,
    request_e2e_time: e2e,
    request_execution_time: done ? r.executionTime : undefined,
    request_preemption_time: done ? r.preemptedTime : undefined,
    request_scheduling_delay: r.scheduledAt !== undefined ? r.scheduledAt - r.arrivedAt : undefined,
    prefill_e2e_time: ttft,
    decode_time: decodeTime,
    tpot: decodeTime !== undefined && r.numDecodeTokens > 1 ? decodeTime / (r.numDecodeTokens - 1) : undefined,
    request_num_prefill_tokens: r.numPrefillTokens,
    request_num_decode_tokens: r.numDecodeTokens,
    request_num_restarts: r.numRestarts,
  };
}

export function requestMetricsCsv(requests: readonly Request[]): string {
  const lines: string[] = [REQUEST_METRIC_COLUMNS.join(',')];
  for (const r of requests) {
    const row = requestMetrics(r);
    lines.push(REQUEST_METRIC_COLUMNS.map((c) => formatCell(row[c])).join(','));
  }
  return `${lines.join('\n')}\n`;
}

function formatCell(v: number | undefined): string {
  if (v === undefined) return '';
  // Round to nanoseconds so tiny float noise never makes two equal runs differ in text.
  return Number.isInteger(v) ? String(v) : String(Math.round(v * 1e9) / 1e9);
}
