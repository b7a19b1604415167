/**
 * The routing lab's simulation items scored without a sandbox, on tiny workloads: the engine's
 * reply is parsed, a broken rule or a missing run scores 0, and the baselines are trusted runs from
 * the result cache (computed once, then read back to the same score).
 */
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { REPO_ROOT } from '../../../../sim/config/paths.js';
import { InvalidOutput } from '../../../../grader/core/child-output.js';
import { scoreItem, type ItemContext } from '../../../../grader/core/lab.js';
import { lab } from '../../../../grader/labs/routing/lab.js';
import { placedScore } from '../../../../grader/labs/routing/scenarios.js';
import type { SimulationRun } from '../../../../grader/labs/routing/schemas.js';

const ctx: ItemContext = { hiddenSeed: 1, publicSeed: 42, repoRoot: REPO_ROOT };

/** Two tiny workloads: a short burst on 4 replicas, so a baseline run takes milliseconds. */
const workloads = [1, 2].map((seed) => {
  const n = 12;
  const run: SimulationRun = {
    label: `tiny workload ${seed}`,
    replicas: 4,
    requests: {
      arrivedAt: Array.from({ length: n }, (_, i) => i * 0.05 * seed),
      numPrefillTokens: Array.from({ length: n }, (_, i) => 200 + 100 * ((i * seed) % 5)),
      numDecodeTokens: Array.from({ length: n }, (_, i) => 20 + 10 * (i % 3)),
    },
    scaling: [],
  };
  return { run, seed };
});

const student = (e2e: number, problems: string[] = []) => ({
  runs: workloads.map((w) => ({ label: w.run.label, problems, e2e, requestsPerReplica: { 0: 12 }, e2es: [e2e] })),
});

const score = (id: string, raw: unknown) => scoreItem(lab.items[id]!, raw, workloads, ctx, 4);

describe('routing simulation items, scored', () => {
  afterEach(() => vi.unstubAllEnvs());

  it("compares with the engine's routers and the reference from the result cache, the same score when read back", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'servelab-routing-cache-'));
    vi.stubEnv('SERVELAB_CACHE_DIR', dir);
    const fast = await score('equal-replicas', student(0.01));
    expect(fast.score).toBe(4);
    expect(fast.output).toMatch(/^workload\s+yours \(s\)\s+llq\s+lor\s+round robin\s+random\s+vs llq/);
    expect(fast.output).toMatch(/yours \(s\)\s+best engine router\s+reference/);
    expect(fast.output).toContain('tiny workload 2');
    // Four baselines and the reference per workload, each stored once.
    expect(readdirSync(join(dir, 'routing'))).toHaveLength(10);
    const again = await score('equal-replicas', student(0.01));
    expect(again).toEqual(fast);
    const slow = await score('beats-lor', student(1e6));
    expect(slow.score).toBe(0);
    expect(slow.message).toMatch(/lower mean e2e than lor \(needs ≥ 20\.0%\)/);
    expect(readdirSync(join(dir, 'routing'))).toHaveLength(10);
  });

  it("places a submission between the best engine router (0 points) and 80% of the reference's gain (full)", async () => {
    // Gains over the best engine router per workload, the student's and the reference's.
    expect(placedScore([0.05, 0.1, 0.2], [0.04, 0.1, 0.3], 5).score).toBe(5);
    expect(placedScore([0, -0.01, 0.2], [0.04, 0.1, 0.3], 5).score).toBe(0);
    expect(placedScore([0.05, 0.05, 0.2], [0.04, 0.1, 0.3], 5).score).toBe(3.125);
    // A design as good as the reference but a little below it on this draw keeps full points.
    expect(placedScore([0.08, 0.08, 0.2], [0.04, 0.1, 0.3], 5).score).toBe(5);
    expect(placedScore([0.07, 0.07, 0.2], [0.04, 0.1, 0.3], 5).score).toBeLessThan(5);
    // A draw where the reference gains less than half a percent, or loses: it still gets full points, a copy some.
    expect(placedScore([-0.002], [-0.002], 3).score).toBe(3);
    expect(placedScore([0], [0.003], 3).score).toBeCloseTo(1.56, 5);
    vi.stubEnv('SERVELAB_CACHE_DIR', mkdtempSync(join(tmpdir(), 'servelab-routing-cache-')));
    const slow = await score('equal-replicas', student(1e6));
    expect(slow.score).toBe(0);
    expect(slow.message).toMatch(/^median gain -[\d.]+% over the best of llq, lor, round robin and random/);
  });

  it('a broken rule or a missing run scores 0 and says which run', async () => {
    const broken = await score('equal-replicas', student(0.01, ['read numDecodeTokens 3 time(s)']));
    expect(broken.score).toBe(0);
    expect(broken.message).toBe('correctness rules broken: tiny workload 1: read numDecodeTokens 3 time(s)');
    const missing = await score('equal-replicas', { runs: student(0.01).runs.slice(0, 1) });
    expect(missing.score).toBe(0);
    expect(missing.message).toMatch(/tiny workload 2: no result for this run/);
  });

  it("the engine's verdict of invalid child answers, and replies of another shape, are invalid-output", async () => {
    await expect(
      score('beats-lor', { runs: [], invalid: 'the harness answered a router call with data of the wrong shape' }),
    ).rejects.toThrow(InvalidOutput);
    await expect(score('beats-lor', { runs: [{ label: 'x' }] })).rejects.toThrow(/wrong shape at runs\.0/);
  });
});
