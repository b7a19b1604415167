/**
 * Folds the raw V8 coverage that child processes wrote (NODE_V8_COVERAGE) into vitest's istanbul coverage map.
 *
 * Why not convert the children's files on their own and merge the two maps: vitest's provider builds its
 * statements and branches from an AST of the code it ran, while a child ran tsx's whitespace-minified transform of
 * the same file, which is not on disk (Node's dump keeps only its source map and line lengths). Two conversions
 * would give two different statement and branch sets for one file and a union would count both. Instead the
 * vitest map stays the one structure, and each of its entries asks the children: map the entry's start in the
 * original file to the generated code through the child's source map (token-precise, minified or not) and read
 * the count of the innermost V8 block range there.
 *
 * Credited from children: statements, functions, and branch arms that have a location of their own (`&&`/`||`/`??`
 * operands, `?:` arms, switch cases, default arguments). Not credited: `if` arms, whose recorded location is the
 * `if` statement itself rather than its body, so a count there says the test ran, not which way it went.
 *
 * Copies count too: a test that builds a handout or a Gradescope package in a temporary folder and runs its CLIs
 * there runs copies of sim/ and grader/ files. A copied source is credited to the repository's file at the same
 * path when the source map's text of it (tsx keeps `sourcesContent`) is exactly that file's text.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LEAST_UPPER_BOUND, TraceMap, generatedPositionFor } from '@jridgewell/trace-mapping';
import type { CoverageMapData, FileCoverageData, Range } from 'istanbul-lib-coverage';
import { CHILD_COVERAGE_PREFIX } from '../../grader/build/child-coverage.js';

interface V8Range {
  readonly startOffset: number;
  readonly endOffset: number;
  readonly count: number;
}
interface V8ScriptCoverage {
  readonly url: string;
  readonly functions: readonly { readonly ranges: readonly V8Range[] }[];
}
interface SourceMapCacheEntry {
  readonly lineLengths: readonly number[];
  readonly data: ConstructorParameters<typeof TraceMap>[0] | null;
}
interface RawDump {
  readonly result: readonly V8ScriptCoverage[];
  readonly 'source-map-cache'?: Record<string, SourceMapCacheEntry>;
}

export interface ChildFoldStats {
  readonly dumps: number;
  readonly scripts: number;
  /** Entries (statements, functions, branch arms) that had no hit in-process and got one from a child. */
  readonly credited: number;
}

/** Offsets of the generated code where each line starts (Node's line lengths exclude the newline). */
function lineStarts(lineLengths: readonly number[]): number[] {
  const starts: number[] = [];
  let at = 0;
  for (const length of lineLengths) {
    starts.push(at);
    at += length + 1;
  }
  starts.push(at);
  return starts;
}

/** Count at every generated offset: outer ranges painted first, inner ones over them (V8 ranges nest). */
function paintCounts(script: V8ScriptCoverage, size: number): Uint32Array {
  const counts = new Uint32Array(size);
  const ranges = script.functions
    .flatMap((fn) => fn.ranges)
    .sort((a, b) => b.endOffset - b.startOffset - (a.endOffset - a.startOffset));
  for (const range of ranges)
    counts.fill(Math.min(range.count, 0xffffffff), Math.max(0, range.startOffset), Math.min(size, range.endOffset));
  return counts;
}

function sourcePath(resolved: string): string | undefined {
  if (resolved.startsWith('file://')) return fileURLToPath(resolved);
  return resolved.startsWith('/') ? resolved : undefined;
}

/**
 * The repository file a child's source is: itself, or for a copy of the repository (a handout or Gradescope
 * package that a test builds in a temporary folder and runs) the file at the same path under sim/ or grader/ here,
 * when the source map's copy of the text is exactly that file's text (so every position means the same).
 */
function repoFileFor(
  map: CoverageMapData,
  repoRoot: string,
  path: string | undefined,
  content: string | null,
  repoText: (path: string) => string | undefined,
): string | undefined {
  if (path === undefined) return undefined;
  if (map[path] !== undefined) return path;
  if (content === null) return undefined;
  for (const match of path.matchAll(/\/(?:sim|grader)\//g)) {
    const key = join(repoRoot, path.slice(match.index + 1));
    if (map[key] !== undefined && repoText(key) === content) return key;
  }
  return undefined;
}

/** Folds every V8 dump (NODE_V8_COVERAGE's coverage-*.json) in `rawDir` into `map` (mutated: hit counts raised where a child ran the code). */
export function foldChildCoverage(map: CoverageMapData, rawDir: string, repoRoot: string): ChildFoldStats {
  const texts = new Map<string, string | undefined>();
  const repoText = (path: string): string | undefined => {
    if (!texts.has(path)) {
      try {
        texts.set(path, readFileSync(path, 'utf8'));
      } catch {
        texts.set(path, undefined);
      }
    }
    return texts.get(path);
  };
  let dumps = 0;
  let scripts = 0;
  let credited = 0;
  const files = readdirSync(rawDir).filter((name) => name.endsWith('.json') && !name.startsWith(CHILD_COVERAGE_PREFIX));
  for (const name of files) {
    let dump: RawDump;
    try {
      dump = JSON.parse(readFileSync(join(rawDir, name), 'utf8')) as RawDump;
    } catch {
      continue; // a child killed while writing leaves a truncated file
    }
    dumps++;
    const cache = dump['source-map-cache'] ?? {};
    for (const script of dump.result) {
      const entry = cache[script.url];
      // Node records a null map for a script whose source map it could not read.
      if (entry === undefined || entry.data === null || typeof entry.data !== 'object') continue;
      let tracer: TraceMap;
      try {
        tracer = new TraceMap(entry.data, script.url);
      } catch {
        continue; // a map trace-mapping cannot read: that script's counts are left out
      }
      const targets = tracer.resolvedSources.flatMap((resolved, i) => {
        const path = repoFileFor(map, repoRoot, sourcePath(resolved), tracer.sourcesContent?.[i] ?? null, repoText);
        return path === undefined ? [] : [{ resolved, path }];
      });
      if (targets.length === 0) continue;
      scripts++;
      const starts = lineStarts(entry.lineLengths);
      const counts = paintCounts(script, starts.at(-1)!);
      for (const { resolved, path } of targets) {
        const file = map[path] as FileCoverageData;
        const countAt = (range: Range): number => {
          if (range.start.line === undefined) return 0;
          const at = generatedPositionFor(tracer, {
            source: resolved,
            line: range.start.line,
            column: range.start.column ?? 0,
            bias: LEAST_UPPER_BOUND,
          });
          if (at.line === null || at.column === null) return 0;
          const offset = starts[at.line - 1]! + at.column;
          return offset < counts.length ? counts[offset]! : 0;
        };
        for (const [id, range] of Object.entries(file.statementMap)) {
          if (file.s[id] === 0 && countAt(range) > 0) {
            file.s[id] = 1;
            credited++;
          }
        }
        for (const [id, fn] of Object.entries(file.fnMap)) {
          if (file.f[id] === 0 && countAt(fn.loc) > 0) {
            file.f[id] = 1;
            credited++;
          }
        }
        for (const [id, branch] of Object.entries(file.branchMap)) {
          if (branch.type === 'if') continue;
          const hits = file.b[id]!;
          branch.locations.forEach((location, arm) => {
            if (hits[arm] === 0 && countAt(location) > 0) {
              hits[arm] = 1;
              credited++;
            }
          });
        }
      }
    }
  }
  return { dumps, scripts, credited };
}
