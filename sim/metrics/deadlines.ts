/**
 * Deadline violations per SLA tier (Niyama's metric; Goel et al., arXiv 2503.22562): a tier-0 request violates
 * when its TTFT exceeds the tier-0 deadline, a batch-tier request when its end-to-end latency
 * exceeds its tier's deadline. A request that never got there (the run stopped first) violates.
 * The run's score is the worst tier's violation rate.
 */
import type { Request } from '../entities/request.js';

export interface TierViolations {
  readonly tier: number;
  /** Seconds after arrival: TTFT for tier 0, last token for the others. */
  readonly deadline: number;
  readonly requests: number;
  readonly violations: number;
  /** violations / requests, 0..1. */
  readonly rate: number;
}

export interface DeadlineReport {
  /** Tiers with at least one request, by tier. */
  readonly perTier: readonly TierViolations[];
  /** The largest per-tier rate (0 with no requests). */
  readonly maxRate: number;
}

/** Seconds the request took to the point its tier's deadline is about (undefined: never reached). */
export function deadlineLatency(request: Request): number | undefined {
  const end = (request.tier ?? 0) === 0 ? request.prefillCompletedAt : request.completedAt;
  return end === undefined ? undefined : end - request.arrivedAt;
}

export function deadlineViolations(requests: readonly Request[], tierDeadlines: readonly number[]): DeadlineReport {
  const counts = new Map<number, { requests: number; violations: number }>();
  for (const r of requests) {
    const tier = r.tier ?? 0;
    const deadline = tierDeadlines[tier];
    if (deadline === undefined)
      throw new RangeError(
        `request ${r.id} has tier ${tier}, but only ${tierDeadlines.length} tier deadlines are given`,
      );
    const c = counts.get(tier) ?? { requests: 0, violations: 0 };
    c.requests++;
    const latency = deadlineLatency(r);
    if (latency === undefined || latency > deadline) c.violations++;
    counts.set(tier, c);
  }
  const perTier = [...counts.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([tier, c]) => ({
      tier,
      deadline: tierDeadlines[tier]!,
      requests: c.requests,
      violations: c.violations,
      rate: c.violations / c.requests,
    }));
  return { perTier, maxRate: perTier.reduce((m, t) => Math.max(m, t.rate), 0) };
}

/** "tier 0 (TTFT ≤ 6 s): 3/120 = 2.50%; …" */
export function describeViolations(report: DeadlineReport): string {
  return report.perTier
    .map(
      (t) =>
        `tier ${t.tier} (${t.tier === 0 ? 'TTFT' : 'e2e'} ≤ ${t.deadline} s): ${t.violations}/${t.requests} = ${(100 * t.rate).toFixed(2)}%`,
    )
    .join('; ');
}
