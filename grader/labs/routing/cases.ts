/**
 * The unit cases of the routing lab: small hand-made clusters and what a sound router must do with
 * them. The child only runs them; the expectations stay here in the parent.
 */
import type { UnitCase, UnitCaseResult } from './protocol.js';

export interface UnitExpectation {
  readonly case: UnitCase;
  readonly expect: string;
  /** Extra check beyond "every request assigned once, to a listed unmarked replica, no decode reads"; returns a problem or undefined. */
  readonly check: (perReplica: Map<number, number>) => string | undefined;
}

const replica = (replicaId: number, numRunning = 0, numWaiting = 0, numFreeBlocks = 7424) => ({
  replicaId,
  numWaiting,
  numRunning,
  numFreeBlocks,
  numBlocks: 7424,
});

export function unitCases(seed: number): UnitExpectation[] {
  return [
    {
      case: {
        name: 'spreads equal requests over idle replicas',
        replicas: [0, 1, 2, 3].map((id) => replica(id)),
        marked: [],
        prefills: Array(8).fill(500),
        seed,
      },
      expect: '8 equal requests on 4 idle replicas: 2 each',
      check: (per) =>
        [0, 1, 2, 3].every((id) => per.get(id) === 2) ? undefined : 'expected 2 requests on each replica',
    },
    {
      case: {
        name: 'avoids a busy replica',
        replicas: [replica(0, 60, 5, 400), replica(1), replica(2), replica(3)],
        marked: [],
        prefills: [800, 800, 800],
        seed,
      },
      expect: 'replica 0 runs 60 requests with 5 queued; 3 new requests go elsewhere',
      check: (per) =>
        (per.get(0) ?? 0) === 0 ? undefined : 'sent a request to replica 0, which is the busiest by far',
    },
    {
      case: {
        name: 'skips replicas marked for scale-down',
        replicas: [0, 1, 2].map((id) => replica(id)),
        marked: [1],
        prefills: Array(6).fill(300),
        seed,
      },
      expect: 'replica 1 is marked to be freed: 6 requests go to replicas 0 and 2',
      check: () => undefined,
    },
    {
      case: {
        name: 'handles non-contiguous replica ids',
        replicas: [3, 7, 12].map((id) => replica(id)),
        marked: [],
        prefills: Array(6).fill(300),
        seed,
      },
      expect: 'replicas 3, 7 and 12 (0..2 were removed): every request goes to one of them, and each gets some',
      check: (per) =>
        [3, 7, 12].every((id) => (per.get(id) ?? 0) > 0) ? undefined : 'left one of replicas 3, 7, 12 without requests',
    },
    {
      case: {
        name: 'routes nothing when every replica is marked',
        replicas: [0, 1].map((id) => replica(id)),
        marked: [0, 1],
        prefills: [100, 100],
        seed,
      },
      expect: 'both replicas are marked: no assignment (requests wait for a replica)',
      check: (per) => (per.size === 0 ? undefined : 'assigned a request to a marked replica'),
    },
  ];
}

/** Checks one case's result; returns problems (empty = passed). */
export function checkUnitCase(e: UnitExpectation, r: UnitCaseResult | undefined): string[] {
  if (r === undefined) return ['no result for this case'];
  const problems: string[] = [];
  if (r.error !== undefined) problems.push(`schedule() threw ${r.error}`);
  if (r.decodeTokenReads > 0)
    problems.push(`read numDecodeTokens ${r.decodeTokenReads} time(s); routers may not use the decode length`);
  const live = new Set(e.case.replicas.map((x) => x.replicaId).filter((id) => !e.case.marked.includes(id)));
  const per = new Map<number, number>();
  const seen = new Set<number>();
  for (const [requestId, replicaId] of r.assignments) {
    if (requestId === null || replicaId === null) {
      problems.push(
        requestId === null
          ? 'returned an assignment whose request is not one of the queued requests'
          : `returned replicaId NaN (not a number) for request ${requestId}`,
      );
      continue;
    }
    if (!Number.isInteger(requestId) || requestId < 0 || requestId >= e.case.prefills.length)
      problems.push(`assigned an unknown request (${requestId})`);
    else if (seen.has(requestId)) problems.push(`assigned request ${requestId} twice`);
    seen.add(requestId);
    if (!live.has(replicaId))
      problems.push(
        `assigned request ${requestId} to replica ${replicaId}, which is ${e.case.marked.includes(replicaId) ? 'marked for scale-down' : 'not in the cluster'}`,
      );
    per.set(replicaId, (per.get(replicaId) ?? 0) + 1);
  }
  const wantAll = live.size > 0;
  if (wantAll && seen.size < e.case.prefills.length)
    problems.push(
      `routed ${seen.size} of ${e.case.prefills.length} requests; with idle replicas every queued request should be assigned`,
    );
  if (problems.length === 0) {
    const extra = e.check(per);
    if (extra !== undefined) problems.push(extra);
  }
  if (problems.length > 0)
    problems.push(`got per replica: ${JSON.stringify(Object.fromEntries([...per].sort((a, b) => a[0] - b[0])))}`);
  return problems;
}
