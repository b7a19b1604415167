/**
 * Type-checks the student files in the build folder with the TypeScript 7 native `tsc` (it has no JS
 * API, so it runs as a child of the trusted parent; it only reads code, never runs it).
 *
 * Two runs in parallel: one for diagnostics, one (`--listFilesOnly --explainFiles`) for the files the
 * program pulled in. The second closes a hole the bundler guard cannot see: type-only imports and
 * `/// <reference>`s are erased before bundling, yet tsc would read the target and could echo parts of
 * it (e.g. a reference solution's types) in error messages. Any such file outside the build's sources
 * and node_modules becomes a build error and the diagnostics are withheld.
 */
import { execFile } from 'node:child_process';
import { realpath } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { displayPath, isInside, type Diagnostic, type PathRoots } from './diagnostics.js';

export interface TypecheckOptions extends PathRoots {
  readonly workDir: string;
  /** The generated tsconfig.json (inside workDir). */
  readonly tsconfig: string;
  /** Student name → absolute path of its copy, with its text (to place errors on the right line). */
  readonly studentFiles: ReadonlyMap<string, { readonly path: string; readonly text: string }>;
  readonly timeoutMs: number;
}

export interface TypecheckResult {
  readonly typeErrors: Diagnostic[];
  /** Files reached outside the sources: build errors. */
  readonly outside: Diagnostic[];
  /** The check could not run (tool missing, timeout): said once, never a student error. */
  readonly warnings: string[];
}

interface ToolRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly failure?: string;
}

export async function typecheck(opts: TypecheckOptions): Promise<TypecheckResult> {
  const tsc = join(opts.repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
  const base = ['-p', opts.tsconfig, '--pretty', 'false'];
  const [check, files] = await Promise.all([
    runTool(tsc, base, opts.workDir, opts.timeoutMs),
    runTool(tsc, [...base, '--listFilesOnly', '--explainFiles'], opts.workDir, opts.timeoutMs),
  ]);
  for (const run of [check, files]) {
    if (run.failure !== undefined) {
      return { typeErrors: [], outside: [], warnings: [`type check skipped: ${run.failure}`] };
    }
  }
  const nodeModules = await realpath(join(opts.repoRoot, 'node_modules')).catch(() =>
    join(opts.repoRoot, 'node_modules'),
  );
  const outside = outsideFiles(files.stdout, opts, [opts.srcRoot, nodeModules, join(opts.workDir, 'node_modules')]);
  if (outside.length > 0) return { typeErrors: [], outside, warnings: [] };
  const typeErrors = parseDiagnostics(check.stdout, opts);
  if (typeErrors.length === 0 && check.code !== 0) {
    const text = `${check.stdout}${check.stderr}`.trim().slice(0, 500);
    return {
      typeErrors: [],
      outside: [],
      warnings: [`type check failed without diagnostics (exit ${check.code}): ${text}`],
    };
  }
  return { typeErrors, outside: [], warnings: [] };
}

/** Line `line` (1-based) of a file in the build folder, for the excerpt under a message. */
function sourceLine(path: string, line: number, srcRoot: string): string | undefined {
  if (!isInside(path, srcRoot) || !existsSync(path)) return undefined;
  const text = readFileSync(path, 'utf8').split(/\r?\n/)[line - 1];
  return text === undefined ? undefined : text.slice(0, 240);
}

/** `file(line,col): error TS1234: message`, continuation lines indented; global errors have no file. */
export function parseDiagnostics(
  stdout: string,
  opts: Pick<TypecheckOptions, 'workDir' | 'srcRoot' | 'repoRoot'>,
): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  let current: { file: string; line: number; column: number; message: string; lineText?: string } | undefined;
  for (const raw of stdout.split(/\r?\n/)) {
    const located = /^(.+)\((\d+),(\d+)\): error (TS\d+): (.*)$/.exec(raw);
    const global = /^error (TS\d+): (.*)$/.exec(raw);
    if (located !== null) {
      const [, file, line, column, code, message] = located;
      const abs = resolve(opts.workDir, file!);
      const lineText = sourceLine(abs, Number(line), opts.srcRoot);
      current = {
        file: displayPath(abs, opts),
        line: Number(line),
        column: Number(column),
        message: `${message} (${code})`,
        ...(lineText !== undefined ? { lineText } : {}),
      };
      diagnostics.push(current);
    } else if (global !== null) {
      current = { file: '', line: 0, column: 0, message: `${global[2]} (${global[1]})` };
      diagnostics.push(current);
    } else if (current !== undefined && /^\s+\S/.test(raw)) {
      current.message += `\n${raw.trimEnd()}`;
    }
  }
  return diagnostics;
}

/** Parses `--explainFiles`: an unindented file path, then indented reasons ("Imported via 'x' from file 'y'"). */
function outsideFiles(stdout: string, opts: TypecheckOptions, allowedRoots: readonly string[]): Diagnostic[] {
  const found: { diagnostic: Diagnostic; direct: boolean }[] = [];
  let file: string | undefined;
  for (const raw of stdout.split(/\r?\n/)) {
    if (raw.trim() === '') continue;
    if (!/^\s/.test(raw)) {
      // Virtual files (a compiler's bundled libs, e.g. `bundled:///libs/…`) are not on disk.
      if (/^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) {
        file = undefined;
        continue;
      }
      const abs = resolve(opts.workDir, raw.trim());
      file = allowedRoots.some((root) => isInside(abs, root)) ? undefined : abs;
      continue;
    }
    if (file === undefined) continue;
    // tsc quotes the specifier as written in the source: 'x' or "x".
    const reason = /(?:Imported|Referenced) via (?:'([^']*)'|"([^"]*)") from file '([^']*)'/.exec(raw);
    const importer = reason === null ? undefined : resolve(opts.workDir, reason[3]!);
    const student = [...opts.studentFiles.values()].find((s) => s.path === importer);
    const spec = reason?.[1] ?? reason?.[2] ?? '';
    const where = student === undefined ? { line: 0, column: 0 } : locate(student.text, spec);
    found.push({
      diagnostic: {
        file: importer === undefined ? '' : displayPath(importer, opts),
        ...where,
        message:
          `"${spec || displayPath(file, opts)}" reaches ${displayPath(file, opts)}, outside the lab's files and the engine ` +
          `(type-only imports and /// references count too); remove it`,
      },
      direct: importer !== undefined && isInside(importer, opts.srcRoot),
    });
    file = undefined;
  }
  // Files pulled in by an outside file only repeat the cause: name the imports made from the sources.
  const direct = found.filter((f) => f.direct);
  return (direct.length > 0 ? direct : found).map((f) => f.diagnostic);
}

/** 1-based line and column of the first quoted occurrence of `spec` (where an import names it). */
function locate(text: string, spec: string): { line: number; column: number } {
  const lines = text.split('\n');
  for (const [i, line] of lines.entries()) {
    for (const quote of ["'", '"', '`']) {
      const at = line.indexOf(`${quote}${spec}${quote}`);
      if (at >= 0) return { line: i + 1, column: at + 1 };
    }
  }
  return { line: 0, column: 0 };
}

/** Runs `node <script> args` and never rejects: exit codes 1 and 2 are tsc's "errors found". */
function runTool(script: string, args: readonly string[], cwd: string, timeoutMs: number): Promise<ToolRun> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [script, ...args],
      { cwd, timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 32 * 1024 * 1024, encoding: 'utf8' },
      (error, stdout, stderr) => {
        if (error === null) return done({ code: 0, stdout, stderr });
        const e = error as NodeJS.ErrnoException & { code?: number | string; killed?: boolean; signal?: string | null };
        if (e.killed === true || e.signal != null) {
          return done({ code: null, stdout, stderr, failure: `tsc did not finish within ${timeoutMs} ms` });
        }
        if (typeof e.code === 'number') return done({ code: e.code, stdout, stderr });
        done({ code: null, stdout, stderr, failure: `could not run ${script}: ${error.message}` });
      },
    );
  });
}
