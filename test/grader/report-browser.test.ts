/**
 * Opens a real report in headless Chromium and checks the plots rendered: every figure holds an SVG
 * with a visible size and drawn marks, and a screenshot of a plotted item is not blank; the
 * correctness item shows the side-by-side timeline (yours beside the reference) and links its trace files.
 * Chromium is Debian's (.ci/run installs it when missing); without it the test says so and skips.
 */
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../sim/config/paths.js';
import { loadLab } from '../../grader/labs/catalogue.js';
import { gradeSubmission } from '../../grader/core/grade.js';
import { textTable } from '../../grader/core/scoring.js';
import type { GradingResult } from '../../grader/core/types.js';
import { writeReports } from '../../grader/report/write.js';
import { needs } from '../helpers-shared.js';

const CHROMIUM = process.env.SERVELAB_CHROMIUM ?? '/usr/bin/chromium';
const HAVE_CHROMIUM = existsSync(CHROMIUM);

describe.skipIf(!HAVE_CHROMIUM)(
  needs(
    HAVE_CHROMIUM,
    'report in a browser',
    `no Chromium at ${CHROMIUM} (apt-get install chromium, or set SERVELAB_CHROMIUM)`,
  ),
  () => {
    it('shows every plot as a drawn SVG', async () => {
      const out = mkdtempSync(join(tmpdir(), 'servelab-browser-'));
      await gradeSubmission({
        lab: await loadLab('routing'),
        submission: join(REPO_ROOT, 'reference', 'routing'),
        outDir: out,
      });
      const browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: [
          '--no-sandbox',
          '--disable-gpu',
          '--disable-quic',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
        ],
      });
      try {
        const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
        await page.goto(`file://${join(out, 'report.html')}`);
        // Runs in the page; typed structurally because the project's TypeScript config has no DOM library.
        interface El {
          querySelector(s: string): El | null;
          querySelectorAll(s: string): ArrayLike<El>;
          getAttribute(n: string): string | null;
          getBoundingClientRect(): { width: number; height: number };
        }
        const figures = await page.evaluate(() => {
          const doc = (globalThis as unknown as { document: El }).document;
          return Array.from(doc.querySelectorAll('figure.plot')).map((f) => {
            const svg = f.querySelector('svg');
            const box = svg?.getBoundingClientRect();
            return {
              plot: f.getAttribute('data-plot'),
              width: box?.width ?? 0,
              height: box?.height ?? 0,
              marks: svg?.querySelectorAll('path').length ?? 0,
            };
          });
        });
        expect(figures.map((f) => f.plot)).toEqual([
          'plots/correctness-1.svg',
          'plots/equal-replicas-1.svg',
          'plots/equal-replicas-2.svg',
          'plots/unequal-replicas-1.svg',
          'plots/unequal-replicas-2.svg',
        ]);
        for (const f of figures) {
          expect(f.width, f.plot!).toBeGreaterThan(300);
          expect(f.height, f.plot!).toBeGreaterThan(150);
          expect(f.marks, f.plot!).toBeGreaterThan(10);
        }
        // The correctness item's side-by-side timeline: two drawn panels, a sentence, and links to both trace files.
        const timeline = await page.evaluate(() => {
          const doc = (globalThis as unknown as { document: El }).document;
          const f = doc.querySelector('#item-correctness figure[data-timeline="side-by-side"]');
          const svg = f?.querySelector('svg');
          const box = svg?.getBoundingClientRect();
          const caption = f?.querySelector('figcaption') as unknown as { textContent: string } | null;
          return {
            found: f !== null && f !== undefined,
            width: box?.width ?? 0,
            panels: svg?.querySelectorAll('g.panel').length ?? 0,
            lines: svg?.querySelectorAll('polyline').length ?? 0,
            caption: caption?.textContent ?? '',
            links: Array.from(f?.querySelectorAll('a') ?? []).map((a) => a.getAttribute('href')),
          };
        });
        expect(timeline.found).toBe(true);
        expect(timeline.width).toBeGreaterThan(300);
        expect(timeline.panels).toBe(2);
        expect(timeline.lines).toBe(6);
        // The reference graded against itself: the replayed run is the reference run, and the caption says so.
        expect(timeline.caption).toMatch(/keep the same number of requests in the system .* busiest stretch/);
        expect(timeline.links).toEqual([
          'timelines/correctness-student.trace.json',
          'timelines/correctness-reference.trace.json',
        ]);
        for (const link of timeline.links) expect(statSync(join(out, link!)).size).toBeGreaterThan(10_000);
        const shot = join(out, 'equal-replicas.png');
        await page.locator('#item-equal-replicas').screenshot({ path: shot });
        expect(statSync(shot).size).toBeGreaterThan(20_000); // a blank section compresses to a few KB
        const timelineShot = join(out, 'timeline.png');
        await page.locator('#item-correctness figure.timeline').screenshot({ path: timelineShot });
        expect(statSync(timelineShot).size).toBeGreaterThan(8_000);
        if (process.env.SERVELAB_KEEP_SCREENSHOTS !== undefined) console.log(`screenshots in ${out}`);
      } finally {
        await browser.close();
      }
    });

    it('keeps table rows on one line each, and the pass/fail column has a header', async () => {
      const out = mkdtempSync(join(tmpdir(), 'servelab-browser-table-'));
      const rows = Array.from({ length: 4 }, (_, i) => [
        `hidden workload ${i + 1} with a long label`,
        '12.345 s',
        '11.111 s',
        '19.876 s',
        '14.000 s',
        i % 2 === 0 ? 'pass' : 'fail',
      ]);
      const table = textTable(['workload', 'yours', 'reference', 'FCFS', 'limit', 'pass/fail'], rows);
      const result: GradingResult = {
        lab: 'routing',
        labTitle: 'Routing',
        submission: 's',
        hiddenSeed: 1,
        publicSeed: 42,
        mode: 'grade',
        items: [
          {
            id: 'wide',
            number: '1',
            title: 'Wide',
            kind: 'benchmark',
            visibility: 'visible',
            score: 1,
            maxScore: 2,
            verdict: 'partial',
            message: 'm',
            output: table,
            durationMs: 1,
          },
        ],
        score: 1,
        maxScore: 2,
        notices: [],
        typeErrors: [],
        graderVersion: '0',
        durationMs: 1,
      };
      await writeReports(out, result);
      const browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
      });
      try {
        // Narrower than the table: wrapping would put the reference/FCFS/limit columns on lines of their own.
        const page = await browser.newPage({ viewport: { width: 420, height: 800 } });
        await page.goto(`file://${join(out, 'report.html')}`);
        interface Pre {
          textContent: string | null;
          getBoundingClientRect(): { height: number };
        }
        const measured = await page.evaluate(() => {
          const g = globalThis as unknown as {
            document: { querySelector(s: string): Pre };
            getComputedStyle(e: Pre): {
              lineHeight: string;
              paddingTop: string;
              paddingBottom: string;
              whiteSpace: string;
            };
          };
          const pre = g.document.querySelector('#item-wide pre');
          const style = g.getComputedStyle(pre);
          const inner =
            pre.getBoundingClientRect().height - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom);
          return {
            lines: (pre.textContent ?? '').split('\n').length,
            rendered: inner / parseFloat(style.lineHeight),
            whiteSpace: style.whiteSpace,
          };
        });
        expect(measured.whiteSpace).toBe('pre');
        expect(Math.round(measured.rendered)).toBe(measured.lines);
        const md = readFileSync(join(out, 'report.md'), 'utf8');
        expect(md).toMatch(/workload +yours +reference +FCFS +limit +pass\/fail/);
      } finally {
        await browser.close();
      }
    });
  },
);
