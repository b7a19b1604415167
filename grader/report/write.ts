/**
 * Writes results.json, report.md and report.html atomically (temp file + rename), so a reader never
 * sees half a file and a crash mid-write leaves the previous complete file.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GradingResult } from '../core/types.js';
import { toGradescope } from './gradescope.js';
import { renderHtml } from './html.js';
import { renderMarkdown } from './markdown.js';

export function writeAtomically(file: string, text: string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

export const REPORT_FILES = ['results.json', 'report.md', 'report.html'] as const;

export function writeReports(outDir: string, result: GradingResult): void {
  mkdirSync(outDir, { recursive: true });
  writeAtomically(join(outDir, 'results.json'), JSON.stringify(toGradescope(result), null, 2) + '\n');
  writeAtomically(join(outDir, 'report.md'), renderMarkdown(result));
  writeAtomically(join(outDir, 'report.html'), renderHtml(result));
}
