/**
 * Opens a graded report in headless Chromium (Debian's; .ci/run installs it when missing): the browser tests of
 * report-browser.test.ts and of the routing reference's report (test/grader/labs/routing/lab.test.ts, which
 * grades the reference once for both its scores and this check).
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { expect } from 'vitest';
import { needs } from '../helpers-shared.js';

const CHROMIUM = process.env.SERVELAB_CHROMIUM ?? '/usr/bin/chromium';
export const HAVE_CHROMIUM = existsSync(CHROMIUM);

/** A test title that says, when Chromium is missing, why the test is skipped. */
export const needsChromium = (title: string) =>
  needs(HAVE_CHROMIUM, title, `no Chromium at ${CHROMIUM} (apt-get install chromium, or set SERVELAB_CHROMIUM)`);

export const launchChromium = (): Promise<Browser> =>
  chromium.launch({
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

/**
 * The routing reference's report (graded into `out`): every figure holds an SVG with a visible size and drawn
 * marks, a screenshot of a plotted item is not blank, and the correctness item shows the side-by-side timeline
 * (yours beside the reference) and links its trace files.
 */
export async function expectRoutingReportDrawn(out: string): Promise<void> {
  const browser = await launchChromium();
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
}
