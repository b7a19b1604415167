/**
 * Manually graded questions that sit beside a lab's autograded part on Gradescope. `dist:gradescope`
 * writes a lab's outline next to autograder.zip (`manual-questions.md` for people, `manual-questions.json`
 * for tools): the instructor creates the question in the assignment's outline with these points and
 * rubric items. The CFS homework graded a written report (plots 40 %, data files 10 %) beside its code;
 * servelab's CFS autograder covers the code and the questions (25 points), so the report is a 25-point
 * manual question: the same half of the grade.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

export const ManualQuestion = z.strictObject({
  lab: z.string(),
  title: z.string(),
  points: z.number().positive(),
  /** What students upload (a PDF report with the plots, the data files in a zip). */
  submit: z.string(),
  /** Commands that make every plot and data file, from labs/<lab>/README.md. */
  commands: z.array(z.string()).min(1),
  rubric: z.array(z.strictObject({ item: z.string(), points: z.number().positive(), look_for: z.string() })).min(1),
});
export type ManualQuestion = z.infer<typeof ManualQuestion>;

const CFS_REPORT: ManualQuestion = {
  lab: 'cfs',
  title: 'CFS report: plots and data files from your runs (manually graded)',
  points: 25,
  submit:
    "a PDF report with the plots below, one short paragraph per plot saying what it shows and why; and report-data.zip with the plots' CSVs, sweep.json and each interval's request_metrics.csv and kv_usage.csv",
  commands: [
    'npm run sim -- --config traces/cfs-homework.json --cfs-interval 0 --output-dir report/fcfs-data --plots report/fcfs',
    'npm run sim -- --config traces/cfs-homework.json --cfs-interval-sweep 0,5,10,20,40 --output-dir report/sweep-data --plots report/sweep',
  ],
  rubric: [
    {
      item: 'FCFS: TTFT per prompt in issue order (report/fcfs/ttft-by-request.svg)',
      points: 2,
      look_for: 'TTFT grows along the queue; explains it by the KV cache filling',
    },
    {
      item: 'FCFS: TPOT per prompt in issue order (report/fcfs/tpot-by-request.svg)',
      points: 2,
      look_for: 'TPOT roughly flat; why decodes are not slowed by queueing',
    },
    {
      item: 'FCFS: GPU KV usage over time (report/fcfs/kv-usage.svg)',
      points: 2,
      look_for: 'the cache near 100 % while prompts wait: memory limits batching',
    },
    {
      item: 'Sweep: TTFT per prompt and TTFT CDF across intervals (report/sweep/ttft-by-request.svg, ttft-cdf.svg)',
      points: 3,
      look_for: 'CFS flattens the TTFT curve; smaller intervals lower TTFT',
    },
    {
      item: 'Sweep: TPOT per prompt and TPOT CDF across intervals (report/sweep/tpot-by-request.svg, tpot-cdf.svg)',
      points: 3,
      look_for: 'TPOT rises as the interval shrinks; ties it to swapped-out waiting and swap time',
    },
    {
      item: 'Sweep: GPU KV usage (report/sweep/kv-usage.svg)',
      points: 2,
      look_for: 'the GPU cache stays full under every interval',
    },
    {
      item: 'Sweep: CPU swap pool usage (report/sweep/swap-usage.svg)',
      points: 2,
      look_for: 'CPU usage rises with preemption frequency; what is swapped (the KV cache)',
    },
    {
      item: 'Sweep: pending requests over time (report/sweep/waiting.svg)',
      points: 2,
      look_for: 'CFS drains the waiting queue sooner',
    },
    {
      item: 'Sweep: P99 TTFT against P99 TPOT (report/sweep/p99-tradeoff.svg)',
      points: 2,
      look_for: 'the trade-off curve; which interval the student would pick and why',
    },
    {
      item: "Data files match the plots and the student's code (report-data.zip)",
      points: 5,
      look_for:
        "every plot's CSV and the run files present; spot-check one value against the PDF; interval 10 row matches the autograder's run",
    },
  ],
};

export const MANUAL_QUESTIONS: Readonly<Record<string, ManualQuestion>> = { cfs: CFS_REPORT };

export function manualQuestionMarkdown(q: ManualQuestion): string {
  const rubricPoints = q.rubric.reduce((s, r) => s + r.points, 0);
  if (rubricPoints !== q.points)
    throw new Error(`${q.lab}: rubric items add up to ${rubricPoints}, the question is worth ${q.points}`);
  return [
    `# ${q.title}`,
    '',
    `Points: ${q.points} (manually graded; the autograder's items are separate). Create this question in the`,
    'Gradescope assignment outline beside the autograded part, with the rubric items below.',
    '',
    `Students submit: ${q.submit}.`,
    '',
    'They make every plot and data file with:',
    '',
    '```sh',
    ...q.commands,
    '```',
    '',
    '| rubric item | points | look for |',
    '|---|---|---|',
    ...q.rubric.map((r) => `| ${r.item} | ${r.points} | ${r.look_for} |`),
    '',
  ].join('\n');
}

/** Writes `manual-questions.md` and `.json` into `dir` when the lab has a manual question; returns the Markdown path. */
export function writeManualQuestions(lab: string, dir: string): string | undefined {
  const q = MANUAL_QUESTIONS[lab];
  if (q === undefined) return undefined;
  const md = join(dir, 'manual-questions.md');
  writeFileSync(md, manualQuestionMarkdown(ManualQuestion.parse(q)));
  writeFileSync(join(dir, 'manual-questions.json'), `${JSON.stringify(q, null, 2)}\n`);
  return md;
}
