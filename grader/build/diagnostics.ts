/**
 * Build and type-check messages as data: where (file relative to the lab's repo layout, 1-based line
 * and column) and what. Formatting for students happens in one place (`formatDiagnostic`).
 */
import { isAbsolute, relative, sep } from 'node:path';

export interface Diagnostic {
  /** e.g. `starter/routing/ai-router.ts`; '' when the message is about the build as a whole. */
  readonly file: string;
  /** 1-based; 0 when unknown. */
  readonly line: number;
  /** 1-based; 0 when unknown. */
  readonly column: number;
  readonly message: string;
  /** The source line the position points into, shown under the message with a caret. */
  readonly lineText?: string;
}

/** `file:line:col: message`, then the source line and a caret under the column when known. */
export function formatDiagnostic(d: Diagnostic): string {
  if (d.file === '') return d.message;
  if (d.line === 0) return `${d.file}: ${d.message}`;
  const head = `${d.file}:${d.line}:${d.column}: ${d.message}`;
  if (d.lineText === undefined) return head;
  const gutter = String(d.line);
  const text = d.lineText.replace(/\t/g, ' ');
  const caret = `${' '.repeat(Math.max(0, Math.min(d.column - 1, text.length)))}^`;
  return `${head}\n  ${gutter} | ${text}\n  ${' '.repeat(gutter.length)} | ${caret}`;
}

/** `file:line:col: message` without the source excerpt (one line, for an item's message). */
export function diagnosticHeadline(d: Diagnostic): string {
  return formatDiagnostic({ ...d, lineText: undefined }).split('\n')[0]!;
}

/** Roots that map absolute paths back to the names students and instructors know. */
export interface PathRoots {
  /** workDir/src: its children are `sim/` and the lab's student dir, as in the repository. */
  readonly srcRoot: string;
  /** The repository (harness modules live here). */
  readonly repoRoot: string;
}

/** `<srcRoot>/starter/routing/x.ts` → `starter/routing/x.ts`; repo files likewise; others unchanged. */
export function displayPath(path: string, roots: PathRoots): string {
  for (const root of [roots.srcRoot, roots.repoRoot]) {
    if (isInside(path, root)) return toPosix(relative(root, path));
  }
  return toPosix(path);
}

/** True when `path` is `root` itself or below it (both absolute and normalised). */
export function isInside(path: string, root: string): boolean {
  if (!isAbsolute(path)) return false;
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

export function toPosix(path: string): string {
  return sep === '/' ? path : path.split(sep).join('/');
}
