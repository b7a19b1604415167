/**
 * The routing lab's unit probes: small hand-made clusters, one `schedule(0)` call each. The child runs
 * them on the student's router, the parent on the reference (the oracle), and each probe's `compare`
 * says what must hold against the reference's answer. Ties may be broken any way (the reference breaks
 * them at random), so no probe asks for the reference's exact assignments: the routing rules are
 * literal (every request once, only to a listed replica that is not marked, no decode-length reads),
 * and the rest is about where the reference sends requests and where it sends none.
 */
import { z } from 'zod';
import { Request } from '../../../sim/entities/request.js';
import { routableView } from '../../../sim/policies/router/routable-view.js';
import type { ReplicaView } from '../../../sim/policies/router/router.js';
import { Rng } from '../../../sim/workload/rng.js';
import { referenceOracle } from '../../kit/oracle.js';
import type { Probe } from '../../kit/probes.js';
import type { UnitLab } from '../../kit/unit-item.js';
import { Assignments } from './schemas.js';
import type { RoutingModule } from './student.js';

/** The routers' random stream in every probe: the lab's public seed (labs/routing/manifest.json). */
const ROUTER_SEED = 42;
/** A placeholder the router can never read (its views throw on the decode length). */
const DECODE_PLACEHOLDER = 1000;

const Routed = z.strictObject({ assignments: Assignments, decodeTokenReads: z.number().int().nonnegative() });
type Routed = z.infer<typeof Routed>;
type PerReplica = ReadonlyMap<number, number>;

interface Cluster {
  readonly replicas: readonly ReplicaView[];
  readonly marked: readonly number[];
  /** Prompt lengths of the queued requests, all arriving at t=0. */
  readonly prefills: readonly number[];
}

const replica = (replicaId: number, numRunning = 0, numWaiting = 0, numFreeBlocks = 7424): ReplicaView => ({
  replicaId,
  numWaiting,
  numRunning,
  numOutstanding: numWaiting + numRunning,
  kv: { numBlocks: 7424, numFreeBlocks },
});

const finite = (x: unknown): number | null => (Number.isFinite(Number(x)) ? Number(x) : null);

/** One schedule(0) call of the module's router on `c`: its assignments, and how often it read a decode length. */
function route(m: RoutingModule, c: Cluster): Routed {
  let decodeTokenReads = 0;
  const router = new m.AiRouter({ cluster: { replicas: c.replicas }, rng: new Rng(ROUTER_SEED) });
  for (const id of c.marked) router.replicasToFree.add(id);
  c.prefills.forEach((numPrefillTokens, id) => {
    const request = new Request({ id, arrivedAt: 0, numPrefillTokens, numDecodeTokens: DECODE_PLACEHOLDER });
    router.addRequest(routableView(request, () => decodeTokenReads++));
  });
  const out = router.schedule(0);
  if (!Array.isArray(out)) throw new TypeError(`schedule() returned ${typeof out}, not an array of assignments`);
  return { assignments: out.map((a) => [finite(a?.request?.id), finite(a?.replicaId)]), decodeTokenReads };
}

/** Breaks of the routing rules in `r` on cluster `c`, and the requests per replica. */
function ruleProblems(c: Cluster, r: Routed): { problems: string[]; per: Map<number, number> } {
  const problems: string[] = [];
  if (r.decodeTokenReads > 0)
    problems.push(`read numDecodeTokens ${r.decodeTokenReads} time(s); routers may not use the decode length`);
  const live = new Set(c.replicas.map((x) => x.replicaId).filter((id) => !c.marked.includes(id)));
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
    if (!Number.isInteger(requestId) || requestId < 0 || requestId >= c.prefills.length)
      problems.push(`assigned an unknown request (${requestId})`);
    else if (seen.has(requestId)) problems.push(`assigned request ${requestId} twice`);
    seen.add(requestId);
    if (!live.has(replicaId))
      problems.push(
        `assigned request ${requestId} to replica ${replicaId}, which is ${c.marked.includes(replicaId) ? 'marked for scale-down' : 'not in the cluster'}`,
      );
    per.set(replicaId, (per.get(replicaId) ?? 0) + 1);
  }
  if (live.size > 0 && seen.size < c.prefills.length)
    problems.push(
      `routed ${seen.size} of ${c.prefills.length} requests; with idle replicas every queued request should be assigned`,
    );
  return { problems, per };
}

/** What must hold beyond the rules, given the reference's requests per replica (`want`) and the student's. */
type Property = (want: PerReplica, got: PerReplica) => string | undefined;

const count = (per: PerReplica, id: number) => per.get(id) ?? 0;

/** Every replica gets as many requests as the reference gives it (equal requests, identical idle replicas). */
const sameSplit =
  (ids: readonly number[]): Property =>
  (want, got) =>
    ids.every((id) => count(got, id) === count(want, id))
      ? undefined
      : `expected ${ids.map((id) => count(want, id)).join(', ')} requests on replicas ${ids.join(', ')}`;

/** No request where the reference sends none, with the reason. */
const noneWhereReferenceSendsNone =
  (ids: readonly number[], why: string): Property =>
  (want, got) => {
    const id = ids.find((i) => count(want, i) === 0 && count(got, i) > 0);
    return id === undefined ? undefined : `sent a request to replica ${id}, ${why}`;
  };

/** Some request to every replica the reference uses. */
const everyReplicaReferenceUses =
  (ids: readonly number[]): Property =>
  (want, got) => {
    const id = ids.find((i) => count(want, i) > 0 && count(got, i) === 0);
    return id === undefined ? undefined : `left replica ${id} without requests (of replicas ${ids.join(', ')})`;
  };

function routingProbe(name: string, expect: string, c: Cluster, property?: Property): Probe<RoutingModule> {
  return {
    name,
    hidden: false,
    expect,
    run: (m) => route(m, c),
    compare(want, got) {
      const mine = Routed.safeParse(got);
      if (!mine.success) return 'the case returned data of the wrong shape';
      const { problems, per } = ruleProblems(c, mine.data);
      if (problems.length === 0 && property !== undefined) {
        const extra = property(ruleProblems(c, Routed.parse(want)).per, per);
        if (extra !== undefined) problems.push(extra);
      }
      if (problems.length === 0) return undefined;
      problems.push(`got per replica: ${JSON.stringify(Object.fromEntries([...per].sort((a, b) => a[0] - b[0])))}`);
      return problems.join('\n');
    },
  };
}

const unitCases = (): Probe<RoutingModule>[] => [
  routingProbe(
    'spreads equal requests over idle replicas',
    '8 equal requests on 4 idle replicas: 2 each',
    { replicas: [0, 1, 2, 3].map((id) => replica(id)), marked: [], prefills: Array(8).fill(500) },
    sameSplit([0, 1, 2, 3]),
  ),
  routingProbe(
    'avoids a busy replica',
    'replica 0 runs 60 requests with 5 queued; 3 new requests go elsewhere',
    { replicas: [replica(0, 60, 5, 400), replica(1), replica(2), replica(3)], marked: [], prefills: [800, 800, 800] },
    noneWhereReferenceSendsNone([0, 1, 2, 3], 'which is the busiest by far'),
  ),
  routingProbe(
    'skips replicas marked for scale-down',
    'replica 1 is marked to be freed: 6 requests go to replicas 0 and 2',
    { replicas: [0, 1, 2].map((id) => replica(id)), marked: [1], prefills: Array(6).fill(300) },
  ),
  routingProbe(
    'handles non-contiguous replica ids',
    'replicas 3, 7 and 12 (0..2 were removed): every request goes to one of them, and each gets some',
    { replicas: [3, 7, 12].map((id) => replica(id)), marked: [], prefills: Array(6).fill(300) },
    everyReplicaReferenceUses([3, 7, 12]),
  ),
  routingProbe(
    'routes nothing when every replica is marked',
    'both replicas are marked: no assignment (requests wait for a replica)',
    { replicas: [0, 1].map((id) => replica(id)), marked: [0, 1], prefills: [100, 100] },
  ),
];

/** The lab's unit items: their probes by item id, and the reference they are scored against. */
export const routingUnits: UnitLab<RoutingModule> = {
  lab: 'routing',
  oracle: referenceOracle<RoutingModule>('routing', 'ai-router.ts'),
  probes: { 'unit-cases': unitCases },
};
