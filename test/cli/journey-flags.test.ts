/** Issue 16 item 10: `--flag false` as --help's `<boolean>` promises, and run folders named by policy files. */
import { describe, expect, it } from 'vitest';
import { parseArgs } from '../../sim/cli/flags.js';
import { runName } from '../../sim/cli/output.js';
import { parseConfig } from '../../sim/config/schema.js';

describe('sim CLI', () => {
  it('takes a boolean as --flag false, --flag=false, --no-flag or --flag', () => {
    expect(parseArgs(['--write-outputs', 'false']).config.writeOutputs).toBe(false);
    expect(parseArgs(['--write-outputs', 'true']).config.writeOutputs).toBe(true);
    expect(parseArgs(['--write-outputs=false']).config.writeOutputs).toBe(false);
    expect(parseArgs(['--no-write-outputs']).config.writeOutputs).toBe(false);
    expect(parseArgs(['--write-outputs', '--seed', '3']).config).toMatchObject({ writeOutputs: true, seed: 3 });
  });

  it('names a run folder after the router or scheduler file it loaded', () => {
    expect(runName(parseConfig({}))).toMatch(/_vllm_lor$/);
    expect(runName(parseConfig({ routerModule: 'starter/routing/ai-router.ts' }))).toMatch(/_vllm_ai-router$/);
    expect(runName(parseConfig({ replicaSchedulerModule: 'starter/fairness/vtc-replica-scheduler.ts' }))).toMatch(
      /_vtc-replica-scheduler_lor$/,
    );
    expect(runName(parseConfig({ name: 'mine', routerModule: 'x.ts' }))).toBe('mine');
  });
});
