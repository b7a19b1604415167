/**
 * The routing lab through the whole grader: the reference (as ./submit.sh zips it) gets full marks, with its
 * report drawn in a browser, and the untouched starter its known score, once each; every adversarial submission gets its own verdict
 * with a valid results.json, checked on the visible items (`npm run check`'s mode: the unit item and one
 * simulation item, which shares its verdicts' code with the hidden ones).
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../../../sim/config/paths.js';
import { gradeSubmission } from '../../../../grader/core/grade.js';
import { loadLab } from '../../../../grader/labs/catalogue.js';
import type { GradingResult } from '../../../../grader/core/types.js';
import { GradescopeResults } from '../../../../grader/report/gradescope.js';
import { makeSubmissionZip } from '../../../../grader/submit/make-zip.js';
import { rawZip } from '../../zip-writer.js';
import { expectPublicTimelines } from '../public-timelines.js';
import { defaultContext } from '../../grade-items.js';
import { expectRoutingReportDrawn, HAVE_CHROMIUM, needsChromium } from '../../report-in-browser.js';

const FIXTURES = join(REPO_ROOT, 'test', 'fixtures', 'submissions');
const out = () => mkdtempSync(join(tmpdir(), 'servelab-routing-'));

async function grade(
  submission: string,
  extra: { maxItemTimeoutMs?: number; maxOldSpaceMb?: number; mode?: 'check' } = {},
): Promise<{ result: GradingResult; dir: string }> {
  const dir = out();
  const result = await gradeSubmission({ lab: await loadLab('routing'), submission, outDir: dir, ...extra });
  // Whatever happened, the three files exist and results.json is valid Gradescope output.
  const results = GradescopeResults.parse(JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')));
  expect(results.tests).toHaveLength(extra.mode === 'check' ? 2 : 5);
  expect(readFileSync(join(dir, 'report.html'), 'utf8')).toContain('<html');
  expect(readFileSync(join(dir, 'report.md'), 'utf8')).toContain('# ');
  return { result, dir };
}

const verdicts = (r: GradingResult) => Object.fromEntries(r.items.map((i) => [i.id, i.verdict]));
const scores = (r: GradingResult) => Object.fromEntries(r.items.map((i) => [i.id, i.score]));

/** The reference, zipped by ./submit.sh, graded once: its scores and its report in a browser are checked from it. */
let referenceGraded: Promise<{ result: GradingResult; dir: string }> | undefined;
const referenceGrading = () =>
  (referenceGraded ??= (async () => {
    const zip = join(out(), 'routing-submission.zip');
    await makeSubmissionZip({
      files: [{ name: 'starter/routing/ai-router.ts', path: join(REPO_ROOT, 'reference', 'routing', 'ai-router.ts') }],
      out: zip,
    });
    return grade(zip);
  })());

describe('routing lab, graded end to end', () => {
  it('gives the reference solution, zipped by ./submit.sh, full marks, with the timeline of a public workload', async () => {
    const { result, dir } = await referenceGrading();
    expect(result.internalError).toBeUndefined();
    expect(scores(result)).toEqual({
      'unit-cases': 1,
      correctness: 0.5,
      'beats-lor': 0.5,
      'equal-replicas': 3,
      'unequal-replicas': 5,
    });
    expect(result.score).toBe(10);
    const lab = await loadLab('routing');
    const { input } = lab.items.correctness!.prepare(defaultContext('routing')) as {
      input: { runs: { requests: { arrivedAt: number[] } }[] };
    };
    expectPublicTimelines(dir, 'correctness', input.runs[0]!.requests.arrivedAt);
  });

  it.skipIf(!HAVE_CHROMIUM)(
    needsChromium("shows the reference's report in a browser: every plot drawn, the side-by-side timeline linked"),
    async () => {
      const { dir } = await referenceGrading();
      await expectRoutingReportDrawn(dir);
    },
  );

  it('gives the untouched random starter its known score, without crashing the grader', async () => {
    const { result } = await grade(join(REPO_ROOT, 'starter', 'routing'));
    expect(result.internalError).toBeUndefined();
    // Random routing fails "spreads evenly" and "avoids a busy replica", keeps the rules, beats lor
    // (Vidur's degenerate one) and loses to the best engine router: at most 20% of the lab.
    expect(scores(result)).toEqual({
      'unit-cases': 0.556,
      correctness: 0.5,
      'beats-lor': 0.5,
      'equal-replicas': 0,
      'unequal-replicas': 0,
    });
    expect(result.score).toBeLessThanOrEqual(0.2 * result.maxScore);
  });
});

describe('routing lab, adversarial submissions', () => {
  const fixture = (name: string) => join(FIXTURES, name);
  // Short limits keep the suite quick; the heap cap makes the memory bomb fail fast even on a loaded machine.
  const fast = { maxItemTimeoutMs: 4000, maxOldSpaceMb: 96, mode: 'check' } as const;

  it.each([
    ['infinite-loop', 'timeout', /timed out after 1500 ms/],
    ['memory-bomb', 'memory', /ran out of memory: the heap limit is 96 MB/],
    ['calls-exit', 'exit', /do not call process.exit/],
    ['throws', 'error', /my router is not ready yet/],
    ['floods-output', 'output-too-large', /exceeded 64 KiB/],
    ['reads-reference', 'permission', /reading .*reference\/routing\/ai-router.ts is not allowed/],
    ['reads-hidden-trace', 'permission', /traces\/conv.csv is not allowed/],
    // The engine runs in the grader (engine-host.ts): a NaN replica breaks the rules there, a failed item.
    ['nan-routing', 'failed', /replica NaN, which does not exist/],
    // SIGSEGV under a PID namespace, where the self-sent SIGKILL is dropped (see the fixture).
    ['kills-itself', 'crash', /^the child process was killed by SIG(KILL|SEGV) without replying/],
    ['tampers-result', 'invalid-output', /the harness (returned|answered a router call with) data of the wrong shape/],
  ])('%s: the simulation item ends as %s', async (name, verdict, message) => {
    // A loop spends its whole limit: a short one. It loops only once the run is under way, so the unit
    // cases (schedule(0)) end without a timeout; a unit case that loops: journey-messages.test.ts.
    const { result } = await grade(
      fixture(name),
      name === 'infinite-loop' ? { ...fast, maxItemTimeoutMs: 1500 } : fast,
    );
    expect(result.internalError).toBeUndefined();
    const item = result.items.find((i) => i.id === 'correctness')!;
    expect(item.score).toBe(0);
    if (name !== 'infinite-loop') expect(result.score).toBe(0);
    expect(item.verdict).toBe(verdict);
    expect(item.message).toMatch(message);
  });

  it('syntax error: compile-error with file:line:col on every item', async () => {
    const { result } = await grade(fixture('syntax-error'), { mode: 'check' });
    expect(new Set(Object.values(verdicts(result)))).toEqual(new Set(['compile-error']));
    expect(result.items[0]!.output).toMatch(/starter\/routing\/ai-router\.ts:6:3: Expected "\)"/);
  });

  it('importing node:fs is refused at build time', async () => {
    const { result } = await grade(fixture('imports-fs'), { mode: 'check' });
    expect(result.items[0]!.verdict).toBe('compile-error');
    expect(result.items[0]!.message).toMatch(/import "node:fs" is not allowed/);
  });

  it('reading the decode length fails the correctness rules even when the error is swallowed', async () => {
    const { result } = await grade(fixture('peeks-decode-length'), { mode: 'check' });
    expect(verdicts(result).correctness).toBe('failed');
    expect(result.items.find((i) => i.id === 'correctness')!.message).toMatch(/read numDecodeTokens \d+ time/);
  });

  it('missing file: a named, actionable message', async () => {
    const { result } = await grade(fixture('missing-file'), { mode: 'check' });
    expect(new Set(Object.values(verdicts(result)))).toEqual(new Set(['missing-file']));
    expect(result.items[0]!.message).toMatch(/must contain starter\/routing\/ai-router\.ts.*\.\/submit\.sh routing/);
  });

  it('zip slip: hostile entries are refused and named, and nothing is written where they point', async () => {
    // A target that exists and is empty: `../` × 40 climbs to / from any folder the grader could extract into,
    // so the entry resolves to this folder wherever a careless writer would put it.
    const target = mkdtempSync(join(tmpdir(), 'servelab-zipslip-'));
    const deep = `${'../'.repeat(40)}${target.slice(1)}/evil.ts`;
    const base = out();
    const zip = join(base, 'evil.zip');
    writeFileSync(
      zip,
      rawZip([
        { name: '../../evil.ts', data: 'export {}' },
        { name: deep, data: 'export {}' },
        { name: 'ai-router.ts', data: readFileSync(join(REPO_ROOT, 'starter', 'routing', 'ai-router.ts')) },
      ]),
    );
    const { result, dir } = await grade(zip, { mode: 'check' });
    expect(result.notices.join('\n')).toMatch(/\.\.\/\.\.\/evil\.ts/);
    expect(result.notices.join('\n')).toContain('evil.ts');
    expect(result.internalError).toBeUndefined();
    expect(readdirSync(target)).toEqual([]);
    expect(readdirSync(base)).toEqual(['evil.zip']);
    for (const d of [dir, dirname(dir), dirname(base), tmpdir()]) expect(existsSync(join(d, 'evil.ts')), d).toBe(false);
  });
});
