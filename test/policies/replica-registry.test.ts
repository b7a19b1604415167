import { describe, expect, it } from 'vitest';
import { replicaSchedulerFactoryOf } from '../../sim/config/build.js';
import { errorRaisedInModule, loadReplicaSchedulerClass } from '../../sim/config/plugins.js';
import { parseConfig } from '../../sim/config/schema.js';
import { KvBlockManager } from '../../sim/memory/kv-block-manager.js';
import type { DeadlineReplicaScheduler } from '../../sim/policies/replica/deadline/deadline-replica-scheduler.js';
import { OrderedSarathiScheduler } from '../../sim/policies/replica/deadline/ordered-sarathi.js';
import { REPLICA_SCHEDULERS, ReplicaSchedulerName } from '../../sim/policies/replica/registry.js';
import type { ReplicaSchedulerInit } from '../../sim/policies/replica/replica-scheduler.js';
import { VllmReplicaScheduler } from '../../sim/policies/replica/vllm.js';
import { VllmV0ReplicaScheduler } from '../../sim/policies/replica/vllm-v0-replica-scheduler.js';
import { LIMITS } from '../helpers.js';

const init = (): ReplicaSchedulerInit => ({ replicaId: 0, kv: new KvBlockManager(100, 16, 0), limits: LIMITS });

describe('the replica-scheduler registry', () => {
  it('has one entry per name, each building its own policy', () => {
    expect(Object.keys(REPLICA_SCHEDULERS).sort()).toEqual([...ReplicaSchedulerName.options].sort());
    expect(REPLICA_SCHEDULERS['vllm-v0'].create(init())).toBeInstanceOf(VllmV0ReplicaScheduler);
    const edf = REPLICA_SCHEDULERS['sarathi-edf'].create(init());
    expect(edf).toBeInstanceOf(OrderedSarathiScheduler);
    expect((edf as OrderedSarathiScheduler).order).toBe('edf');
  });

  it("binds each entry's options from the config when the run is built", () => {
    const config = parseConfig({
      replicaScheduler: 'vllm-v0',
      swapSpace: 2,
      preemptionMode: 'swap',
      cfsInterval: 7,
      tierDeadlines: [5, 50],
      hybridAlpha: 0.5,
    });
    const v0 = replicaSchedulerFactoryOf(config)(init());
    expect(v0).toBeInstanceOf(VllmV0ReplicaScheduler);
    expect((v0 as VllmV0ReplicaScheduler).options).toMatchObject({
      swapSpaceGiB: 2,
      preemptionMode: 'swap',
      cfsInterval: 7,
    });
    const srpf = replicaSchedulerFactoryOf({ ...config, replicaScheduler: 'sarathi-srpf' })(
      init(),
    ) as DeadlineReplicaScheduler;
    expect(srpf.deadline).toMatchObject({ tierDeadlines: [5, 50], hybridAlpha: 0.5 });
  });

  it('gives a loaded class the options of the nearest engine policy it extends, and none otherwise', async () => {
    const config = parseConfig({ swapSpace: 2, cfsInterval: 3, tierDeadlines: [5, 50], outputLenPrediction: 9 });
    const Cfs = await loadReplicaSchedulerClass('reference/cfs/cfs-scheduler.ts');
    const cfs = replicaSchedulerFactoryOf(config, { replicaSchedulerClass: Cfs })(init());
    expect(cfs).toBeInstanceOf(VllmV0ReplicaScheduler);
    expect((cfs as VllmV0ReplicaScheduler).options).toMatchObject({ swapSpaceGiB: 2, cfsInterval: 3 });
    const Deadline = await loadReplicaSchedulerClass('reference/deadline/deadline-scheduler.ts');
    const deadline = replicaSchedulerFactoryOf(config, { replicaSchedulerClass: Deadline })(init());
    expect((deadline as DeadlineReplicaScheduler).deadline).toMatchObject({
      tierDeadlines: [5, 50],
      outputLenPrediction: 9,
    });
    const Vtc = await loadReplicaSchedulerClass('reference/fairness/vtc-replica-scheduler.ts');
    expect(replicaSchedulerFactoryOf(config, { replicaSchedulerClass: Vtc })(init())).toBeInstanceOf(
      VllmReplicaScheduler,
    );
  });
});

describe('errorRaisedInModule', () => {
  it("names the module whose own code raised the error, and no module for the engine's errors", async () => {
    const Vtc = await loadReplicaSchedulerClass('starter/fairness/vtc-replica-scheduler.ts');
    const replica = new Vtc(init());
    let raised: unknown;
    try {
      replica.schedule(0);
    } catch (err) {
      raised = err;
    }
    expect(raised).toBeInstanceOf(Error);
    expect(errorRaisedInModule(raised, ['starter/fairness/vtc-replica-scheduler.ts'])).toBe(
      'starter/fairness/vtc-replica-scheduler.ts',
    );
    expect(
      errorRaisedInModule(new Error('from the engine'), ['starter/fairness/vtc-replica-scheduler.ts']),
    ).toBeUndefined();
  });
});
