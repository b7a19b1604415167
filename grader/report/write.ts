/**
 * Writes results.json, report.md and report.html (plus plots/*.svg) atomically (temp file + rename),
 * so a reader never sees half a file and a crash mid-write leaves the previous complete file.
 */
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GradingResult } from '../core/types.js';
import { renderSvg } from './charts.js';
import { toJunit, toPrairieLearn, type ReportFormat } from './exporters.js';
import { toGradescope } from './gradescope.js';
import { renderHtml, type RenderedPlots, type RenderedTimelines } from './html.js';
import { timelineView } from './timeline-view.js';
import { renderMarkdown } from './markdown.js';

export function writeAtomically(file: string, text: string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

export const REPORT_FILES = ['results.json', 'report.md', 'report.html'] as const;

/** Renders every item's plots to SVG, keyed by item id; a plot that fails to render becomes a note. */
export async function renderPlots(result: GradingResult): Promise<RenderedPlots> {
  const out: RenderedPlots = new Map();
  for (const item of result.items) {
    const rendered: { title: string; file: string; svg: string }[] = [];
    for (const [k, plot] of (item.plots ?? []).entries()) {
      let svg: string;
      try {
        svg = await renderSvg(plot.spec);
      } catch (err) {
        svg = `<p>(plot could not be drawn: ${String((err as Error).message).replace(/[<>&]/g, '')})</p>`;
      }
      rendered.push({ title: plot.title, file: `plots/${item.id}-${k + 1}.svg`, svg });
    }
    if (rendered.length > 0) out.set(item.id, rendered);
  }
  return out;
}

export async function writeReports(
  outDir: string,
  result: GradingResult,
  formats: readonly ReportFormat[] = ['gradescope'],
): Promise<void> {
  mkdirSync(outDir, { recursive: true });
  // results.json first: it is what external systems read, and it needs no rendering.
  writeAtomically(join(outDir, 'results.json'), `${JSON.stringify(toGradescope(result), null, 2)}\n`);
  if (formats.includes('prairielearn'))
    writeAtomically(join(outDir, 'results.prairielearn.json'), `${JSON.stringify(toPrairieLearn(result), null, 2)}\n`);
  if (formats.includes('junit')) writeAtomically(join(outDir, 'junit.xml'), toJunit(result));
  const plots = await renderPlots(result);
  rmSync(join(outDir, 'plots'), { recursive: true, force: true });
  if (plots.size > 0) mkdirSync(join(outDir, 'plots'), { recursive: true });
  for (const list of plots.values()) for (const p of list) writeAtomically(join(outDir, p.file), p.svg);
  const timelines = writeTimelines(outDir, result);
  writeAtomically(join(outDir, 'report.md'), renderMarkdown(result, plots, timelines));
  writeAtomically(join(outDir, 'report.html'), renderHtml(result, plots, timelines));
}

/**
 * Writes timelines/<item>-{student,reference}.trace.json for items that recorded both runs, narrowed
 * to the window where they differ most, and returns what the reports show; a pair that fails to
 * render becomes a note rather than a failed report.
 */
function writeTimelines(outDir: string, result: GradingResult): RenderedTimelines {
  const out: RenderedTimelines = new Map();
  rmSync(join(outDir, 'timelines'), { recursive: true, force: true });
  for (const item of result.items) {
    if (item.timelines === undefined) continue;
    const studentFile = `timelines/${item.id}-student.trace.json`;
    const referenceFile = `timelines/${item.id}-reference.trace.json`;
    try {
      const view = timelineView(item.timelines);
      mkdirSync(join(outDir, 'timelines'), { recursive: true });
      writeAtomically(join(outDir, studentFile), view.studentJson);
      writeAtomically(join(outDir, referenceFile), view.referenceJson);
      out.set(item.id, {
        workload: item.timelines.workload,
        sentence: view.sentence,
        svg: view.svg,
        studentFile,
        referenceFile,
      });
    } catch (err) {
      out.set(item.id, {
        workload: item.timelines.workload,
        sentence: `(the timelines could not be drawn: ${(err as Error).message})`,
        svg: '',
        studentFile,
        referenceFile,
      });
    }
  }
  return out;
}
