/**
 * The repository's import graph as TypeScript itself resolves it: `tsc --listFilesOnly --explainFiles`
 * names, for every file of the program, each file that imports it ("Imported via '<spec>' from file
 * '<importer>'"), with tsconfig.json's paths (`@student/*`), type-only imports and `import()` types
 * included; no type check runs, so it takes a second or two.
 */
import { execFile } from 'node:child_process';
import { relative, resolve } from 'node:path';
import { promisify } from 'node:util';

export interface ImportEdge {
  /** Repo-relative POSIX path of the importing file. */
  readonly from: string;
  /** Repo-relative POSIX path of the imported file; outside the repository's own files it starts with `node_modules/`. */
  readonly to: string;
  /** The specifier as written, e.g. `../core/lab.js`. */
  readonly spec: string;
}

const IMPORTED_VIA = /^\s+Imported via (["'])(.*?)\1 from file (["'])(.*?)\3/;

/** Every import edge between files of the program tsconfig.json describes, sorted. */
export async function importGraph(repoRoot: string): Promise<ImportEdge[]> {
  const tsc = resolve(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [tsc, '-p', 'tsconfig.json', '--listFilesOnly', '--explainFiles', '--pretty', 'false'],
    { cwd: repoRoot, maxBuffer: 64 * 1024 * 1024 },
  );
  const name = (path: string) => {
    const abs = resolve(repoRoot, path);
    const at = abs.lastIndexOf('/node_modules/');
    return at >= 0 ? abs.slice(at + 1) : relative(repoRoot, abs).split('\\').join('/');
  };
  const edges: ImportEdge[] = [];
  let file: string | undefined;
  for (const line of stdout.split(/\r?\n/)) {
    if (line.trim() === '') continue;
    if (!/^\s/.test(line)) {
      file = name(line.trim());
      continue;
    }
    const m = IMPORTED_VIA.exec(line);
    if (m !== null && file !== undefined) edges.push({ from: name(m[4]!), to: file, spec: m[2]! });
  }
  if (edges.length === 0)
    throw new Error(`tsc --explainFiles listed no imports; its output began:\n${stdout.slice(0, 500)}`);
  return edges.sort((a, b) => (a.from + a.to < b.from + b.to ? -1 : 1));
}

/** The import circles among `files`: each strongly connected component of more than one file, or a file importing itself. */
export function importCircles(edges: readonly ImportEdge[], inScope: (file: string) => boolean): string[][] {
  const next = new Map<string, string[]>();
  for (const e of edges) if (inScope(e.from) && inScope(e.to)) next.set(e.from, [...(next.get(e.from) ?? []), e.to]);
  // Tarjan's strongly connected components, iterative so deep chains cannot overflow the stack.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const circles: string[][] = [];
  let counter = 0;
  const nodes = [...new Set(edges.flatMap((e) => [e.from, e.to]).filter(inScope))].sort();
  for (const root of nodes) {
    if (index.has(root)) continue;
    const work: { node: string; i: number }[] = [{ node: root, i: 0 }];
    index.set(root, counter);
    low.set(root, counter++);
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const top = work[work.length - 1]!;
      const targets = next.get(top.node) ?? [];
      if (top.i < targets.length) {
        const to = targets[top.i++]!;
        if (!index.has(to)) {
          index.set(to, counter);
          low.set(to, counter++);
          stack.push(to);
          onStack.add(to);
          work.push({ node: to, i: 0 });
        } else if (onStack.has(to)) low.set(top.node, Math.min(low.get(top.node)!, index.get(to)!));
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent !== undefined) low.set(parent.node, Math.min(low.get(parent.node)!, low.get(top.node)!));
      if (low.get(top.node) === index.get(top.node)) {
        const component: string[] = [];
        let n: string;
        do {
          n = stack.pop()!;
          onStack.delete(n);
          component.push(n);
        } while (n !== top.node);
        if (component.length > 1 || targets.includes(top.node)) circles.push(component.sort());
      }
    }
  }
  return circles;
}
