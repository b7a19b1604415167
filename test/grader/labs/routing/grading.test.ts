/**
 * The routing lab's design and benchmark items place a submission between the strongest engine router
 * and the reference: copies of llq, lor, round robin and random (test/fixtures/routers/) keep at most
 * 40% of those points, the reference gets them all, and a router that breaks rule 1 only once a replica
 * is marked loses the items whose hidden runs have scale events, with a message naming the request, the
 * replica and the time of the mark. Scored in-process (host-in-process.ts): no sandbox, no worker.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ItemContext } from '../../../../grader/core/lab.js';
import { lab } from '../../../../grader/labs/routing/lab.js';
import { oracle, type RoutingModule } from '../../../../grader/labs/routing/student.js';
import { REPO_ROOT } from '../../../../sim/config/paths.js';
import { AiRouter as LlqCopy } from '../../../fixtures/routers/llq-copy.js';
import { scoreSimulationItem } from './host-in-process.js';

const ctx: ItemContext = {
  hiddenSeed: lab.manifest.defaultHiddenSeed,
  publicSeed: lab.manifest.publicSeed,
  repoRoot: REPO_ROOT,
};
/** The design and benchmark items: every item of kind "benchmark". */
const BENCHMARK_ITEMS = lab.manifest.items.filter((i) => i.kind === 'benchmark');
const benchmarkPoints = BENCHMARK_ITEMS.reduce((sum, i) => sum + i.points, 0);
const fixture = async (name: string) =>
  (await import(join(REPO_ROOT, 'test', 'fixtures', 'routers', `${name}.ts`))) as RoutingModule;

async function benchmarkScores(module: RoutingModule): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const item of BENCHMARK_ITEMS) out[item.id] = (await scoreSimulationItem(item.id, module, ctx)).score;
  return out;
}
const total = (scores: Record<string, number>) => Object.values(scores).reduce((a, b) => a + b, 0);

// The checkout's result cache (as lab.test.ts and mutants.test.ts use): the baselines and the reference run
// once per code version, as in a grading.

describe('routing design and benchmark items', () => {
  it('are graded on the routing workloads, equal and unequal replicas, worth most of the lab', () => {
    expect(BENCHMARK_ITEMS.map((i) => i.id)).toEqual(['beats-lor', 'equal-replicas', 'unequal-replicas']);
    expect(benchmarkPoints).toBe(8.5);
  });

  it('give the reference full marks', async () => {
    const scores = await benchmarkScores(await oracle.reference(ctx));
    expect(scores).toEqual(Object.fromEntries(BENCHMARK_ITEMS.map((i) => [i.id, i.points])));
  });

  it.each(['llq-copy', 'lor-copy', 'round-robin-copy', 'random-copy'])(
    'give a copy of an engine router (%s) at most 40 percent of their points',
    async (name) => {
      const scores = await benchmarkScores(await fixture(name));
      expect(total(scores)).toBeLessThanOrEqual(0.4 * benchmarkPoints);
      // A copy gains nothing over the best engine router: the placed items give it nothing at all.
      expect(scores['equal-replicas']).toBe(0);
      expect(scores['unequal-replicas']).toBe(0);
    },
    120_000,
  );
});

describe('rule 1 in the hidden runs', () => {
  it('zeroes the items whose runs have scale events, naming the request, replica and time of the mark', async () => {
    const ignoresMarks = await fixture('ignores-marks');
    for (const id of ['equal-replicas', 'unequal-replicas']) {
      const outcome = await scoreSimulationItem(id, ignoresMarks, ctx);
      expect(outcome.score, id).toBe(0);
      expect(outcome.message).toMatch(
        /^correctness rules broken: [\w-]+ with scale events .*: routed request \d+ to replica \d+, which was marked for removal at t=\d+ s/,
      );
      // Only the runs with scale events break the rule: the others ran like llq.
      expect(outcome.output.split('\n').every((line) => line.includes('with scale events'))).toBe(true);
    }
  });
});

describe('what the child router sees in the hidden runs', () => {
  it('replica views carry their kind, and onReplicaRemoved runs for every replica freed', async () => {
    const kinds = new Set<string | undefined>();
    const removed: number[] = [];
    const vanished = new Set<number>();
    class Spy extends LlqCopy {
      #seen = new Set<number>();
      override onReplicaRemoved(replicaId: number): void {
        removed.push(replicaId);
        super.onReplicaRemoved(replicaId);
      }
      override schedule(now: number) {
        const ids = new Set(this.cluster.replicas.map((r) => r.replicaId));
        for (const id of this.#seen) if (!ids.has(id)) vanished.add(id);
        this.#seen = ids;
        for (const r of this.cluster.replicas) kinds.add(r.kind);
        return super.schedule(now);
      }
    }
    const outcome = await scoreSimulationItem('unequal-replicas', { AiRouter: Spy }, ctx);
    expect(outcome.message).not.toMatch(/rules broken/);
    expect([...kinds].sort()).toEqual(['a100', 'a100-40gb', 'a100/tp2', 'h100']);
    // four-kinds has two scale-downs: each replica that left the views was announced first.
    expect(vanished.size).toBeGreaterThan(0);
    expect([...vanished].every((id) => removed.includes(id))).toBe(true);
  });
});
