/**
 * Issue 16 items 2–4: what the Gradescope bundle stores (script modes, a fresh hidden seed), what the
 * results say about items students do not see yet, and that no student-visible output holds the
 * hidden seed.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { main as dist } from '../../grader/cli/dist.js';
import type { GradingResult, ItemResult } from '../../grader/core/types.js';
import { AutograderConfig } from '../../grader/dist/gradescope.js';
import { toJunit, toPrairieLearn } from '../../grader/report/exporters.js';
import { toGradescope } from '../../grader/report/gradescope.js';
import { renderHtml } from '../../grader/report/html.js';
import { renderMarkdown } from '../../grader/report/markdown.js';
import { labManifest } from '../../grader/labs/catalogue.js';
import { readZipEntries } from './zip-entries.js';

const root = mkdtempSync(join(tmpdir(), 'servelab-bundle-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A seed no other number in a report is likely to contain. */
const SEED = 918_273_645;

const item = (over: Partial<ItemResult>): ItemResult => ({
  id: 'a',
  number: '1',
  title: 'Public',
  kind: 'unit',
  visibility: 'visible',
  score: 2,
  maxScore: 2,
  verdict: 'passed',
  message: 'ok',
  output: '',
  durationMs: 5,
  ...over,
});
const result: GradingResult = {
  lab: 'routing',
  labTitle: 'Routing',
  submission: 'alice',
  hiddenSeed: SEED,
  publicSeed: 42,
  mode: 'grade',
  items: [
    item({}),
    item({
      id: 'b',
      number: '2',
      title: 'Later',
      kind: 'benchmark',
      visibility: 'after_due_date',
      score: 1,
      maxScore: 4,
      verdict: 'partial',
    }),
    item({
      id: 'c',
      number: '3',
      title: 'Never',
      kind: 'benchmark',
      visibility: 'hidden',
      score: 0,
      maxScore: 1,
      verdict: 'failed',
    }),
  ],
  score: 3,
  maxScore: 7,
  notices: [],
  typeErrors: [],
  graderVersion: '0.1.0',
  durationMs: 1000,
};

async function buildBundle(
  args: readonly string[],
): Promise<{ out: string; config: AutograderConfig; printed: string }> {
  const out = mkdtempSync(join(root, 'gs-'));
  const log = vi.spyOn(console, 'log').mockImplementation(() => {});
  try {
    // The reference's precomputed results are the instructor test's concern; here only the seed matters.
    expect(await dist(['gradescope', 'routing', '--out', join(out, 'source'), '--no-precompute', ...args])).toBe(0);
    const printed = log.mock.calls.map((c) => c.join(' ')).join('\n');
    return {
      out,
      config: AutograderConfig.parse(JSON.parse(readFileSync(join(out, 'source', 'servelab-autograder.json'), 'utf8'))),
      printed,
    };
  } finally {
    log.mockRestore();
  }
}

describe('the Gradescope bundle', () => {
  it('stores run_autograder and setup.sh as 0755 and everything else as 0644', async () => {
    const { out } = await buildBundle(['--seed', '5']);
    const entries = await readZipEntries(join(out, 'autograder.zip'));
    const modes = new Map(entries.map((e) => [e.name, e.mode]));
    expect(modes.get('run_autograder')).toBe(0o755);
    expect(modes.get('setup.sh')).toBe(0o755);
    expect(
      entries.filter((e) => e.mode !== 0o644 && !['run_autograder', 'setup.sh'].includes(e.name)).map((e) => e.name),
    ).toEqual([]);
  });

  it('without --seed gets a fresh seed from crypto randomness, printed once, never the manifest default', async () => {
    const saved = process.env.SERVELAB_HIDDEN_SEED;
    delete process.env.SERVELAB_HIDDEN_SEED;
    try {
      const a = await buildBundle([]);
      const b = await buildBundle([]);
      const committed = labManifest('routing').defaultHiddenSeed;
      expect(a.config.hiddenSeed).not.toBe(committed);
      expect(a.config.hiddenSeed).not.toBe(b.config.hiddenSeed);
      expect(a.printed.split(String(a.config.hiddenSeed)).length - 1).toBeGreaterThanOrEqual(1);
      expect(a.printed).toMatch(/hidden seed: \d+ \(fresh, from crypto randomness; printed only now/);
      const given = await buildBundle(['--seed', '77']);
      expect(given.config.hiddenSeed).toBe(77);
      expect(given.printed).toMatch(/hidden seed: 77 \(as given\)/);
    } finally {
      if (saved !== undefined) process.env.SERVELAB_HIDDEN_SEED = saved;
    }
  });
});

describe('what students are told and shown', () => {
  it('says what really happens to after_due_date and hidden items', () => {
    const gs = toGradescope(result);
    expect(gs.tests.map((t) => t.visibility)).toEqual(['visible', 'after_due_date', 'hidden']);
    expect(gs.output).toContain('Test 2 (4 points) is hidden until after the due date');
    expect(gs.output).toContain('Test 3 (1 point) is never shown to you: counted in your grade');
    expect(gs.output).toContain('Gradescope hides your total score');
    expect(renderMarkdown(result)).toContain('On Gradescope: Test 2 (4 points) is hidden until after the due date');
    expect(toGradescope({ ...result, items: [item({})] }).output).not.toMatch(/hidden/);
  });

  it('no student-visible output holds the hidden seed', () => {
    const outputs = {
      'results.json': JSON.stringify(toGradescope(result)),
      'report.md': renderMarkdown(result),
      'report.html': renderHtml(result),
      junit: toJunit(result),
      prairielearn: JSON.stringify(toPrairieLearn(result)),
    };
    for (const [name, text] of Object.entries(outputs)) expect(text, name).not.toContain(String(SEED));
  });

  it("every lab's manifest shows items on hidden workloads after the due date, not never", () => {
    for (const lab of ['routing', 'fairness', 'autoscaling', 'cfs', 'deadline']) {
      const hidden = labManifest(lab).items.filter((i) => i.visibility !== 'visible');
      expect(hidden.length, lab).toBeGreaterThan(0);
      for (const i of hidden) expect(i.visibility, `${lab}/${i.id}`).toBe('after_due_date');
    }
  });
});
