import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseArgs } from '../../sim/cli/flags.js';
import { buildSimulation, loadRequests } from '../../sim/config/build.js';
import { findReplicaSchedulerClass, loadReplicaSchedulerClass } from '../../sim/config/plugins.js';
import { parseConfig } from '../../sim/config/schema.js';
import { Simulator } from '../../sim/engine/simulator.js';
import { KvBlockManager } from '../../sim/memory/kv-block-manager.js';
import { ReplicaScheduler } from '../../sim/policies/replica/replica-scheduler.js';
import { VllmReplicaScheduler } from '../../sim/policies/replica/vllm.js';
import {
  ClientWorkload,
  generateMultiClient,
  isActive,
  parseClientsText,
  type ClientWorkloadInput,
} from '../../sim/workload/multi-client.js';
import { Rng } from '../../sim/workload/rng.js';
import { LIMITS } from '../helpers.js';

const gen = (clients: ClientWorkloadInput[], duration = 600, seed = 1, count?: number) =>
  generateMultiClient(
    { clients: clients.map((c) => ClientWorkload.parse(c)), duration, count, maxTokens: 4096 },
    new Rng(seed),
  );

describe('multi-client workloads', () => {
  it('gives each client its own rate and lengths, merged by arrival time with ids in order', () => {
    const rs = gen([{ qps: 1 }, { qps: 3, prefill: 512, decode: 32 }]);
    expect(rs.map((r) => r.id)).toEqual(rs.map((_, i) => i));
    for (let i = 1; i < rs.length; i++) expect(rs[i]!.arrivedAt).toBeGreaterThanOrEqual(rs[i - 1]!.arrivedAt);
    const c0 = rs.filter((r) => r.clientId === 0);
    const c1 = rs.filter((r) => r.clientId === 1);
    expect(c0.length / 600).toBeGreaterThan(0.85);
    expect(c0.length / 600).toBeLessThan(1.15);
    expect(c1.length / 600).toBeGreaterThan(2.7);
    expect(c1.length / 600).toBeLessThan(3.3);
    expect(c0.every((r) => r.numPrefillTokens === 256 && r.numDecodeTokens === 256)).toBe(true);
    expect(c1.every((r) => r.numPrefillTokens === 512 && r.numDecodeTokens === 32)).toBe(true);
  });

  it('keeps on/off clients silent in their off periods and honours start and end', () => {
    const spec = { qps: 5, on: 60, off: 40, start: 10, end: 500 };
    const rs = gen([spec]);
    expect(rs.length).toBeGreaterThan(0);
    for (const r of rs) {
      expect(r.arrivedAt).toBeGreaterThanOrEqual(10);
      expect(r.arrivedAt).toBeLessThan(500);
      expect((r.arrivedAt - 10) % 100).toBeLessThan(60);
    }
    expect(isActive(ClientWorkload.parse(spec), 69.9)).toBe(true);
    expect(isActive(ClientWorkload.parse(spec), 70)).toBe(false);
    expect(isActive(ClientWorkload.parse(spec), 110)).toBe(true);
  });

  it('uniform arrivals are evenly spaced after a random phase; ranges draw lengths uniformly', () => {
    const rs = gen([{ qps: 2, arrivals: 'uniform', prefill: 10, prefillMax: 20, decode: 5, decodeMax: 6 }], 100);
    expect(rs[0]!.arrivedAt).toBeLessThan(0.5);
    for (let i = 1; i < rs.length; i++) expect(rs[i]!.arrivedAt - rs[i - 1]!.arrivedAt).toBeCloseTo(0.5, 9);
    expect(new Set(rs.map((r) => r.numPrefillTokens)).size).toBeGreaterThan(5);
    expect(
      rs.every(
        (r) => r.numPrefillTokens >= 10 && r.numPrefillTokens <= 20 && r.numDecodeTokens >= 5 && r.numDecodeTokens <= 6,
      ),
    ).toBe(true);
  });

  it("is deterministic, and adding a client leaves the others' arrivals unchanged", () => {
    const one = gen([{ qps: 2 }], 300, 7);
    expect(gen([{ qps: 2 }], 300, 7)).toEqual(one);
    const two = gen([{ qps: 2 }, { qps: 4, arrivals: 'gamma', cv: 2 }], 300, 7);
    expect(two.filter((r) => r.clientId === 0).map((r) => r.arrivedAt)).toEqual(one.map((r) => r.arrivedAt));
    expect(gen([{ qps: 2 }], 300, 8)).not.toEqual(one);
  });

  it('models a shifting distribution with several windows of one client id, and caps the count', () => {
    const rs = gen(
      [
        { client: 3, qps: 1, end: 100 },
        { client: 3, qps: 10, start: 100, end: 200 },
      ],
      200,
    );
    expect(new Set(rs.map((r) => r.clientId))).toEqual(new Set([3]));
    expect(rs.filter((r) => r.arrivedAt >= 100).length).toBeGreaterThan(5 * rs.filter((r) => r.arrivedAt < 100).length);
    expect(gen([{ qps: 5 }], 600, 1, 10)).toHaveLength(10);
  });

  it('reads the command-line text form, and rejects bad specs field by field', () => {
    expect(parseClientsText('qps=1.5; qps=3,prefill=512,decode=32,on=60,off=60')).toEqual([
      { qps: 1.5 },
      { qps: 3, prefill: 512, decode: 32, on: 60, off: 60 },
    ]);
    const { config } = parseArgs(['--clients', 'qps=1;qps=2,arrivals=uniform', '--client-weights', '1,3']);
    const parsed = parseConfig(config);
    expect(parsed.clients).toHaveLength(2);
    expect(parsed.clients![1]!.arrivals).toBe('uniform');
    expect(parsed.clientWeights).toEqual([1, 3]);
    expect(() => parseConfig({ clients: 'qps=1;qps=fast' })).toThrow(/clients\.1\.qps/);
    expect(() => parseConfig({ clients: 'qps=1,on=60' })).toThrow(/give both on and off/);
    expect(() => parseConfig({ clients: 'qps=1,speed=2' })).toThrow(/speed/);
    expect(() => parseConfig({ clientWeights: '1,0' })).toThrow(/clientWeights\.1/);
  });

  it('drives loadRequests from the config, and trace lengths come from the lengths trace', () => {
    const config = parseConfig({ clients: [{ qps: 2 }, { qps: 1, lengths: 'trace' }], duration: 100, seed: 3 });
    const rs = loadRequests(config);
    expect(new Set(rs.map((r) => r.clientId))).toEqual(new Set([0, 1]));
    expect(new Set(rs.filter((r) => r.clientId === 1).map((r) => r.numPrefillTokens)).size).toBeGreaterThan(3);
  });
});

describe('client weights and replica-scheduler modules', () => {
  it("hands the config's client weights to every replica scheduler", () => {
    const seen: number[][] = [];
    class Probe extends VllmReplicaScheduler {
      constructor(init: ConstructorParameters<typeof VllmReplicaScheduler>[0]) {
        super(init);
        seen.push([this.clientWeight(0), this.clientWeight(1), this.clientWeight(7)]);
      }
    }
    const config = parseConfig({
      replicas: 2,
      clients: 'qps=1;qps=1',
      clientWeights: '1,2.5',
      duration: 5,
      writeOutputs: false,
      progress: 'off',
    });
    new Simulator(buildSimulation(config, { makeReplicaScheduler: (init) => new Probe(init) })).run();
    expect(seen).toEqual([
      [1, 2.5, 1],
      [1, 2.5, 1],
    ]);
    const plain = new VllmReplicaScheduler({ replicaId: 0, kv: new KvBlockManager(10, 16, 0), limits: LIMITS });
    expect(plain.clientWeight(4)).toBe(1);
  });

  it('loads a ReplicaScheduler subclass from a file, and explains what is wrong with others', async () => {
    class A extends VllmReplicaScheduler {}
    expect(findReplicaSchedulerClass({ A, VllmReplicaScheduler, helper: () => 1 }, 'x.ts')).toBe(A);
    expect(() => findReplicaSchedulerClass({ helper: 1 }, 'x.ts')).toThrow(/exports no subclass of ReplicaScheduler/);
    class B extends ReplicaScheduler {
      protected getNextBatch() {
        return undefined;
      }
    }
    expect(() => findReplicaSchedulerClass({ A, B }, 'x.ts')).toThrow(/several ReplicaScheduler subclasses \(A, B\)/);
    const Loaded = await loadReplicaSchedulerClass('reference/fairness/vtc-replica-scheduler.ts');
    const s = new Loaded({ replicaId: 0, kv: new KvBlockManager(10, 16, 0), limits: LIMITS });
    expect(s.constructor.name).toBe('VtcReplicaScheduler');
    const dir = mkdtempSync(join(tmpdir(), 'servelab-plugin-'));
    writeFileSync(join(dir, 'none.mjs'), 'export const x = 1;\n');
    await expect(loadReplicaSchedulerClass(join(dir, 'none.mjs'))).rejects.toThrow(/no subclass/);
    await expect(loadReplicaSchedulerClass(join(dir, 'missing.ts'))).rejects.toThrow(/does not exist/);
  });
});
