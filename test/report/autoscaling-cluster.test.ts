/** traces/autoscaling-cluster.json is the grader's cluster, so `npm run sim -- --config` runs what grading runs. */
import { describe, expect, it } from 'vitest';
import { parseArgs } from '../../sim/cli/flags.js';
import { autoscalingOptions, costPerReplicaHour } from '../../sim/config/build.js';
import { parseConfig } from '../../sim/config/schema.js';
import { clusterConfig } from '../../grader/labs/autoscaling/simulate.js';

describe('traces/autoscaling-cluster.json', () => {
  it('matches the grader\u2019s cluster and scaling environment', () => {
    const config = parseConfig(parseArgs(['--config', 'traces/autoscaling-cluster.json']).config);
    const grader = clusterConfig();
    for (const key of [
      'model',
      'device',
      'tp',
      'replicas',
      'replicaScheduler',
      'batchSizeCap',
      'maxTokensInBatch',
      'executionModel',
      'globalScheduler',
      'seed',
    ] as const) {
      expect(config[key], key).toEqual(grader[key]);
    }
    const policy = { tuneInterval: 5, tune: () => 0 };
    expect(autoscalingOptions(config, policy)).toEqual(autoscalingOptions(grader, policy));
    // $8 per replica-hour, as labs/autoscaling/README.md states it.
    expect(costPerReplicaHour(grader)).toBe(8);
    expect(costPerReplicaHour(config)).toBe(8);
    expect(config.trace).toBe('traces/autoscaling.csv');
  });
});
