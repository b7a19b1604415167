import { describe, expect, it } from 'vitest';
import { linearPoints, median, roundPoints, textTable } from '../../grader/core/scoring.js';
import type { GradingResult, ItemResult } from '../../grader/core/types.js';
import { parseManifest } from '../../grader/manifest/load.js';
import { GradescopeResults, toGradescope, truncate } from '../../grader/report/gradescope.js';
import { renderHtml } from '../../grader/report/html.js';
import { renderMarkdown } from '../../grader/report/markdown.js';

const item = (over: Partial<ItemResult>): ItemResult => ({
  id: 'a',
  number: '1',
  title: 'An item',
  kind: 'unit',
  visibility: 'visible',
  score: 1,
  maxScore: 2,
  verdict: 'partial',
  message: 'half right',
  output: 'expected 2, got 1',
  durationMs: 12,
  ...over,
});

const result = (over: Partial<GradingResult> = {}): GradingResult => ({
  lab: 'routing',
  labTitle: 'Routing',
  submission: 'alice',
  hiddenSeed: 7,
  publicSeed: 42,
  mode: 'grade',
  items: [
    item({}),
    item({
      id: 'b',
      number: '2',
      title: 'Hidden <b>one</b>',
      visibility: 'hidden',
      score: 0,
      maxScore: 3,
      verdict: 'timeout',
      message: 'killed after 60 s',
      leaderboard: [{ name: 'mean e2e (s)', value: 2.1, order: 'asc' }],
    }),
  ],
  score: 1,
  maxScore: 5,
  notices: ['Ignored files: notes.txt'],
  typeErrors: ['starter/routing/ai-router.ts:3:7: Type error'],
  graderVersion: '0.1.0',
  durationMs: 2500,
  ...over,
});

describe('scoring helpers', () => {
  it('scales points linearly between two levels and clamps', () => {
    expect(linearPoints(0.025, 0, 0.05, 4)).toBe(2);
    expect(linearPoints(0.2, 0, 0.05, 4)).toBe(4);
    expect(linearPoints(-0.1, 0, 0.05, 4)).toBe(0);
    expect(linearPoints(Number.NaN, 0, 0.05, 4)).toBe(0);
    expect(roundPoints(1 / 3)).toBe(0.333);
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
  });

  it('lays out text tables', () => {
    expect(textTable(['a', 'bb'], [['xxx', 'y']])).toBe('a    bb\n---  --\nxxx  y');
  });
});

describe('results.json', () => {
  it("follows Gradescope's schema with per-test visibility, status and a leaderboard", () => {
    const gs = toGradescope(result());
    expect(GradescopeResults.parse(gs)).toEqual(gs);
    expect(gs.score).toBe(1);
    expect(gs.tests.map((t) => [t.number, t.status, t.visibility, t.max_score])).toEqual([
      ['1', 'failed', 'visible', 2],
      ['2', 'failed', 'hidden', 3],
    ]);
    expect(gs.tests[1]!.tags).toEqual(['unit', 'timeout']);
    expect(gs.leaderboard).toEqual([{ name: 'mean e2e (s)', value: 2.1, order: 'asc' }]);
    expect(gs.output).toMatch(/Test 2 \(3 points\) is never shown to you/); // visibility 'hidden' means never, and says so
    expect(JSON.stringify(gs)).not.toMatch(/durationMs|2500/); // nothing time-dependent: regrades are byte-identical
  });

  it('says clearly when the grader itself failed', () => {
    const gs = toGradescope(result({ internalError: 'Error: disk full' }));
    expect(gs.output).toMatch(/autograder itself failed: Error: disk full/);
  });

  it('truncates long output with a note', () => {
    expect(truncate('x'.repeat(20), 10)).toBe(`${'x'.repeat(10)}\n…truncated 10 characters`);
  });
});

describe('reports', () => {
  it('renders markdown and escaped HTML with every item, verdict and notice', () => {
    const md = renderMarkdown(result());
    expect(md).toMatch(/\*\*Score: 1 \/ 5\*\*/);
    expect(md).toMatch(/\| 2 \| Hidden <b>one<\/b> \| unit \| hidden \| timeout \| 0 \/ 3 \|/);
    const html = renderHtml(result());
    expect(html).toContain('Hidden &lt;b&gt;one&lt;/b&gt;');
    expect(html).toContain('class="verdict timeout"');
    expect(html).toContain('Ignored files: notes.txt');
    expect(html).toContain('starter/routing/ai-router.ts:3:7');
  });
});

describe('manifest', () => {
  it('names the bad field', () => {
    expect(() => parseManifest({ lab: 'x' }, 'labs/x/manifest.json')).toThrow(
      /invalid manifest labs\/x\/manifest.json[\s\S]*title/,
    );
    const dup = {
      lab: 'x',
      title: 't',
      studentDir: 's',
      referenceDir: 'r',
      files: ['a.ts'],
      publicSeed: 1,
      defaultHiddenSeed: 2,
      limits: { itemTimeoutMs: 1, maxOldSpaceMb: 1, maxOutputBytes: 1 },
      items: [1, 2].map(() => ({
        id: 'same',
        title: 't',
        points: 1,
        visibility: 'visible',
        kind: 'unit',
        description: 'd',
      })),
    };
    expect(() => parseManifest(dup, 'm')).toThrow(/duplicate item id "same"/);
    expect(() => parseManifest({ ...dup, files: ['../x.ts'], items: [dup.items[0]] }, 'm')).toThrow(/files/);
  });
});
