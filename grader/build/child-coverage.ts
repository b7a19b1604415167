/**
 * Coverage of the sandboxed child, for `npm run coverage` only (test/coverage/run.ts).
 *
 * Node's own coverage (NODE_V8_COVERAGE) goes through the inspector, which the permission model closes
 * ("Access to this API has been restricted" on Node 20), so a sandboxed child records nothing that way. Instead,
 * while NODE_V8_COVERAGE is set, the grader's own files in the child bundle are instrumented with istanbul
 * (counters in the code itself), and the bundle writes its counts as `istanbul-<uuid>.json` into that folder when
 * the process exits; run-sandboxed.ts grants the child write access to that one folder, and
 * test/coverage/child-coverage.ts folds the counts into the report.
 *
 * Only files under grader/ are instrumented: the engine (sim/) is covered in-process already, and counters in its
 * hot loops would slow the child runs that tests time-limit. Real grading never sets NODE_V8_COVERAGE; if it is set
 * where istanbul-lib-instrument (a devDependency) is not installed, the bundle is built as usual.
 */
import { readFile } from 'node:fs/promises';
import { dirname, join, sep } from 'node:path';
import type { BuildOptions, Plugin } from 'esbuild';

/** The part of istanbul-lib-instrument used here. */
type CreateInstrumenter = (options: {
  esModules: boolean;
  parserPlugins: string[];
  produceSourceMap: boolean;
  coverageGlobalScope: string;
  coverageGlobalScopeFunc: boolean;
}) => { instrumentSync(code: string, filename: string): string };

/** The prefix of the count files the child writes (the rest of the folder holds Node's V8 dumps). */
export const CHILD_COVERAGE_PREFIX = 'istanbul-';

/** The folder coverage is being collected into, or undefined (always, outside `npm run coverage`). */
export function coverageDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const dir = env.NODE_V8_COVERAGE;
  return dir === undefined || dir === '' ? undefined : dir;
}

/**
 * esbuild options that instrument `repoRoot/grader/**.ts` and write the counts at exit, or {} when coverage is not
 * being collected. Spread them into an `esbuild.build` call whose output runs in the sandbox.
 */
export async function childCoverageBuildOptions(
  repoRoot: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Pick<BuildOptions, 'plugins' | 'banner'>> {
  const dir = coverageDir(env);
  if (dir === undefined) return {};
  let createInstrumenter: CreateInstrumenter;
  try {
    // A specifier in a variable: handouts and Gradescope packages ship this file without the devDependency, and
    // their `tsc` must not look for it.
    const specifier = 'istanbul-lib-instrument';
    ({ createInstrumenter } = (await import(specifier)) as { createInstrumenter: CreateInstrumenter });
  } catch {
    return {};
  }
  const instrumenter = createInstrumenter({
    esModules: true,
    parserPlugins: ['typescript'],
    // No source map for the instrumented text: Node's --enable-source-maps names a frame after the caller's mapped
    // name, and istanbul's map names the call sites in the harness, so a student's `CfsScheduler.scheduleCfs` frame
    // would read `scheduleCfs`. Frames in instrumented files (grader code, trimmed from what students see) keep the
    // instrumented text's line numbers instead.
    produceSourceMap: false,
    // `new Function('return this')` would break under --disallow-code-generation-from-strings.
    coverageGlobalScope: 'globalThis',
    coverageGlobalScopeFunc: false,
  });
  const graderRoot = join(repoRoot, 'grader') + sep;
  const plugin: Plugin = {
    name: 'servelab-child-coverage',
    setup(build) {
      build.onLoad({ filter: /\.ts$/ }, async (args) => {
        if (!args.path.startsWith(graderRoot)) return undefined;
        const text = await readFile(args.path, 'utf8');
        const contents = instrumenter.instrumentSync(text, args.path);
        return { contents, loader: 'ts', resolveDir: dirname(args.path) };
      });
    },
  };
  // A random name: in a PID namespace every child is pid 1 or 2. Errors are swallowed: coverage must never change
  // how a run ends.
  const banner = [
    "import { writeFileSync as __servelabCoverageWrite } from 'node:fs';",
    "import { randomUUID as __servelabCoverageId } from 'node:crypto';",
    "process.on('exit', () => { try { __servelabCoverageWrite(" +
      `${JSON.stringify(join(dir, CHILD_COVERAGE_PREFIX))} + __servelabCoverageId() + '.json', ` +
      'JSON.stringify(globalThis.__coverage__ ?? {})); } catch {} });',
  ].join('\n');
  return { plugins: [plugin], banner: { js: banner } };
}
