/**
 * The compile-time import guard (grading.md §4, layer 3), as an esbuild `onResolve` plugin:
 *
 * - `@student/<lab>/<name>` resolves to the student file `<name>.ts` (how harnesses import student code;
 *   tsconfig.json maps `@student/*` to `starter/*` the same way, so one name means one file everywhere);
 * - an import made FROM a student file may reach only other student files and the engine copy
 *   (`<srcRoot>/sim/**`): no Node built-ins, npm packages, absolute paths or `../../reference/…`;
 * - imports made by trusted code (harness, engine, packages) resolve normally, except that the
 *   repository's `sim/` is redirected to the engine copy, so harness and student share one copy of
 *   every engine class (`instanceof Router` holds, module state is not duplicated).
 *
 * A computed `import(expr)` never reaches a plugin; the permission-model sandbox is the layer for that.
 */
import { builtinModules } from 'node:module';
import { extname, isAbsolute, join, relative, resolve } from 'node:path';
import type { OnResolveArgs, Plugin, PluginBuild, ResolveResult } from 'esbuild';
import { displayPath, isInside, type PathRoots } from './diagnostics.js';

export interface ImportGuardOptions extends PathRoots {
  /** The engine copy the student may import (`<srcRoot>/sim`). */
  readonly simRoot: string;
  /** The repository's engine, redirected to `simRoot` for trusted importers. */
  readonly repoSimRoot: string;
  /** Where the student files were written (`<srcRoot>/<labStudentDir>`), for messages. */
  readonly studentRoot: string;
  /** Student name as in the lab (e.g. `ai-router.ts`, `lib/util.ts`) → absolute path of its copy. */
  readonly studentFiles: ReadonlyMap<string, string>;
  /**
   * How a harness names this lab's student files: `@student/<studentImportDir>/<name>`; the lab's student
   * folder relative to `starter/` (e.g. `routing`), as tsconfig.json's `"@student/*": ["./starter/*"]`.
   */
  readonly studentImportDir: string;
}

/** Marks esbuild's inner `build.resolve` calls, so the plugin does not intercept its own lookups. */
const INNER = 'servelabImportGuardInner';
const STUDENT_PREFIX = '@student/';
const BUILTINS: ReadonlySet<string> = new Set(builtinModules);

export function importGuard(options: ImportGuardOptions): Plugin {
  const studentPaths = new Set(options.studentFiles.values());
  const allowed =
    'student code may import only the lab\'s own files and the engine (e.g. "../../sim/policies/router/router.js")';

  return {
    name: 'servelab-import-guard',
    setup(build) {
      build.onResolve({ filter: /.*/ }, async (args) => {
        if ((args.pluginData as Record<string, unknown> | undefined)?.[INNER] === true) return undefined;
        if (args.kind === 'entry-point') return undefined;

        if (args.path.startsWith(STUDENT_PREFIX)) {
          const labPrefix = `${STUDENT_PREFIX}${options.studentImportDir}/`;
          const path = args.path.startsWith(labPrefix)
            ? studentModule(args.path.slice(labPrefix.length), options.studentFiles)
            : undefined;
          if (path !== undefined) return { path };
          const known = [...options.studentFiles.keys()].map((n) => `${labPrefix}${n.replace(/\.ts$/, '')}`);
          return refuse(`"${args.path}" names no student file of this lab (known: ${known.join(', ') || 'none'})`);
        }

        const fromStudent = studentPaths.has(args.importer);
        if (!fromStudent) return trustedResolve(build, args, options);

        const reason = lexicalRefusal(args.path, args.resolveDir, options, studentPaths);
        if (reason !== undefined) return refuse(`import "${args.path}" is not allowed: ${reason}; ${allowed}`);
        const result = await innerResolve(build, args);
        if (result.errors.length > 0) return { errors: result.errors, warnings: result.warnings };
        // Check the resolved file too: the lexical check cannot see what extension probing picked.
        if (!studentPaths.has(result.path) && !isInside(result.path, options.simRoot)) {
          const shown = displayPath(result.path, options);
          return refuse(
            `import "${args.path}" resolves to ${shown}, outside the lab's files and the engine; ${allowed}`,
          );
        }
        return result;
      });
    },
  };
}

function refuse(text: string): { errors: { text: string }[] } {
  // No location given: esbuild reports the error at the import statement (file, line, column).
  return { errors: [{ text }] };
}

function innerResolve(build: PluginBuild, args: OnResolveArgs): Promise<ResolveResult> {
  return build.resolve(args.path, {
    kind: args.kind,
    resolveDir: args.resolveDir,
    importer: args.importer,
    pluginData: { [INNER]: true },
  });
}

async function trustedResolve(
  build: PluginBuild,
  args: OnResolveArgs,
  options: ImportGuardOptions,
): Promise<ResolveResult | undefined> {
  // Engine files and packages already resolve inside the copy or node_modules; only files elsewhere in
  // the repository (the harness and its helpers) can name the repository's own sim/.
  if (isInside(args.importer, options.srcRoot) || args.importer.includes('/node_modules/')) return undefined;
  const result = await innerResolve(build, args);
  if (result.errors.length > 0 || result.external || !isInside(result.path, options.repoSimRoot)) return result;
  return { ...result, path: join(options.simRoot, relative(options.repoSimRoot, result.path)) };
}

/** `ai-router` → the copy of `ai-router.ts`; `.js` and `.ts` suffixes are accepted like relative imports. */
function studentModule(name: string, files: ReadonlyMap<string, string>): string | undefined {
  const base = name.replace(/\.(js|mjs|ts|mts)$/, '');
  return files.get(`${base}.ts`) ?? files.get(`${base}.mts`);
}

/** Why an import from a student file is refused before resolving it, or undefined if it may proceed. */
function lexicalRefusal(
  spec: string,
  resolveDir: string,
  options: ImportGuardOptions,
  studentPaths: ReadonlySet<string>,
): string | undefined {
  const bare = spec.replace(/^node:/, '');
  if (spec.startsWith('node:') || BUILTINS.has(bare) || BUILTINS.has(bare.split('/')[0]!)) {
    return 'Node built-in modules are not available to student code';
  }
  if (isAbsolute(spec) || /^[a-zA-Z]:[\\/]/.test(spec) || /^[a-z][a-z0-9+.-]*:/i.test(spec)) {
    return 'absolute paths and URLs are not allowed';
  }
  if (!spec.startsWith('./') && !spec.startsWith('../')) return 'npm packages are not available to student code';
  const target = resolve(resolveDir, spec);
  if (isInside(target, options.simRoot)) return undefined;
  const withoutExt = target.slice(0, target.length - extname(target).length);
  const candidates = [target, `${withoutExt}.ts`, `${withoutExt}.mts`, `${target}.ts`];
  if (candidates.some((c) => studentPaths.has(c))) return undefined;
  const shown = displayPath(target, options);
  return `it points to ${shown}, outside the lab's files (${displayPath(options.studentRoot, options)}/) and the engine (sim/)`;
}
