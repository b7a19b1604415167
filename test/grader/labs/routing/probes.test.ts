/**
 * The routing lab's unit probes, scored as the grader scores them (the kit's unit item: probes run on a
 * router in-process, as the child's driver runs them, then compared with the reference's answers through
 * the oracle) but without a sandbox: right routers written differently pass, each wrong one fails the
 * case aimed at it with a message that says why.
 */
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../../../sim/config/paths.js';
import { Router, type Assignment } from '../../../../sim/policies/router/router.js';
import { scoreItem, type ItemContext } from '../../../../grader/core/lab.js';
import { handleRequest } from '../../../../grader/kit/driver.js';
import { unitItem } from '../../../../grader/kit/unit-item.js';
import { routingUnits } from '../../../../grader/labs/routing/probes.js';
import type { RoutingModule } from '../../../../grader/labs/routing/student.js';
import { AiRouter as Starter } from '../../../../starter/routing/ai-router.js';

const ctx: ItemContext = { hiddenSeed: 20261123, publicSeed: 42, repoRoot: REPO_ROOT };

async function grade(AiRouter: RoutingModule['AiRouter'], at: ItemContext = ctx) {
  const item = unitItem(routingUnits, 'unit-cases');
  const { input, prepared } = item.prepare(at);
  const reply = handleRequest(
    { module: { AiRouter }, studentDir: 'starter/routing', probes: routingUnits.probes },
    input,
  );
  return scoreItem(item, reply, prepared, at, 5);
}

/** Least outstanding requests, ties to the highest id: right, with other tie-breaks than the reference's. */
class LeastOutstandingHighId extends Router {
  schedule(): Assignment[] {
    const replicas = this.routableReplicas().reverse();
    if (replicas.length === 0) return [];
    const loads = replicas.map((r) => r.numOutstanding);
    return this.drainQueueByArrival().map((request) => {
      const best = loads.indexOf(Math.min(...loads));
      loads[best]!++;
      return { replicaId: replicas[best]!.replicaId, request };
    });
  }
}

/** Round robin over the listed replicas: ignores load and marks. */
class RoundRobinAll extends Router {
  #next = 0;
  schedule(): Assignment[] {
    const all = this.cluster.replicas;
    return this.drainQueueByArrival().map((request) => ({
      replicaId: all[this.#next++ % all.length]!.replicaId,
      request,
    }));
  }
}

/** Least loaded, but each request is assigned twice and the last one is dropped. */
class Sloppy extends Router {
  schedule(): Assignment[] {
    const replicas = this.routableReplicas();
    if (replicas.length === 0) return [];
    const queued = this.drainQueueByArrival();
    return queued.slice(0, -1).flatMap((request) => [
      { replicaId: replicas[0]!.replicaId, request },
      { replicaId: 99, request },
    ]);
  }
}

/** Least outstanding, weighting each request by its true output length. */
class PeeksDecode extends Router {
  schedule(): Assignment[] {
    const replicas = this.routableReplicas();
    if (replicas.length === 0) return [];
    return this.drainQueueByArrival().map((request, i) => {
      try {
        void (request as unknown as { numDecodeTokens: number }).numDecodeTokens;
      } catch {
        // swallowed, but counted
      }
      return { replicaId: replicas[i % replicas.length]!.replicaId, request };
    });
  }
}

describe('routing unit probes, scored against the reference', () => {
  it('gives the reference and a differently tie-breaking least-loaded router full marks', async () => {
    const { AiRouter } = await routingUnits.oracle.reference(ctx);
    expect((await grade(AiRouter)).message).toBe('9 of 9 cases passed (public 5 of 5, hidden variants 4 of 4)');
    const alt = await grade(LeastOutstandingHighId);
    expect(alt.output).not.toContain('FAIL');
    expect(alt.score).toBe(5);
  });

  it('on 100 hidden seeds: the reference and the other tie-break pass every variant, ignoring marks fails the marked ones', async () => {
    const { AiRouter } = await routingUnits.oracle.reference(ctx);
    for (let hiddenSeed = 1; hiddenSeed <= 100; hiddenSeed++) {
      const seeded = { ...ctx, hiddenSeed };
      expect((await grade(AiRouter, seeded)).output, `seed ${hiddenSeed}`).not.toContain('FAIL');
      expect((await grade(LeastOutstandingHighId, seeded)).output, `seed ${hiddenSeed}`).not.toContain('FAIL');
      const ignoresMarks = (await grade(RoundRobinAll, seeded)).output;
      expect(ignoresMarks, `seed ${hiddenSeed}`).toMatch(
        /FAIL hidden variant: skips the marked replicas[\s\S]*which is marked for scale-down/,
      );
      expect(ignoresMarks, `seed ${hiddenSeed}`).toMatch(
        /FAIL hidden variant: routes nothing when every replica is marked/,
      );
    }
  });

  it('fails the random starter on spreading and on the busy replica, with the split it made', async () => {
    const out = await grade(Starter);
    expect(out.message).toMatch(/^\d of 9 cases passed \(public 3 of 5, hidden variants [0-3] of 4\)$/);
    expect(out.output).toMatch(/FAIL hidden variant: spreads equal requests over idle replicas/);
    expect(out.output).toMatch(
      /FAIL public case: spreads equal[\s\S]*expected 2, 2, 2, 2 requests on replicas 0, 1, 2, 3/,
    );
    expect(out.output).toMatch(/FAIL public case: avoids a busy replica[\s\S]*replica 0, which is the busiest by far/);
    expect(out.output).toMatch(/got per replica: \{"0":\d/);
  });

  it('fails a router that ignores marks on every case with a marked replica, and on the busy one', async () => {
    const out = await grade(RoundRobinAll);
    expect(out.output).toMatch(
      /FAIL public case: skips replicas marked[\s\S]*replica 1, which is marked for scale-down/,
    );
    expect(out.output).toMatch(/FAIL public case: routes nothing when every replica is marked/);
    expect(out.output).toMatch(/FAIL public case: avoids a busy replica/);
    expect(out.output).toMatch(/PASS public case: spreads equal/);
    expect(out.output).toMatch(/FAIL hidden variant: skips the marked replicas/);
    expect(out.score).toBeCloseTo((3 / 9) * 5, 2);
  });

  it('names duplicates, unknown replicas and unrouted requests', async () => {
    const out = await grade(Sloppy);
    expect(out.output).toMatch(/assigned request 0 twice/);
    expect(out.output).toMatch(/replica 99, which is not in the cluster/);
    expect(out.output).toMatch(/routed 5 of 6 requests/);
    expect(out.score).toBeCloseTo((2 / 9) * 5, 2); // only the two "routes nothing when every replica is marked"
  });

  it('fails a router that reads the decode length even when it swallows the error', async () => {
    const out = await grade(PeeksDecode);
    expect(out.output).toMatch(/read numDecodeTokens 8 time\(s\)/);
    expect(out.message).toBe('2 of 9 cases passed (public 1 of 5, hidden variants 1 of 4)');
  });

  it('a router that throws fails each case with its error', async () => {
    class Throws extends Router {
      schedule(): Assignment[] {
        throw new Error('not ready');
      }
    }
    const out = await grade(Throws);
    expect(out.score).toBe(0);
    expect(out.threw).toBe(true);
    expect(out.output).toContain('an error: Error: not ready');
  });
});
