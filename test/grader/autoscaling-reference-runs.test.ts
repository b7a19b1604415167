/**
 * The tuning and Pareto items score a submission's replayed decisions against the reference's own runs on the
 * same hidden traces, so "the reference gets full marks" holds by construction. These cases show the comparison
 * is real: the reference's own child output loses points once the reference run it is scored against is a
 * different one (a mistuned reference configuration, or the reference run on other traces than the ones the
 * decisions were made for). Full marks against the true reference runs: autoscaling-lab.test.ts.
 */
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../sim/config/paths.js';
import { scoreItem, type ItemContext } from '../../grader/core/lab.js';
import { REFERENCE_DIR } from '../../grader/labs/autoscaling/items.js';
import { loadLab } from '../../grader/labs/catalogue.js';
import { defaultContext, runItemChildren, type ChildRun } from './grade-items.js';

const FILES = ['scaling-routers.ts', 'network-envelope.ts', 'inferline-autoscaler.ts', 'custom-autoscaler.ts'];
const lab = await loadLab('autoscaling');
const points = (id: string) => lab.manifest.items.find((i) => i.id === id)!.points;
const ctx = defaultContext('autoscaling');

/**
 * A reference root whose inferline-autoscaler.ts keeps the reference's class but runs it with another
 * INFERLINE_CONFIG (custom-autoscaler.ts is the reference's, re-exported).
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
  writeFileSync(join(dir, 'custom-autoscaler.ts'), `export * from ${real('custom-autoscaler.ts')};\n`);
  // Items read the lab's public traces from the same root (the report's timeline uses one).
  symlinkSync(join(REPO_ROOT, 'traces'), join(root, 'traces'));
  return root;
}

const score = async (id: 'tuning' | 'pareto', run: ChildRun, prepared: unknown, context: ItemContext) => {
  if (run.verdict !== 'ok' || !('result' in run))
    throw new Error(`the reference's child did not finish: ${run.verdict}`);
  return scoreItem(lab.items[id]!, run.result, prepared, context, points(id));
};

describe('autoscaling tuning and Pareto items against a wrong reference run', () => {
  let runs: Record<string, ChildRun>;
  beforeAll(async () => {
    const files = new Map(FILES.map((f) => [f, readFileSync(join(REPO_ROOT, REFERENCE_DIR, f), 'utf8')]));
    runs = await runItemChildren('autoscaling', files, ['tuning', 'pareto'], ctx);
  }, 120_000);

  const prepared = (id: string, context: ItemContext) => lab.items[id]!.prepare(context).prepared;
  const otherTraces: ItemContext = { ...ctx, hiddenSeed: ctx.hiddenSeed + 1 };

  it('tuning: scored against a reference run with more replicas (minReplicas 12), the reference loses points', async () => {
    const wrong = { ...ctx, repoRoot: mistunedReferenceRoot({ minReplicas: 12 }) };
    const outcome = await score('tuning', runs.tuning!, prepared('tuning', wrong), wrong);
    expect(outcome.score, outcome.message).toBeLessThan(points('tuning'));
    expect(outcome.output).toMatch(/worse ratio/);
  });

  it('tuning: decisions made for one set of hidden traces, scored against the reference run on another, lose points', async () => {
    const outcome = await score('tuning', runs.tuning!, prepared('tuning', otherTraces), otherTraces);
    expect(outcome.score, outcome.message).toBeLessThan(points('tuning'));
  });

  it('pareto: decisions made for one set of hidden traces, scored against the reference runs on another, lose points', async () => {
    const outcome = await score('pareto', runs.pareto!, prepared('pareto', otherTraces), otherTraces);
    expect(outcome.score, outcome.message).toBeLessThan(points('pareto'));
  });
});
