/**
 * Counts work in student code, deterministically: every loop iteration and every function call adds one
 * to a global counter (work-counter.ts), so a rubric item can ask how the work per call grows with the
 * input, which no machine load can change (timing can only approximate it). The text is only inserted
 * into, never reflowed: no line moves, so stack traces still name the student's lines.
 */
import { parse } from '@babel/parser';
import type { Plugin } from 'esbuild';
import { readFile } from 'node:fs/promises';
import { WORK_COUNTER } from './work-counter.js';

const TICK = `(globalThis.${WORK_COUNTER} = (globalThis.${WORK_COUNTER} || 0) + 1)`;
const LOOPS = new Set(['ForStatement', 'ForInStatement', 'ForOfStatement', 'WhileStatement', 'DoWhileStatement']);
const FUNCTIONS = new Set([
  ...['FunctionDeclaration', 'FunctionExpression', 'ArrowFunctionExpression'],
  ...['ObjectMethod', 'ClassMethod', 'ClassPrivateMethod'],
]);

interface Node {
  readonly type: string;
  readonly start: number;
  readonly end: number;
  readonly body?: Node;
}
const isNode = (x: unknown): x is Node => typeof x === 'object' && x !== null && typeof (x as Node).type === 'string';

/** `source` with a tick at the start of every loop body and function body; unchanged if it does not parse. */
export function countWork(source: string): string {
  let program: unknown;
  try {
    program = parse(source, { sourceType: 'module', plugins: ['typescript'] }).program;
  } catch {
    return source; // the build reports the syntax error
  }
  // [position, text, close]: closes go before opens inserted at the same position.
  const edits: [number, string, boolean][] = [];
  const wrap = (body: Node, open: string, close: string) =>
    edits.push([body.start, open, false], [body.end, close, true]);
  const visit = (node: Node) => {
    const body = node.body;
    if (body !== undefined && (LOOPS.has(node.type) || FUNCTIONS.has(node.type))) {
      if (body.type === 'BlockStatement') edits.push([body.start + 1, `${TICK};`, false]);
      else if (LOOPS.has(node.type)) wrap(body, `{${TICK};`, '}');
      else wrap(body, `(${TICK}, `, ')');
    }
    for (const value of Object.values(node))
      for (const child of Array.isArray(value) ? value : [value]) if (isNode(child)) visit(child);
  };
  if (isNode(program)) visit(program);
  edits.sort((a, b) => b[0] - a[0] || Number(a[2]) - Number(b[2]));
  let out = source;
  for (const [at, text] of edits) out = out.slice(0, at) + text + out.slice(at);
  return out;
}

/** An esbuild plugin that counts work in the files at `paths` (absolute). */
export function countWorkPlugin(paths: ReadonlySet<string>): Plugin {
  return {
    name: 'servelab-count-work',
    setup(build) {
      build.onLoad({ filter: /\.ts$/ }, async (args) =>
        paths.has(args.path) ? { contents: countWork(await readFile(args.path, 'utf8')), loader: 'ts' } : undefined,
      );
    },
  };
}
