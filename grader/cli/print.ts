/** Console rendering of grading results, shared by grade, check and start. */
import type { GradingResult, ItemResult } from '../core/types.js';

const fmt = (x: number) => (Number.isInteger(x) ? String(x) : x.toFixed(2));

export function itemLine(i: ItemResult): string {
  const mark = i.verdict === 'passed' ? 'PASS' : i.verdict === 'partial' ? 'PART' : 'FAIL';
  return `${mark}  ${i.number}. ${i.title}  ${fmt(i.score)}/${fmt(i.maxScore)}  [${i.verdict}] ${i.message}`;
}

export function summaryLine(r: GradingResult): string {
  return `${r.lab} / ${r.submission}: ${fmt(r.score)} / ${fmt(r.maxScore)}${r.internalError !== undefined ? ` (grader error: ${r.internalError})` : ''}`;
}
