/**
 * A lab's starter with exactly one method written: the reference's files with every other student
 * method put back to the starter's stub (so helpers and fields the written method needs come with it,
 * and it still calls the stubs of the methods not written). What a student who works method by method
 * has at each step.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../sim/config/paths.js';

/** A student method: the file, the class (absent for a top-level function) and the name. */
export interface StudentMethod {
  readonly file: string;
  readonly cls?: string;
  readonly name: string;
}

export const label = (m: StudentMethod): string => (m.cls !== undefined ? `${m.cls}.${m.name}` : m.name);

/** Line range [start, end] of a method (or top-level function) in a source, from its signature to its closing brace. */
function locate(lines: readonly string[], m: StudentMethod): [number, number] {
  const from = m.cls === undefined ? 0 : lines.findIndex((l) => new RegExp(`^export class ${m.cls}\\b`).test(l));
  if (from < 0) throw new Error(`class ${m.cls} not found in ${m.file}`);
  const signature = new RegExp(`^(\\s*)(?:export )?(?:(?:protected|public|override|function)\\s+)*${m.name}\\(`);
  for (let i = from; i < lines.length; i++) {
    const sig = signature.exec(lines[i]!);
    if (sig === null) continue;
    const end = lines.findIndex((l, j) => j > i && l === `${sig[1]}}`);
    if (end < 0) throw new Error(`no closing brace for ${label(m)} in ${m.file}`);
    return [i, end];
  }
  throw new Error(`${label(m)} not found in ${m.file}`);
}

function replaceMethod(target: string, source: string, m: StudentMethod): string {
  const t = target.split('\n');
  const s = source.split('\n');
  const [ts, te] = locate(t, m);
  const [ss, se] = locate(s, m);
  return [...t.slice(0, ts), ...s.slice(ss, se + 1), ...t.slice(te + 1)].join('\n');
}

/**
 * The lab's files with only the `written` methods taken from the reference (`all` lists every student method):
 * every file is the reference's with each other student method put back to the starter's stub, so
 * top-level helpers one reference file imports from another (fairness's `isBefore`) are still there.
 */
export function withMethods(
  lab: string,
  all: readonly StudentMethod[],
  written: readonly StudentMethod[],
): Map<string, string> {
  const isWritten = (m: StudentMethod) => written.some((w) => w.file === m.file && label(w) === label(m));
  const read = (kind: string, f: string) => readFileSync(join(REPO_ROOT, kind, lab, f), 'utf8');
  const files = new Map<string, string>();
  for (const f of readdirSync(join(REPO_ROOT, 'starter', lab))) {
    if (!f.endsWith('.ts')) continue;
    const stubbed = all.filter((m) => m.file === f && !isWritten(m));
    if (stubbed.length === 0 && !written.some((w) => w.file === f)) {
      files.set(f, read('starter', f));
      continue;
    }
    const starter = read('starter', f);
    let text = read('reference', f);
    for (const m of stubbed) text = replaceMethod(text, starter, m);
    // The stubs' defaults record themselves in the starter's STARTER_DEFAULTS: keep its declaration.
    const declaration = starter.split('\n').find((l) => l.startsWith('export const STARTER_DEFAULTS'));
    if (declaration !== undefined && !text.includes(declaration)) text = `${text}\n${declaration}\n`;
    files.set(f, text);
  }
  return files;
}
