/** Unequal replicas (`--replica-mix`, sim/config/replica-mix.ts): parsing, per-replica memory, model and price. */
import { describe, expect, it } from 'vitest';
import { buildSimulation } from '../../sim/config/build.js';
import { parseConfig } from '../../sim/config/schema.js';
import { Simulator, type ReplicaKind } from '../../sim/engine/simulator.js';
import type { ReplicaScheduler } from '../../sim/policies/replica/replica-scheduler.js';
import { linearModel, req, setup } from '../helpers.js';

describe('--replica-mix', () => {
  it('parses device[/tpN] lists and names a bad entry', () => {
    expect(parseConfig({ replicaMix: 'a100, h100/tp2' }).replicaMix).toEqual([
      { device: 'a100', tp: 1 },
      { device: 'h100', tp: 2 },
    ]);
    expect(() => parseConfig({ replicaMix: 'a100,b200' })).toThrow(/replicaMix|replica-mix/);
    expect(() => parseConfig({ replicaMix: 'a100/tp0' })).toThrow();
  });

  it('gives replica id i the entry i mod n: its own KV blocks, its label, a price per device', () => {
    const config = parseConfig({
      replicas: 3,
      replicaMix: 'a100,a100-40gb',
      numRequests: 4,
      executionModel: 'roofline',
    });
    const built = buildSimulation(config);
    const kinds = built.replicaKinds!;
    expect(kinds.map((k) => k.label)).toEqual(['a100', 'a100-40gb']);
    // The 40 GB card has less room for KV cache once the weights are in.
    expect(kinds[1]!.numBlocks).toBeLessThan(kinds[0]!.numBlocks / 2);
    const seen: ReplicaScheduler[] = [];
    new Simulator({ ...built, observers: [{ onReplicaAdded: (r) => seen.push(r) }] }).run();
    expect(seen.map((r) => [r.replicaId, r.kind, r.kv.numBlocks])).toEqual([
      [0, 'a100', kinds[0]!.numBlocks],
      [1, 'a100-40gb', kinds[1]!.numBlocks],
      [2, 'a100', kinds[0]!.numBlocks],
    ]);
  });

  it("times each batch with its replica's model and integrates each replica's price", () => {
    const slow: ReplicaKind = { label: 'slow', numBlocks: 1000, executionModel: linearModel, costPerReplicaHour: 1 };
    const fast: ReplicaKind = {
      label: 'fast',
      numBlocks: 1000,
      executionModel: { name: 'half', batchTime: (b) => linearModel.batchTime(b) / 2 },
      costPerReplicaHour: 5,
    };
    // Round robin: request 0 to replica 0 (slow), request 1 to replica 1 (fast); same lengths.
    const result = new Simulator(
      setup([req(100, 20, { id: 0 }), req(100, 20, { id: 1 })], { replicaKinds: [slow, fast] }),
    ).run();
    const [onSlow, onFast] = result.requests.map((r) => r.completedAt! - r.arrivedAt);
    expect(onFast).toBeCloseTo(onSlow! / 2, 9);
    expect(result.costDollars).toBeCloseTo(((1 + 5) * result.endTime) / 3600, 12);
  });
});
