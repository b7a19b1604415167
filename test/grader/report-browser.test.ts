/**
 * A report in headless Chromium: a wide text table keeps each row on one line. (The routing reference's
 * graded report, plots and timeline, is opened by test/grader/labs/routing/lab.test.ts through
 * report-in-browser.ts, reusing that test's grading.) Without Chromium the test says so and skips.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { textTable } from '../../grader/core/scoring.js';
import type { GradingResult } from '../../grader/core/types.js';
import { writeReports } from '../../grader/report/write.js';
import { HAVE_CHROMIUM, launchChromium, needsChromium } from './report-in-browser.js';

describe.skipIf(!HAVE_CHROMIUM)(needsChromium('report in a browser'), () => {
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
    const browser = await launchChromium();
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
});
