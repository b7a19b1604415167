/** The CFS report question that dist:gradescope writes: points add up, and every plot it asks for is one the CLI makes. */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MANUAL_QUESTIONS, manualQuestionMarkdown, writeManualQuestions } from '../../grader/dist/manual-questions.js';
import { parseArgs } from '../../sim/cli/flags.js';
import { loadReplicaSchedulerClass } from '../../sim/config/plugins.js';
import { parseConfig } from '../../sim/config/schema.js';
import { runCfsSweep } from '../../sim/analysis/cfs-sweep.js';
import { comparePlots } from '../../sim/report/compare-plots.js';
import { runPlots } from '../../sim/report/run-plots.js';

describe('the CFS manual report question', () => {
  const q = MANUAL_QUESTIONS.cfs!;

  it('is worth what the autograded part is, and its rubric adds up', () => {
    expect(q.points).toBe(25);
    expect(q.rubric.reduce((s, r) => s + r.points, 0)).toBe(q.points);
    expect(() => manualQuestionMarkdown({ ...q, points: 24 })).toThrow(/add up to 25/);
  });

  it('asks only for plots that its own commands make', async () => {
    const config = parseConfig({
      ...parseArgs(['--config', 'traces/cfs-homework.json']).config,
      replicaSchedulerModule: 'reference/cfs/cfs-scheduler.ts',
      progress: 'off',
      writeOutputs: false,
    });
    const replicaSchedulerClass = await loadReplicaSchedulerClass(config.replicaSchedulerModule!);
    const runs = runCfsSweep(config, [0, 10], { replicaSchedulerClass });
    const made = {
      fcfs: new Set(
        runPlots({ result: runs[0]!.result, costPerReplicaHour: 4, usage: runs[0]!.usage }).map((f) => f.name),
      ),
      sweep: new Set(
        comparePlots(runs.map((r) => ({ label: String(r.row.interval), result: r.result, usage: r.usage }))).map(
          (f) => f.name,
        ),
      ),
    };
    expect(
      q.commands.some((c) => c.includes('--plots report/fcfs')) &&
        q.commands.some((c) => c.includes('--cfs-interval-sweep 0,5,10,20,40') && c.includes('--plots report/sweep')),
    ).toBe(true);
    const asked = q.rubric.flatMap((r) =>
      [...r.item.matchAll(/report\/(fcfs|sweep)\/([\w-]+)\.svg/g)].map(
        (m) => [m[1] as 'fcfs' | 'sweep', m[2]!] as const,
      ),
    );
    // Items may name a second file of the same folder without the prefix ("…/ttft-by-request.svg, ttft-cdf.svg").
    const bare = q.rubric.flatMap((r) =>
      [...r.item.matchAll(/, ([\w-]+)\.svg/g)].map((m) => ['sweep' as const, m[1]!] as const),
    );
    expect(asked.length).toBeGreaterThanOrEqual(8);
    for (const [dir, name] of [...asked, ...bare]) expect(made[dir].has(name), `${dir}/${name}.svg`).toBe(true);
  });

  it('is written beside the autograder as Markdown and JSON; other labs have none', () => {
    const dir = mkdtempSync(join(tmpdir(), 'servelab-manual-'));
    const md = writeManualQuestions('cfs', dir)!;
    expect(readFileSync(md, 'utf8')).toContain('| rubric item | points | look for |');
    expect(JSON.parse(readFileSync(join(dir, 'manual-questions.json'), 'utf8'))).toEqual(q);
    expect(writeManualQuestions('routing', dir)).toBeUndefined();
  });
});
