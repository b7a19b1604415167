/**
 * Build: lays a submission out like the repository in a fresh folder and bundles a lab harness with it
 * into one plain-JS file the sandbox child can run (tsx cannot run under the permission model, so all
 * TypeScript is compiled here, in the trusted parent; grading.md §4).
 *
 *   workDir/src/sim/…                     copy of the engine (regular files only)
 *   workDir/src/<labStudentDir>/<file>    the student files, so `../../sim/…` imports resolve as in the repo
 *   workDir/tsconfig.json, package.json   for the type check (and esbuild's TS settings)
 *   workDir/node_modules → repo's         symlink, so tsc finds zod and @types (never readable by the child)
 *   workDir/bundle/child.mjs              the output; the sandbox may read only workDir/bundle
 *
 * Student mistakes never throw: syntax errors and refused imports are `errors` (ok: false), type errors
 * are `typeErrors` (reported, not fatal). Caller mistakes (non-empty workDir, unsafe names) do throw.
 */
import { copyFile, lstat, mkdir, readdir, realpath, symlink, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, posix, resolve } from 'node:path';
import * as esbuild from 'esbuild';
import { childCoverageBuildOptions } from './child-coverage.js';
import { displayPath, type Diagnostic, type PathRoots } from './diagnostics.js';
import { countWorkPlugin } from './count-work.js';
import { importGuard } from './import-guard.js';
import { typecheck } from './typecheck.js';

export interface BuildOptions {
  readonly repoRoot: string;
  /** A fresh folder (created if missing, must be empty), e.g. from `mkdtemp`. */
  readonly workDir: string;
  /** The lab's student folder in the repository layout, under `starter/`, e.g. `starter/routing`. */
  readonly labStudentDir: string;
  /** Student name (relative to labStudentDir, e.g. `ai-router.ts`) → text, as returned by intake. */
  readonly files: ReadonlyMap<string, string>;
  /**
   * Absolute path of the harness module; it imports student code as `@student/<lab>/<name>.js`, `<lab>`
   * being labStudentDir under `starter/` (tsconfig.json maps `@student/*` to `starter/*` the same way).
   */
  readonly entry: string;
  /** Inline source maps, so the sandbox's stack traces name student lines (default true). */
  readonly sourcemap?: boolean;
  /** Run tsc for `typeErrors` (default true); off saves ≈0.5 s where types do not matter. */
  readonly typecheck?: boolean;
  readonly typecheckTimeoutMs?: number;
  /** Count work in the student files (count-work.ts), for items that measure how it grows (default false). */
  readonly countWork?: boolean;
}

export interface BuildResult {
  readonly ok: boolean;
  readonly bundlePath?: string;
  readonly errors: Diagnostic[];
  readonly typeErrors: Diagnostic[];
  /** Grader-side notes (e.g. type check skipped); not the student's fault. */
  readonly warnings: string[];
  /** workDir/src (real path): the sandbox maps stack frames under it back to repo-relative names. */
  readonly srcRoot: string;
  /** The bundle's folder: the only folder the sandbox child needs to read. */
  readonly bundleDir: string;
}

export const BUNDLE_FILE = 'child.mjs';

/** Where `@student/*` points, here and in tsconfig.json: `@student/<lab>/<file>` is `starter/<lab>/<file>`. */
const STUDENT_ROOT = 'starter';

export async function buildSubmission(opts: BuildOptions): Promise<BuildResult> {
  assertRelative(opts.labStudentDir, 'labStudentDir');
  const studentImportDir = posix.relative(STUDENT_ROOT, opts.labStudentDir);
  if (studentImportDir === '' || studentImportDir.startsWith('..'))
    throw new Error(`buildSubmission: labStudentDir "${opts.labStudentDir}" must be a folder under ${STUDENT_ROOT}/`);
  for (const name of opts.files.keys()) assertRelative(name, 'student file name');
  if (!isAbsolute(opts.entry)) throw new Error(`buildSubmission: entry must be an absolute path (got ${opts.entry})`);

  await mkdir(opts.workDir, { recursive: true });
  if ((await readdir(opts.workDir)).length > 0) {
    throw new Error(`buildSubmission: workDir ${opts.workDir} is not empty; pass a fresh folder (e.g. from mkdtemp)`);
  }
  // Real paths throughout: esbuild and tsc report real paths, and the guard compares them.
  const workDir = await realpath(opts.workDir);
  const repoRoot = await realpath(opts.repoRoot);
  const srcRoot = join(workDir, 'src');
  const simRoot = join(srcRoot, 'sim');
  const bundleDir = join(workDir, 'bundle');
  const bundlePath = join(bundleDir, BUNDLE_FILE);
  const roots: PathRoots = { srcRoot, repoRoot };

  await copyTree(join(repoRoot, 'sim'), simRoot);
  const studentFiles = new Map<string, { path: string; text: string }>();
  for (const [name, text] of [...opts.files].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const path = join(srcRoot, opts.labStudentDir, name);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, text, 'utf8');
    studentFiles.set(name, { path, text });
  }
  await writeFile(join(workDir, 'package.json'), `${JSON.stringify({ private: true, type: 'module' }, null, 2)}\n`);
  const tsconfig = join(workDir, 'tsconfig.json');
  await writeFile(
    tsconfig,
    `${JSON.stringify(
      tsconfigFor(
        repoRoot,
        [...studentFiles.values()].map((f) => f.path),
      ),
      null,
      2,
    )}\n`,
  );
  await symlink(join(repoRoot, 'node_modules'), join(workDir, 'node_modules'), 'dir');
  await mkdir(bundleDir);

  const guard = importGuard({
    ...roots,
    simRoot,
    repoSimRoot: join(repoRoot, 'sim'),
    studentRoot: join(srcRoot, opts.labStudentDir),
    studentFiles: new Map([...studentFiles].map(([name, f]) => [name, f.path])),
    studentImportDir,
  });
  const coverage = await childCoverageBuildOptions(repoRoot);
  const bundling = esbuild
    .build({
      entryPoints: [opts.entry],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      outfile: bundlePath,
      // The build folder has no node_modules of its own for esbuild (the symlink is for tsc, and the
      // guard keeps student code away from packages): engine imports of zod/csv-parse resolve here.
      nodePaths: [join(repoRoot, 'node_modules')],
      sourcemap: opts.sourcemap === false ? false : 'inline',
      // Node needs only the mappings for stack traces; the sources would double the bundle.
      sourcesContent: false,
      absWorkingDir: srcRoot,
      plugins: [
        guard,
        ...(opts.countWork === true ? [countWorkPlugin(new Set([...studentFiles.values()].map((f) => f.path)))] : []),
        ...(coverage.plugins ?? []),
      ],
      ...(coverage.banner !== undefined ? { banner: coverage.banner } : {}),
      logLevel: 'silent',
      legalComments: 'none',
    })
    .then(
      () => [] as Diagnostic[],
      (err: unknown) => esbuildDiagnostics(err, srcRoot, roots),
    );
  const checking =
    opts.typecheck === false
      ? Promise.resolve({ typeErrors: [], outside: [], warnings: [] })
      : typecheck({ ...roots, workDir, tsconfig, studentFiles, timeoutMs: opts.typecheckTimeoutMs ?? 60_000 });
  const [bundleErrors, types] = await Promise.all([bundling, checking]);

  const errors = [...bundleErrors, ...types.outside];
  const ok = errors.length === 0;
  return {
    ok,
    ...(ok ? { bundlePath } : {}),
    errors,
    typeErrors: types.typeErrors,
    warnings: types.warnings,
    srcRoot,
    bundleDir,
  };
}

/**
 * The student's compiler settings: the repository's strictness (strict, NodeNext, verbatim imports),
 * minus the unused-name checks that would only nag. Types come from the repository's node_modules.
 */
function tsconfigFor(repoRoot: string, files: readonly string[]): object {
  return {
    compilerOptions: {
      target: 'ES2022',
      lib: ['ES2023'],
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      types: ['node'],
      typeRoots: [join(repoRoot, 'node_modules', '@types')],
      strict: true,
      noImplicitOverride: true,
      noFallthroughCasesInSwitch: true,
      verbatimModuleSyntax: true,
      isolatedModules: true,
      resolveJsonModule: true,
      skipLibCheck: true,
      noEmit: true,
    },
    files,
  };
}

/** esbuild's BuildFailure carries messages with 1-based lines and 0-based byte columns. */
function esbuildDiagnostics(err: unknown, srcRoot: string, roots: PathRoots): Diagnostic[] {
  const messages = (err as { errors?: esbuild.Message[] }).errors;
  if (!Array.isArray(messages) || messages.length === 0) {
    return [
      { file: '', line: 0, column: 0, message: `bundling failed: ${err instanceof Error ? err.message : String(err)}` },
    ];
  }
  return messages.map((m) => {
    const loc = m.location;
    if (loc === null) return { file: '', line: 0, column: 0, message: m.text };
    // Columns are bytes; count characters so the column matches an editor on non-ASCII lines.
    const column = Buffer.from(loc.lineText, 'utf8').subarray(0, loc.column).toString('utf8').length + 1;
    return {
      file: displayPath(resolve(srcRoot, loc.file), roots),
      line: loc.line,
      column,
      message: m.text,
      lineText: loc.lineText,
    };
  });
}

/** Copies regular files and folders only: symlinks and devices in sim/ are skipped, never followed. */
async function copyTree(from: string, to: string): Promise<void> {
  await mkdir(to, { recursive: true });
  for (const dirent of await readdir(from, { withFileTypes: true })) {
    const src = join(from, dirent.name);
    const dst = join(to, dirent.name);
    if (dirent.isDirectory()) await copyTree(src, dst);
    else if (dirent.isFile() && (await lstat(src)).isFile()) await copyFile(src, dst);
  }
}

function assertRelative(path: string, what: string): void {
  const parts = path.split('/');
  if (path === '' || isAbsolute(path) || path.includes('\\') || parts.includes('..') || parts.includes('')) {
    throw new Error(`buildSubmission: ${what} "${path}" must be a relative '/'-separated path without ".."`);
  }
}
