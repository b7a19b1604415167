/**
 * The autoscaling lab's scenario scoring without a sandbox. The tuning and Pareto items score a
 * submission's replayed decisions against the reference's own runs on the same hidden traces, so "the
 * reference gets full marks" holds by construction (lab.test.ts grades it end to end); these cases show
 * the comparison is real: the reference's own decisions lose points once the reference run they are
 * scored against is another one (a mistuned reference configuration, or other traces).
 */
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../../../sim/config/paths.js';
import { scoreItem, type ItemContext } from '../../../../grader/core/lab.js';
import { lab } from '../../../../grader/labs/autoscaling/lab.js';
import { configProblems, paretoItem, tuningItem, tuningShare } from '../../../../grader/labs/autoscaling/scenarios.js';
import { referencePoint as hvReference } from '../../../../sim/metrics/hypervolume.js';
import { runSimulations } from '../../../../grader/labs/autoscaling/simulate.js';
import { oracle } from '../../../../grader/labs/autoscaling/student.js';
import { hiddenWorkloads, timelineTrace } from '../../../../grader/labs/autoscaling/workloads.js';

const REFERENCE_DIR = 'reference/autoscaling';
const points = (id: string) => lab.manifest.items.find((i) => i.id === id)!.points;
const ctx: ItemContext = {
  hiddenSeed: lab.manifest.defaultHiddenSeed,
  publicSeed: lab.manifest.publicSeed,
  repoRoot: REPO_ROOT,
};
const otherTraces: ItemContext = { ...ctx, hiddenSeed: ctx.hiddenSeed + 1 };
const reference = await oracle.reference(ctx);

describe('scoring helpers', () => {
  const m = (p90: number, costDollars: number) => ({ p90, costDollars, completed: 10, total: 10 });
  it('tuning: full share within ×1.1 on both, none from ×1.6, linear in the worse ratio', () => {
    expect(tuningShare(m(0.11, 10), m(0.1, 10)).share).toBe(1);
    expect(tuningShare(m(0.1, 16), m(0.1, 10)).share).toBe(0);
    expect(tuningShare(m(0.135, 9), m(0.1, 10)).share).toBeCloseTo(0.5, 9);
    expect(tuningShare({ ...m(0.1, 10), completed: 9 }, m(0.1, 10)).share).toBe(0);
  });
  it('the hypervolume reference point is $50 and 0.5 s for the shipped trace, cost scaled by requests', () => {
    expect(hvReference(126_000)).toEqual({ cost: 50, latency: 0.5 });
    expect(hvReference(100_800).cost).toBeCloseTo(40, 9);
  });
  it('config problems are named field by field', () => {
    const config = { ...reference.inferline.INFERLINE_CONFIG };
    expect(configProblems(config)).toEqual([]);
    expect(configProblems({ ...config, tuneInterval: 0.1, throughputAlpha: 2 })).toEqual([
      'INFERLINE_CONFIG.tuneInterval must be between 1 and 60, got 0.1',
      'INFERLINE_CONFIG.throughputAlpha must be in (0, 1], got 2',
    ]);
    expect(configProblems({ ...config, minReplicas: 5, maxReplicas: 4 })).toEqual([
      'INFERLINE_CONFIG.minReplicas must not exceed maxReplicas',
    ]);
  });
});

/**
 * A reference root whose inferline-autoscaler.ts keeps the reference's class but runs it with another
 * INFERLINE_CONFIG (the other files are the reference's, re-exported).
 */
function mistunedReferenceRoot(config: Record<string, number>): string {
  const root = mkdtempSync(join(tmpdir(), 'servelab-autoscaling-wrong-ref-'));
  const dir = join(root, REFERENCE_DIR);
  mkdirSync(dir, { recursive: true });
  const real = (file: string) => JSON.stringify(pathToFileURL(join(REPO_ROOT, REFERENCE_DIR, file)).href);
  writeFileSync(
    join(dir, 'inferline-autoscaler.ts'),
    `import { INFERLINE_CONFIG as REAL } from ${real('inferline-autoscaler.ts')};\nexport { InferlineAutoscaler } from ${real('inferline-autoscaler.ts')};\nexport const INFERLINE_CONFIG = { ...REAL, ...${JSON.stringify(config)} };\n`,
  );
  for (const f of ['custom-autoscaler.ts', 'network-envelope.ts', 'scaling-routers.ts'])
    writeFileSync(join(dir, f), `export * from ${real(f)};\n`);
  symlinkSync(join(REPO_ROOT, 'traces'), join(root, 'traces'));
  return root;
}

describe('tuning and Pareto items against a wrong reference run (the first hidden trace, to keep it short)', () => {
  // The reference's decisions on the first hidden trace of each item, as the child would report them.
  const [tuningTrace] = hiddenWorkloads(ctx.hiddenSeed, 'tuning');
  const [paretoTrace] = hiddenWorkloads(ctx.hiddenSeed, 'pareto');
  const sim = (run: typeof tuningTrace, levels: (0 | 1 | 2 | 3)[]) =>
    runSimulations(reference, { task: 'simulate', runs: [run!], levels, keepGoing: false }, REFERENCE_DIR);
  const tuningOut = sim(tuningTrace, [0]);
  const paretoOut = sim(paretoTrace, [1, 2, 3]);
  const tuningPrepared = (c: ItemContext) => ({
    workloads: hiddenWorkloads(c.hiddenSeed, 'tuning').slice(0, 1),
    timeline: timelineTrace(c.repoRoot),
  });

  it('tuning: full marks against the true reference run', async () => {
    const outcome = await scoreItem(tuningItem, tuningOut, tuningPrepared(ctx), ctx, points('tuning'));
    expect(outcome.score, outcome.message).toBe(points('tuning'));
  });

  it('tuning: scored against a reference run with more replicas (minReplicas 12), the reference loses points', async () => {
    const wrong = { ...ctx, repoRoot: mistunedReferenceRoot({ minReplicas: 12 }) };
    const outcome = await scoreItem(tuningItem, tuningOut, tuningPrepared(wrong), wrong, points('tuning'));
    expect(outcome.score, outcome.message).toBeLessThan(points('tuning'));
    expect(outcome.output).toMatch(/worse ratio/);
  });

  it('tuning: decisions made for one hidden trace, scored against the reference run on another, lose points', async () => {
    const outcome = await scoreItem(tuningItem, tuningOut, tuningPrepared(otherTraces), otherTraces, points('tuning'));
    expect(outcome.score, outcome.message).toBeLessThan(points('tuning'));
  });

  it('pareto: decisions made for one hidden trace, scored against the reference runs on another, lose points', async () => {
    const prepared = hiddenWorkloads(otherTraces.hiddenSeed, 'pareto').slice(0, 1);
    const outcome = await scoreItem(paretoItem, paretoOut, prepared, otherTraces, points('pareto'));
    expect(outcome.score, outcome.message).toBeLessThan(points('pareto'));
  });
});
