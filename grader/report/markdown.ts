/** report.md: the same content as the HTML report, for terminals and repositories. */
import type { GradingResult } from '../core/types.js';
import { visibilityNotes } from './gradescope.js';
import type { RenderedPlots, RenderedTimelines } from './html.js';
import { markdownBlock, markdownInline } from './untrusted-text.js';

const fmtPoints = (x: number) => (Number.isInteger(x) ? String(x) : x.toFixed(2));

export function renderMarkdown(
  r: GradingResult,
  plots: RenderedPlots = new Map(),
  timelines: RenderedTimelines = new Map(),
): string {
  const lines: string[] = [
    `# ${r.labTitle}`,
    '',
    `**Score: ${fmtPoints(r.score)} / ${fmtPoints(r.maxScore)}** — submission ${markdownInline(r.submission)}, lab \`${r.lab}\`, ` +
      `${r.mode === 'check' ? 'public checks only' : 'public and hidden items'}, public seed ${r.publicSeed}, grader ${r.graderVersion}, ` +
      `${(r.durationMs / 1000).toFixed(1)} s`,
    '',
  ];
  if (r.internalError !== undefined)
    lines.push(`> **The grader itself failed:** ${markdownInline(r.internalError, '  \n> ')}`, '');
  for (const n of r.notices) lines.push(`> ${markdownInline(n, '  \n> ')}`, '');
  const shown = visibilityNotes(r.items);
  if (shown.length > 0) lines.push(`On Gradescope: ${shown.join(' ')}`, '');
  if (r.typeErrors.length > 0)
    lines.push('Type errors (reported, not graded):', '', markdownBlock(r.typeErrors.join('\n')), '');
  lines.push('| # | item | kind | visibility | verdict | score |', '|---|---|---|---|---|---|');
  for (const i of r.items) {
    lines.push(
      `| ${i.number} | ${i.title} | ${i.kind} | ${i.visibility} | ${i.verdict} | ${fmtPoints(i.score)} / ${fmtPoints(i.maxScore)} |`,
    );
  }
  lines.push('');
  for (const i of r.items) {
    lines.push(
      `## ${i.number} ${i.title} — ${fmtPoints(i.score)} / ${fmtPoints(i.maxScore)} (${i.verdict})`,
      '',
      markdownInline(i.message),
      '',
    );
    if (i.output.trim() !== '') lines.push(markdownBlock(i.output), '');
    for (const p of plots.get(i.id) ?? []) lines.push(`![${p.title}](${p.file})`, '');
    const t = timelines.get(i.id);
    if (t !== undefined)
      lines.push(
        `Timeline of ${t.workload}: ${t.sentence} [yours](${t.studentFile}) · [reference](${t.referenceFile}) (open in ui.perfetto.dev)`,
        '',
      );
    lines.push(`*${(i.durationMs / 1000).toFixed(1)} s*`, '');
  }
  return lines.join('\n');
}
