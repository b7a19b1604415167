/**
 * The autoscaling probes without a sandbox: every probe set builds on seeds 1–200 and the reference
 * passes it (its routers by the routing rules, everything else by definition), the reference gives the
 * handout's worked examples, and the routing rules catch broken routers with a message that says why.
 */
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../../../sim/config/paths.js';
import type { Assignment } from '../../../../sim/policies/router/router.js';
import { runProbes, type Probe } from '../../../../grader/kit/probes.js';
import { probeSeed } from '../../../../grader/kit/unit-wire.js';
import { PROBES, randomMembership } from '../../../../grader/labs/autoscaling/probes.js';
import { Rng } from '../../../../sim/workload/rng.js';
import { oracle } from '../../../../grader/labs/autoscaling/student.js';
import { child } from '../../../../grader/labs/autoscaling/child.js';
import { runItemInProcess } from '../../../../grader/kit/in-process.js';
import { loadLab } from '../../../../grader/labs/catalogue.js';
import type { AutoscalingModule } from '../../../../grader/labs/autoscaling/student.js';

const reference = await oracle.reference({ repoRoot: REPO_ROOT });
const opts = { studentDir: 'reference/autoscaling' };

/** Problems of `m` on `probes`, judged against the reference's values as the unit item does. */
function problems(m: AutoscalingModule, probes: readonly Probe<AutoscalingModule>[]): (string | undefined)[] {
  const want = runProbes(reference, probes, opts);
  const got = runProbes(m, probes, opts);
  return probes.map((p, i) => {
    if (want[i]!.error !== undefined) throw new Error(`the reference fails ${p.name}: ${want[i]!.error}`);
    if (got[i]!.error !== undefined) return `an error: ${got[i]!.error}`;
    return (p.compare ?? ((w, g) => (JSON.stringify(w) === JSON.stringify(g) ? undefined : 'differs')))(
      want[i]!.value,
      got[i]!.value,
    );
  });
}

describe('autoscaling probe sets', () => {
  it('build on hidden seeds 1–200, and the reference passes every probe of every set', () => {
    for (const [item, set] of Object.entries(PROBES))
      for (let hidden = 1; hidden <= 200; hidden++) {
        const probes = set(probeSeed(hidden, item));
        expect(probes.filter((p) => p.hidden).length, `${item} seed ${hidden}`).toBeGreaterThan(0);
        // Once on the reference, judged against itself: what the unit item does with the reference's values.
        for (const [i, r] of runProbes(reference, probes, opts).entries()) {
          const p = probes[i]!;
          expect(r.error, `${item} seed ${hidden}: ${p.name}`).toBeUndefined();
          expect(p.compare?.(r.value, r.value), `${item} seed ${hidden}: ${p.name}`).toBeUndefined();
        }
      }
  });

  it('graded as the grader does (prepare, the reference as the child, score) on hidden seeds 1–200: full marks', async () => {
    const lab = await loadLab('autoscaling');
    const units = lab.manifest.items.filter((i) => i.id in PROBES);
    for (let hiddenSeed = 1; hiddenSeed <= 200; hiddenSeed++)
      for (const item of units) {
        const ctx = { hiddenSeed, publicSeed: lab.manifest.publicSeed, repoRoot: REPO_ROOT };
        const out = await runItemInProcess(lab, item.id, { module: reference, ...child }, ctx);
        expect('score' in out ? out.score : out, `seed ${hiddenSeed} ${item.id}`).toBe(item.points);
      }
  });

  it('hidden router cases always leave a routable replica, marks included (seeds 1–200)', () => {
    for (const lor of [false, true])
      for (let seed = 1; seed <= 200; seed++) {
        const steps = randomMembership(new Rng(seed).fork(lor ? 'lor-cases' : 'round-robin-cases'), lor);
        for (const s of steps) for (const id of s.mark) expect(s.replicas.map((r) => r[0])).toContain(id);
        const probe = PROBES[lor ? 'lor' : 'round-robin']!(seed).find((p) => p.hidden)!;
        const value = runProbes(reference, [probe], opts)[0]!.value as { marked: number[]; victim?: unknown }[];
        // The first hidden variant is `steps`: after every call some replica is still unmarked.
        for (const [i, call] of value.entries()) {
          expect(call.victim, `seed ${seed} call ${i + 1}`).not.toBeNull();
          expect(
            steps[i]!.replicas.some((r) => !call.marked.includes(r[0])),
            `seed ${seed} call ${i + 1}`,
          ).toBe(true);
        }
      }
  });

  it('public cases are the same for every seed (the handout ships their expected values)', () => {
    for (const [item, set] of Object.entries(PROBES)) {
      const names = (seed: number) =>
        JSON.stringify(
          runProbes(
            reference,
            set(seed).filter((p) => !p.hidden),
            opts,
          ),
        );
      expect(names(1), item).toBe(names(987654));
    }
  });

  it('the reference gives the handout examples', () => {
    const value = (item: string, name: string) => {
      const probe = PROBES[item]!(1).find((p) => p.name === name)!;
      return runProbes(reference, [probe], opts)[0]!.value;
    };
    expect(value('envelope', 'one request inside the look-back')).toEqual([10.1]);
    expect(value('envelope', 'an arrival at t − L is outside the look-back')).toEqual([0]);
    expect(value('throughput-ema', 'one batch (the handout example)')).toEqual([1, 11.75]);
    expect(value('throughput-ema', 'two batches')).toEqual([1234, 1641, 1020.5]);
    expect(value('tune', 'scale up, then wait (the handout example)')).toEqual({
      deltas: [3, 0, 0],
      envelopeProblems: [],
    });
    expect(value('tune', 'scale down once the stabilisation delay has passed')).toMatchObject({ deltas: [3, 0, -3] });
  });
});

describe('the routing rules', () => {
  /** The reference's module with its round robin restarting at the first routable replica on every call. */
  const restarting: AutoscalingModule = {
    ...reference,
    routers: {
      ...reference.routers,
      RoundRobinRouter: class extends reference.routers.RoundRobinRouter {
        override schedule(): Assignment[] {
          const first = this.routableReplicas()[0];
          return first === undefined
            ? []
            : this.drainQueueByArrival().map((request) => ({ replicaId: first.replicaId, request }));
        }
      },
    },
  };
  /** LOR sending every request to the highest id, marked or not. */
  const toLast: AutoscalingModule = {
    ...reference,
    routers: {
      ...reference.routers,
      LorRouter: class extends reference.routers.LorRouter {
        override schedule(): Assignment[] {
          const last = this.cluster.replicas.at(-1);
          return last === undefined
            ? []
            : this.drainQueueByArrival().map((request) => ({ replicaId: last.replicaId, request }));
        }
      },
    },
  };

  /** LOR over every replica, marked or not. */
  const ignoresMarks: AutoscalingModule = {
    ...reference,
    routers: {
      ...reference.routers,
      LorRouter: class extends reference.routers.LorRouter {
        override schedule(): Assignment[] {
          const load = new Map(this.cluster.replicas.map((r) => [r.replicaId, r.numOutstanding]));
          return this.drainQueueByArrival().map((request) => {
            const [replicaId] = [...load].reduce((a, b) => (b[1] < a[1] ? b : a));
            load.set(replicaId, load.get(replicaId)! + 1);
            return { replicaId, request };
          });
        }
      },
    },
  };

  it('flag a rotation that restarts on every call, naming where it should continue', () => {
    const [rotate] = PROBES['round-robin']!(1);
    expect(problems(restarting, [rotate!])[0]).toMatch(
      /^call 2: sent request 1 to replica 0; the previous request went to 0, so round robin over \[0, 1, 2\] continues with 1$/,
    );
  });

  it('flag a request sent to a replica without the fewest outstanding, and one sent to a marked replica', () => {
    const [least] = problems(toLast, PROBES.lor!(1));
    expect(least).toBe('call 1: sent request 2 to replica 2 with 3 outstanding; replica 1 had 2');
    const [, marks] = problems(ignoresMarks, PROBES.lor!(1));
    expect(marks).toBe('call 2: sent request 0 to replica 1, which is marked for scale-down (routable: 0, 2)');
  });

  it('accept the reference on every public case, ties broken either way', () => {
    for (const item of ['round-robin', 'lor'])
      expect(
        problems(
          reference,
          PROBES[item]!(1).filter((p) => !p.hidden),
        ),
      ).toEqual(
        PROBES[item]!(1)
          .filter((p) => !p.hidden)
          .map(() => undefined),
      );
  });
});
