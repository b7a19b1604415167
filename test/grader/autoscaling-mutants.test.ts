/**
 * Each wrong implementation of test/fixtures/mutants/autoscaling.ts (the reference with one file patched)
 * loses points on the item that tests what it breaks, and nowhere else; the
 * efficiency check passes the reference (on another hidden seed) and flags the naive envelope while the
 * machine is loaded.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../sim/config/paths.js';
import { loadLab } from '../../grader/labs/catalogue.js';
import { gradeSubmission } from '../../grader/core/grade.js';
import type { GradingResult } from '../../grader/core/types.js';
import { applyMutant } from '../fixtures/mutants/mutant.js';
import { MUTANTS } from '../fixtures/mutants/autoscaling.js';
import { gradeItems } from './grade-items.js';

/** Whole gradings on a shared two-core machine: generous, so load cannot turn them into timeouts. */
const SLOW = 300_000;
const FILES = ['scaling-routers.ts', 'network-envelope.ts', 'inferline-autoscaler.ts', 'custom-autoscaler.ts'];
const REFERENCE = join(REPO_ROOT, 'reference', 'autoscaling');

/** The reference's files with the mutants' files in their place (mutants replacing different files combine). */
function withMutants(...names: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), `servelab-autoscaling-${names.join('+') || 'reference'}-`));
  for (const f of FILES) cpSync(join(REFERENCE, f), join(dir, f));
  const replaced = new Set<string>();
  for (const name of names) {
    const mutant = MUTANTS.find((m) => m.name === name);
    if (mutant === undefined) throw new Error(`no mutant ${name}`);
    if (replaced.has(mutant.file)) throw new Error(`two mutants replace ${mutant.file}; they cannot be combined`);
    replaced.add(mutant.file);
    writeFileSync(join(dir, mutant.file), applyMutant(readFileSync(join(REFERENCE, mutant.file), 'utf8'), mutant));
  }
  return dir;
}

/** Mutant → the item it must lose points on (a 0-point item: its verdict must be failed). */
const EXPECTED: Record<string, string> = {
  'naive-envelope': 'envelope-scaling',
  'envelope-partial-windows': 'envelope',
  'tune-double-counts-pending': 'tune',
  'tune-no-stabilisation': 'tune',
  'ema-wrong-weight': 'throughput-ema',
  'rr-routes-to-marked': 'round-robin',
  'rr-assumes-contiguous-ids': 'round-robin',
  'lor-marks-busiest': 'lor',
  'pareto-dominated-level': 'pareto',
};

const lost = (r: GradingResult) =>
  r.items.filter((i) => (i.maxScore > 0 ? i.score < i.maxScore : i.verdict !== 'passed')).map((i) => i.id);

describe('autoscaling mutants', () => {
  it('every mutant is listed here', () => {
    expect(MUTANTS.map((m) => m.name).sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  /**
   * Mutants of different files, each breaking a different visible item, graded together to save time:
   * the reference passes every visible item, so each lost item is the one mutant's doing. Graded item by
   * item (hidden variants included: `npm run check` runs only the public cases, which some mutants pass,
   * as the handout's examples do), the hidden scenario items left out since a tune() mutant changes them too.
   */
  const GROUPS = [
    ['rr-routes-to-marked', 'tune-double-counts-pending', 'envelope-partial-windows'],
    ['rr-assumes-contiguous-ids', 'tune-no-stabilisation'],
    ['lor-marks-busiest', 'ema-wrong-weight'],
  ];
  const VISIBLE = ['round-robin', 'lor', 'envelope', 'envelope-scaling', 'throughput-ema', 'tune', 'public-trace'];
  it.each(GROUPS.map((g) => [g.join(' + '), g] as const))(
    '%s: each loses points on its own item, nothing else is lost',
    async (_label, group) => {
      const dir = withMutants(...group);
      const files = new Map(FILES.map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
      const results = await gradeItems('autoscaling', files, VISIBLE);
      const lostHere = Object.entries(results)
        .filter(([, r]) => (r.max > 0 ? r.score < r.max : r.passed !== true))
        .map(([id]) => id);
      expect(lostHere.sort()).toEqual(group.map((m) => EXPECTED[m]!).sort());
    },
    SLOW,
  );

  it('the groups cover every visible-item mutant', () => {
    expect(GROUPS.flat().sort()).toEqual(
      Object.keys(EXPECTED)
        .filter((m) => m !== 'naive-envelope' && m !== 'pareto-dominated-level')
        .sort(),
    );
  });

  it(
    'pareto-dominated-level loses points on the Pareto item: a duplicate level adds no hypervolume',
    async () => {
      const result = await gradeSubmission({
        lab: await loadLab('autoscaling'),
        submission: withMutants('pareto-dominated-level'),
      });
      expect(result.typeErrors).toEqual([]);
      expect(lost(result)).toEqual(['pareto']);
      const pareto = result.items.find((i) => i.id === 'pareto')!;
      expect(pareto.score).toBeLessThan(4.4);
      expect(pareto.score).toBeGreaterThan(3);
    },
    SLOW,
  );

  describe('under CPU load (three busy processes on top of the test run)', () => {
    const hogs: ChildProcess[] = [];
    afterAll(() => {
      for (const h of hogs) h.kill('SIGKILL');
    });

    it(
      'the efficiency check passes the reference and flags the naive O(n)-per-query envelope',
      async () => {
        for (let i = 0; i < 3; i++) hogs.push(spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' }));
        const reference = await gradeSubmission({
          lab: await loadLab('autoscaling'),
          submission: withMutants(),
          mode: 'check',
          hiddenSeed: 11,
        });
        const naive = await gradeSubmission({
          lab: await loadLab('autoscaling'),
          submission: withMutants('naive-envelope'),
          mode: 'check',
          hiddenSeed: 11,
        });
        const check = (r: GradingResult) => r.items.find((i) => i.id === 'envelope-scaling')!;
        expect(check(reference).verdict, check(reference).message).toBe('passed');
        expect(check(naive).verdict, check(naive).message).toBe('failed');
        expect(check(naive).message).toMatch(
          /^flagged: your envelope's cost per arrival and per query grows with the number of requests/,
        );
        // The naive envelope is right, only slow: nothing else is lost.
        expect(lost(naive)).toEqual(['envelope-scaling']);
        expect(lost(reference)).toEqual([]);
      },
      SLOW,
    );
  });
});
