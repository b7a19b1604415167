/**
 * The gradebook of a batch: grades.csv (one row per submission: total, per-item scores and verdicts)
 * and a summary (score histogram, items most often failed), both from the submissions' results.json.
 */
import type { GradescopeResults } from '../report/gradescope.js';

export interface BatchRow {
  readonly submission: string;
  /** undefined when no results.json could be produced at all. */
  readonly results: GradescopeResults | undefined;
  readonly skipped: boolean;
}

const csvCell = (v: string | number) => {
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

interface ItemColumn {
  readonly id: string;
  readonly name: string;
}

function itemColumns(rows: readonly BatchRow[]): ItemColumn[] {
  const seen = new Map<string, string>();
  for (const r of rows)
    for (const t of r.results?.tests ?? []) {
      const id = String((t.extra_data as { id?: string } | undefined)?.id ?? t.number);
      if (!seen.has(id)) seen.set(id, t.name);
    }
  return [...seen].map(([id, name]) => ({ id, name }));
}

export function gradesCsv(rows: readonly BatchRow[]): string {
  const items = itemColumns(rows);
  const header = ['submission', 'score', 'max_score', 'status', ...items.flatMap((i) => [i.id, `${i.id}_verdict`])];
  const lines = [header.map(csvCell).join(',')];
  for (const r of [...rows].sort((a, b) => a.submission.localeCompare(b.submission))) {
    const tests = new Map(
      (r.results?.tests ?? []).map((t) => [String((t.extra_data as { id?: string } | undefined)?.id ?? t.number), t]),
    );
    const max = (r.results?.tests ?? []).reduce((s, t) => s + t.max_score, 0);
    const failedGrader = r.results === undefined || /autograder itself failed/.test(r.results.output);
    const other = wrongLabOf(r);
    const cells: (string | number)[] = [
      r.submission,
      r.results?.score ?? 0,
      max,
      failedGrader ? 'grader-error' : other !== undefined ? `wrong-lab:${other}` : 'graded',
    ];
    for (const i of items) {
      const t = tests.get(i.id);
      cells.push(t?.score ?? '', t?.tags[1] ?? '');
    }
    lines.push(cells.map(csvCell).join(','));
  }
  return `${lines.join('\n')}\n`;
}

/** The lab a submission was made for when it is another lab's zip (results.json extra_data.wrongLab). */
function wrongLabOf(r: BatchRow): string | undefined {
  const v = (r.results?.extra_data as { wrongLab?: unknown } | undefined)?.wrongLab;
  return typeof v === 'string' ? v : undefined;
}

export interface BatchSummary {
  readonly submissions: number;
  readonly graded: number;
  readonly graderErrors: number;
  readonly skipped: number;
  /** Submissions made for another lab: name and the lab they were made for. */
  readonly wrongLab: readonly { readonly submission: string; readonly lab: string }[];
  readonly maxScore: number;
  readonly mean: number;
  readonly median: number;
  /** Ten bins over [0, maxScore]; the last includes maxScore. */
  readonly histogram: readonly { readonly from: number; readonly to: number; readonly count: number }[];
  /** Items by how many submissions did not get full points on them, most first. */
  readonly mostFailed: readonly {
    readonly id: string;
    readonly name: string;
    readonly notFull: number;
    readonly verdicts: Record<string, number>;
  }[];
}

export function summarizeBatch(rows: readonly BatchRow[]): BatchSummary {
  const withResults = rows.filter((r) => r.results !== undefined);
  const scores = withResults.map((r) => r.results!.score).sort((a, b) => a - b);
  const maxScore = Math.max(0, ...withResults.map((r) => r.results!.tests.reduce((s, t) => s + t.max_score, 0)));
  const bins = 10;
  const histogram = Array.from({ length: bins }, (_, b) => ({
    from: (maxScore * b) / bins,
    to: (maxScore * (b + 1)) / bins,
    count: 0,
  }));
  for (const s of scores) histogram[Math.min(bins - 1, maxScore > 0 ? Math.floor((s / maxScore) * bins) : 0)]!.count++;
  const items = itemColumns(rows).map((col) => {
    const verdicts: Record<string, number> = {};
    let notFull = 0;
    for (const r of withResults) {
      const t = r.results!.tests.find(
        (x) => String((x.extra_data as { id?: string } | undefined)?.id ?? x.number) === col.id,
      );
      if (t === undefined) continue;
      if (t.score < t.max_score) notFull++;
      const v = t.tags[1] ?? 'unknown';
      verdicts[v] = (verdicts[v] ?? 0) + 1;
    }
    return { id: col.id, name: col.name, notFull, verdicts };
  });
  const n = scores.length;
  return {
    submissions: rows.length,
    graded: withResults.length,
    graderErrors: rows.filter((r) => r.results === undefined || /autograder itself failed/.test(r.results.output))
      .length,
    skipped: rows.filter((r) => r.skipped).length,
    wrongLab: rows
      .flatMap((r) => {
        const lab = wrongLabOf(r);
        return lab !== undefined ? [{ submission: r.submission, lab }] : [];
      })
      .sort((a, b) => a.submission.localeCompare(b.submission)),
    maxScore,
    mean: n > 0 ? scores.reduce((a, b) => a + b, 0) / n : 0,
    median: n === 0 ? 0 : n % 2 === 1 ? scores[n >> 1]! : (scores[n / 2 - 1]! + scores[n / 2]!) / 2,
    histogram,
    mostFailed: items.sort((a, b) => b.notFull - a.notFull || a.id.localeCompare(b.id)),
  };
}

export function summaryMarkdown(lab: string, s: BatchSummary): string {
  const f = (x: number) => (Number.isInteger(x) ? String(x) : x.toFixed(2));
  const width = Math.max(1, ...s.histogram.map((h) => h.count));
  return [
    `# Batch summary: ${lab}`,
    '',
    `${s.submissions} submissions: ${s.graded} graded${s.skipped > 0 ? ` (${s.skipped} unchanged, not regraded)` : ''}, ${s.graderErrors} with grader errors.`,
    `Mean ${f(s.mean)} / ${f(s.maxScore)}, median ${f(s.median)}.`,
    ...(s.wrongLab.length > 0
      ? [
          '',
          `**${s.wrongLab.length} made for another lab** (not graded; see grades.csv status \`wrong-lab:<lab>\`): ${s.wrongLab.map((w) => `${w.submission} (${w.lab})`).join(', ')}`,
        ]
      : []),
    '',
    '## Score histogram',
    '',
    '```',
    ...s.histogram.map(
      (h) =>
        `${f(h.from).padStart(5)}–${f(h.to).padEnd(5)} ${'#'.repeat(Math.round((30 * h.count) / width)).padEnd(30)} ${h.count}`,
    ),
    '```',
    '',
    '## Items most often not at full points',
    '',
    '| item | not full | verdicts |',
    '|---|---|---|',
    ...s.mostFailed.map(
      (i) =>
        `| ${i.id}: ${i.name} | ${i.notFull} | ${Object.entries(i.verdicts)
          .sort()
          .map(([v, n]) => `${v} ${n}`)
          .join(', ')} |`,
    ),
    '',
  ].join('\n');
}
