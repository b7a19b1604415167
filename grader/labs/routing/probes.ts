/**
 * The routing lab's unit probes: small hand-made clusters, one `schedule(0)` call each, on the student's
 * router in the child and the reference's in the parent. The reference breaks ties at random, so no probe
 * asks for its exact assignments: the routing rules are checked literally, and the rest against where
 * the reference sends requests and where it sends none.
 */
import { z } from 'zod';
import type { ReplicaView } from '../../../sim/policies/router/router.js';
import { Rng } from '../../../sim/workload/rng.js';
import type { Probe } from '../../kit/probes.js';
import type { UnitLab } from '../../kit/unit-item.js';
import { Assignments, scheduleCall } from '../../kit/router-session.js';
import {
  decodeReadProblem,
  queueRequest,
  replicaView as replica,
  routingRuleProblems,
} from '../../kit/router-probe.js';
import { oracle, type RoutingModule } from './student.js';

/** The routers' random stream in every probe: the lab's public seed (labs/routing/manifest.json). */
const ROUTER_SEED = 42;

const Routed = z.strictObject({ assignments: Assignments, decodeTokenReads: z.number().int().nonnegative() });
type Routed = z.infer<typeof Routed>;
type PerReplica = ReadonlyMap<number, number>;
type RoutingProbe = Probe<RoutingModule>;

interface Cluster {
  readonly replicas: readonly ReplicaView[];
  /** Prompt lengths of the queued requests, all arriving at t=0. */
  readonly prefills: readonly number[];
  /** Replicas marked for scale-down (none when absent). */
  readonly marked?: readonly number[];
}

/** One schedule(0) call of the module's router on `c`: its assignments, and how often it read a decode length. */
function route(m: RoutingModule, c: Cluster): Routed {
  const reads = { count: 0 };
  const router = new m.AiRouter({ cluster: { replicas: c.replicas }, rng: new Rng(ROUTER_SEED) });
  for (const id of c.marked ?? []) router.replicasToFree.add(id);
  c.prefills.forEach((prompt, id) => queueRequest(router, id, 0, prompt, reads));
  return { assignments: scheduleCall(router, 0), decodeTokenReads: reads.count };
}

/** Breaks of the routing rules in `r` on cluster `c` (grader/kit/router-probe.ts), and the requests per replica. */
function ruleProblems(c: Cluster, r: Routed): { problems: string[]; per: Map<number, number> } {
  const call = { queued: c.prefills.map((_, id) => id), replicas: c.replicas.map((x) => x.replicaId) };
  const { problems, per } = routingRuleProblems({ ...call, marked: new Set(c.marked) }, r.assignments);
  const peeked = decodeReadProblem(r.decodeTokenReads);
  return { problems: peeked === undefined ? problems : [peeked, ...problems], per };
}

/**
 * What must hold beyond the rules, against the reference's requests per replica: the `same` split
 * (equal requests on identical replicas), `none` where the reference sends none, `some` where it sends some.
 */
type Relation = 'same' | 'none' | 'some';

function relationProblem(relation: Relation, c: Cluster, want: PerReplica, got: PerReplica): string | undefined {
  const n = (per: PerReplica, id: number) => per.get(id) ?? 0;
  const ids = c.replicas.map((r) => r.replicaId);
  const broken = (id: number) =>
    relation === 'same'
      ? n(got, id) !== n(want, id)
      : relation === 'none'
        ? n(want, id) === 0 && n(got, id) > 0
        : n(want, id) > 0 && n(got, id) === 0;
  const id = ids.find(broken);
  if (id === undefined) return undefined;
  if (relation === 'some') return `left replica ${id} without requests`;
  if (relation === 'none') return `sent a request to replica ${id}, which is the busiest by far`;
  return `expected ${ids.map((i) => n(want, i)).join(', ')} requests on replicas ${ids.join(', ')}`;
}

function routingProbe(name: string, expect: string, c: Cluster, relation?: Relation, hidden = false): RoutingProbe {
  return {
    name,
    hidden,
    expect,
    run: (m) => route(m, c),
    compare(want, got) {
      const mine = Routed.safeParse(got);
      if (!mine.success) return 'the case returned data of the wrong shape';
      const { problems, per } = ruleProblems(c, mine.data);
      const extra =
        problems.length === 0 && relation && relationProblem(relation, c, ruleProblems(c, Routed.parse(want)).per, per);
      if (extra) problems.push(extra);
      if (problems.length === 0) return undefined;
      problems.push(`got per replica: ${JSON.stringify(Object.fromEntries([...per].sort((a, b) => a[0] - b[0])))}`);
      return problems.join('\n');
    },
  };
}

const idle = (ids: readonly number[]) => ids.map((id) => replica(id));

const unitCases = (): RoutingProbe[] => [
  routingProbe(
    'spreads equal requests over idle replicas',
    '8 equal requests on 4 idle replicas: 2 each',
    { replicas: idle([0, 1, 2, 3]), prefills: Array(8).fill(500) },
    'same',
  ),
  routingProbe(
    'avoids a busy replica',
    'replica 0 runs 60 requests with 5 queued; 3 new requests go elsewhere',
    { replicas: [replica(0, 5, 60, 400), ...idle([1, 2, 3])], prefills: [800, 800, 800] },
    'none',
  ),
  routingProbe(
    'skips replicas marked for scale-down',
    'replica 1 is marked to be freed: 6 requests go to replicas 0 and 2',
    { replicas: idle([0, 1, 2]), marked: [1], prefills: Array(6).fill(300) },
  ),
  routingProbe(
    'handles non-contiguous replica ids',
    'replicas 3, 7 and 12 (0..2 were removed): every request goes to one of them, and each gets some',
    { replicas: idle([3, 7, 12]), prefills: Array(6).fill(300) },
    'some',
  ),
  routingProbe(
    'routes nothing when every replica is marked',
    'both replicas are marked: no assignment (requests wait for a replica)',
    { replicas: idle([0, 1]), marked: [0, 1], prefills: [100, 100] },
  ),
];

/** Replica ids with gaps (the replicas between them were removed), from a random start. */
function gappedIds(rng: Rng, n: number): number[] {
  const ids = [rng.int(0, 4)];
  while (ids.length < n) ids.push(ids.at(-1)! + rng.int(1, 3));
  return ids;
}

/**
 * Hidden variants of the public cases, drawn from the hidden seed: clusters of 3 to 6 replicas with
 * removed ids, marked replicas among them, uneven load, and one replica far busier than the rest.
 */
function hiddenCases(seed: number): RoutingProbe[] {
  const rng = new Rng(seed);
  const prompts = (count: number) => Array.from({ length: count }, () => rng.int(50, 2000));
  const hidden = (name: string, expect: string, c: Cluster, relation?: Relation) =>
    routingProbe(name, expect, c, relation, true);

  const lightIds = gappedIds(rng, rng.int(4, 6));
  const marked = rng.shuffle([...lightIds]).slice(0, rng.int(1, lightIds.length - 1));
  // Drawn in the order running, waiting, free blocks: the order of the draws fixes the variants a seed gives.
  const drawnReplica = (id: number, running: number, waiting: number, free: number) =>
    replica(id, waiting, running, free);
  const light = lightIds.map((id) => drawnReplica(id, rng.int(0, 3), rng.int(0, 2), rng.int(3000, 7424)));

  const busyIds = gappedIds(rng, rng.int(3, 5));
  const busiest = busyIds[rng.int(0, busyIds.length - 1)]!;
  const busy = busyIds.map((id) =>
    id === busiest
      ? drawnReplica(id, rng.int(40, 80), rng.int(5, 15), rng.int(100, 600))
      : replica(id, 0, rng.int(0, 1)),
  );

  const idleIds = gappedIds(rng, rng.int(3, 5));
  const perReplica = rng.int(2, 4);
  const allMarked = gappedIds(rng, rng.int(2, 4));
  return [
    hidden(
      'skips the marked replicas among removed ids',
      `replicas ${lightIds.join(', ')} under light load, ${marked.sort((a, b) => a - b).join(', ')} marked to be freed`,
      // at least one request per replica, so a router that ignores the marks meets one
      { replicas: light, marked, prefills: prompts(lightIds.length + rng.int(0, 4)) },
    ),
    hidden(
      'avoids the busiest replica',
      `replica ${busiest} runs dozens of requests with a queue, the others (${busyIds.join(', ')}) are nearly idle`,
      { replicas: busy, prefills: prompts(busyIds.length - 1) },
      'none',
    ),
    hidden(
      'spreads equal requests over idle replicas',
      `${perReplica * idleIds.length} equal requests on idle replicas ${idleIds.join(', ')}: ${perReplica} each`,
      { replicas: idle(idleIds), prefills: Array(perReplica * idleIds.length).fill(rng.int(100, 1500)) },
      'same',
    ),
    hidden(
      'routes nothing when every replica is marked',
      `replicas ${allMarked.join(', ')} are all marked: no assignment`,
      { replicas: idle(allMarked), marked: allMarked, prefills: prompts(rng.int(1, 4)) },
    ),
  ];
}

/** The lab's unit items: their probes by item id, and the reference they are scored against. */
export const routingUnits: UnitLab<RoutingModule> = {
  lab: 'routing',
  oracle,
  probes: { 'unit-cases': (seed) => [...unitCases(), ...hiddenCases(seed)] },
};
