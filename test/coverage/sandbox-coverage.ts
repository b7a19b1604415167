/**
 * Folds the istanbul counts that sandboxed children wrote (grader/build/child-coverage.ts: `istanbul-*.json` in
 * the children's folder) into vitest's istanbul coverage map.
 *
 * The child's counts come from istanbul-lib-instrument's parse of the original TypeScript, vitest's entries from
 * its own AST of the code it ran mapped back to the same file: the two describe one file at the same positions
 * but need not cut it into the same statements. So, as in child-coverage.ts, vitest's map stays the one
 * structure and each of its uncovered entries asks the child:
 *
 * - a branch is matched by kind and start position (falling back, for an `if`, to the one `if` starting on that
 *   line) and takes the child's arm counts arm by arm — `if` arms too, since istanbul counts which way it went;
 * - a statement, a function or another branch arm takes the count of the smallest child range (statement,
 *   function or branch arm) that contains its start.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BranchMapping, CoverageMapData, FileCoverageData, Location, Range } from 'istanbul-lib-coverage';
import { CHILD_COVERAGE_PREFIX } from '../../grader/build/child-coverage.js';

export interface SandboxFoldStats {
  readonly dumps: number;
  /** Entries (statements, functions, branch arms) that had no hit in-process and got one from a child. */
  readonly credited: number;
}

interface Counted {
  readonly start: Location;
  readonly end: Location;
  readonly count: number;
}

const before = (a: Location, b: Location): boolean => a.line < b.line || (a.line === b.line && a.column <= b.column);
/** Ordered by span: lines first, then columns (enough to pick the innermost of nested ranges). */
const span = (r: Range): number => (r.end.line - r.start.line) * 1e6 + (r.end.column - r.start.column);
const key = (at: Location): string => `${at.line}:${at.column}`;

/** Every range the child counted, innermost lookups by start position. */
function rangesOf(child: FileCoverageData): Counted[] {
  const ranges: Counted[] = [];
  for (const [id, range] of Object.entries(child.statementMap)) ranges.push({ ...range, count: child.s[id] ?? 0 });
  for (const [id, fn] of Object.entries(child.fnMap)) ranges.push({ ...fn.loc, count: child.f[id] ?? 0 });
  for (const [id, branch] of Object.entries(child.branchMap)) {
    if (branch.type === 'if') continue; // both arms carry the `if` statement's own range
    branch.locations.forEach((location, arm) => {
      if (location.start.line !== undefined) ranges.push({ ...location, count: child.b[id]?.[arm] ?? 0 });
    });
  }
  return ranges;
}

function countAt(ranges: readonly Counted[], at: Location): number {
  let best: Counted | undefined;
  for (const r of ranges) {
    if (!before(r.start, at) || before(r.end, at)) continue;
    if (best === undefined || span(r) < span(best)) best = r;
  }
  return best?.count ?? 0;
}

function matchBranch(child: FileCoverageData, branch: BranchMapping): number[] | undefined {
  const byStart = Object.entries(child.branchMap).filter(
    ([, b]) => b.type === branch.type && b.locations.length === branch.locations.length,
  );
  const exact = byStart.find(([, b]) => key(b.loc.start) === key(branch.loc.start));
  if (exact !== undefined) return child.b[exact[0]];
  if (branch.type !== 'if') return undefined;
  const sameLine = byStart.filter(([, b]) => b.loc.start.line === branch.loc.start.line);
  return sameLine.length === 1 ? child.b[sameLine[0]![0]] : undefined;
}

function foldFile(file: FileCoverageData, child: FileCoverageData): number {
  let credited = 0;
  const ranges = rangesOf(child);
  for (const [id, range] of Object.entries(file.statementMap)) {
    if (file.s[id] === 0 && countAt(ranges, range.start) > 0) {
      file.s[id] = 1;
      credited++;
    }
  }
  for (const [id, fn] of Object.entries(file.fnMap)) {
    if (file.f[id] === 0 && countAt(ranges, fn.loc.start) > 0) {
      file.f[id] = 1;
      credited++;
    }
  }
  for (const [id, branch] of Object.entries(file.branchMap)) {
    const hits = file.b[id]!;
    const matched = matchBranch(child, branch);
    branch.locations.forEach((location, arm) => {
      if (hits[arm] !== 0) return;
      const count =
        matched !== undefined
          ? (matched[arm] ?? 0)
          : branch.type === 'if' || location.start.line === undefined
            ? 0
            : countAt(ranges, location.start);
      if (count > 0) {
        hits[arm] = 1;
        credited++;
      }
    });
  }
  return credited;
}

/**
 * The counts live in a global of the child, where student code can reach them (the adversarial tests' attacks
 * overwrite globals): a file's entry is used only if it has istanbul's shape.
 */
function isFileCoverage(value: unknown): value is FileCoverageData {
  const v = value as Partial<Record<keyof FileCoverageData, unknown>> | null;
  const record = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null;
  if (!record(v) || !record(v.statementMap) || !record(v.fnMap) || !record(v.branchMap)) return false;
  if (!record(v.s) || !record(v.f) || !record(v.b)) return false;
  const b = v.b;
  return Object.values(v.branchMap).every(
    (branch, i) =>
      record(branch) &&
      Array.isArray((branch as { locations?: unknown }).locations) &&
      Array.isArray(b[Object.keys(v.branchMap as object)[i]!]),
  );
}

/** Folds every `istanbul-*.json` in `rawDir` into `map` (mutated: hit counts raised where a child ran the code). */
export function foldSandboxCoverage(map: CoverageMapData, rawDir: string): SandboxFoldStats {
  let dumps = 0;
  let credited = 0;
  for (const name of readdirSync(rawDir)) {
    if (!name.startsWith(CHILD_COVERAGE_PREFIX) || !name.endsWith('.json')) continue;
    let dump: CoverageMapData;
    try {
      dump = JSON.parse(readFileSync(join(rawDir, name), 'utf8')) as CoverageMapData;
    } catch {
      continue; // a child killed while writing leaves a truncated file
    }
    dumps++;
    if (typeof dump !== 'object' || dump === null) continue;
    for (const [path, child] of Object.entries(dump)) {
      const file = map[path] as FileCoverageData | undefined;
      if (file !== undefined && isFileCoverage(child)) credited += foldFile(file, child);
    }
  }
  return { dumps, credited };
}
