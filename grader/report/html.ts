/**
 * report.html, rendered with handlebars from a validated view model (handlebars' strict mode does not
 * catch every missing field, so the view is built by code, not read from the result ad hoc).
 */
import Handlebars from 'handlebars';
import type { GradingResult } from '../core/types.js';
import { visibilityNotes } from './gradescope.js';

/** SVGs already rendered, by item id (see write.ts). */
export type RenderedPlots = Map<string, { title: string; file: string; svg: string }[]>;

/** Side-by-side timelines already drawn, by item id (see write.ts and timeline-view.ts). */
export type RenderedTimelines = Map<
  string,
  { workload: string; sentence: string; svg: string; studentFile: string; referenceFile: string }
>;

const TEMPLATE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{{title}} — {{submission}}</title>
<style>
  body { font: 15px/1.45 system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #1d1d1f; }
  h1 { font-size: 1.5rem; margin-bottom: .25rem; }
  .meta { color: #555; margin-bottom: 1.5rem; }
  .total { font-size: 1.25rem; font-weight: 600; }
  table { border-collapse: collapse; width: 100%; margin: 1rem 0; }
  th, td { text-align: left; padding: .35rem .6rem; border-bottom: 1px solid #ddd; vertical-align: top; }
  .verdict { font-weight: 600; }
  .passed { color: #137333; } .partial { color: #b06000; } .failed, .error, .timeout, .memory, .crash, .exit,
  .output-too-large, .permission, .compile-error, .missing-file, .invalid-output, .grader-error { color: #b3261e; }
  /* Never wrapped: item outputs hold column-aligned tables (yours, reference, FCFS, limit); a wide one scrolls. */
  pre { background: #f5f5f7; padding: .75rem; overflow-x: auto; font-size: 13px; white-space: pre; }
  .notice { background: #fff4e5; border-left: 4px solid #b06000; padding: .5rem .75rem; margin: .75rem 0; white-space: pre-wrap; }
  .internal { background: #fde7e9; border-left-color: #b3261e; }
  section { margin-top: 1.5rem; }
  .muted { color: #777; font-size: 13px; }
  figure.plot { margin: 1rem 0; } figure.plot svg { max-width: 100%; height: auto; } figcaption { color: #555; font-size: 13px; }
  figure.timeline { margin: 1rem 0; } figure.timeline svg { max-width: 100%; height: auto; }
</style>
</head>
<body>
<h1>{{title}}</h1>
<div class="meta">
  <div class="total">Score: {{score}} / {{maxScore}}</div>
  submission <code>{{submission}}</code> · lab <code>{{lab}}</code> · {{seedText}} · grader {{graderVersion}} · {{seconds}} s
</div>
{{#if internalError}}<div class="notice internal"><strong>The grader itself failed:</strong> {{internalError}}</div>{{/if}}
{{#each notices}}<div class="notice">{{this}}</div>{{/each}}
{{#if visibility}}<p class="muted">On Gradescope: {{visibility}}</p>{{/if}}
{{#if typeErrors}}<div class="notice"><strong>Type errors</strong> (reported, not graded)<pre>{{typeErrors}}</pre></div>{{/if}}
<table>
  <thead><tr><th>#</th><th>item</th><th>kind</th><th>visibility</th><th>verdict</th><th>score</th></tr></thead>
  <tbody>
  {{#each items}}<tr><td>{{number}}</td><td><a href="#item-{{id}}">{{title}}</a></td><td>{{kind}}</td><td>{{visibility}}</td><td class="verdict {{verdict}}">{{verdict}}</td><td>{{score}} / {{maxScore}}</td></tr>
  {{/each}}
  </tbody>
</table>
{{#each items}}
<section id="item-{{id}}">
  <h2>{{number}} {{title}} <span class="verdict {{verdict}}">{{verdict}}</span> — {{score}} / {{maxScore}}</h2>
  <p>{{message}}</p>
  {{#if output}}<pre>{{output}}</pre>{{/if}}
  {{#each plots}}<figure class="plot" data-plot="{{file}}" aria-label="{{title}}">{{{svg}}}</figure>{{/each}}
  {{#if timeline}}<figure class="timeline" data-timeline="side-by-side">{{{timeline.svg}}}<figcaption>Timeline of {{timeline.workload}}, yours beside the reference. {{timeline.sentence}} Open <a href="{{timeline.studentFile}}">your timeline</a> and <a href="{{timeline.referenceFile}}">the reference's</a> in ui.perfetto.dev (or chrome://tracing) to see every batch.</figcaption></figure>{{/if}}
  <p class="muted">{{seconds}} s</p>
</section>
{{/each}}
</body>
</html>
`;

const handlebars = Handlebars.create();
const template = handlebars.compile(TEMPLATE, { strict: true });

const fmtPoints = (x: number) => (Number.isInteger(x) ? String(x) : x.toFixed(2));

export function renderHtml(
  r: GradingResult,
  plots: RenderedPlots = new Map(),
  timelines: RenderedTimelines = new Map(),
): string {
  return template({
    title: r.labTitle,
    submission: r.submission,
    lab: r.lab,
    score: fmtPoints(r.score),
    maxScore: fmtPoints(r.maxScore),
    // Never the hidden seed: reports reach students, and the handout has the code that turns it into workloads.
    seedText:
      r.mode === 'check'
        ? `public checks only, seed ${r.publicSeed}`
        : `public and hidden items, public seed ${r.publicSeed}`,
    graderVersion: r.graderVersion,
    seconds: (r.durationMs / 1000).toFixed(1),
    internalError: r.internalError ?? false,
    notices: r.notices,
    visibility: visibilityNotes(r.items).join(' ') || false,
    typeErrors: r.typeErrors.length > 0 ? r.typeErrors.join('\n') : false,
    items: r.items.map((i) => ({
      id: i.id,
      number: i.number,
      title: i.title,
      kind: i.kind,
      visibility: i.visibility,
      verdict: i.verdict,
      score: fmtPoints(i.score),
      maxScore: fmtPoints(i.maxScore),
      message: i.message,
      output: i.output.trim() === '' ? false : i.output,
      seconds: (i.durationMs / 1000).toFixed(1),
      plots: plots.get(i.id) ?? [],
      timeline: timelines.get(i.id) ?? false,
    })),
  });
}
