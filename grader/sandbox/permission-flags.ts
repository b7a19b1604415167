/**
 * Node command-line flags for the sandbox child, chosen by Node version (pure, so each version's
 * choice is unit-tested without installing that Node):
 *
 * - the permission model is `--experimental-permission` on 20.x, 21.x and 22.0–22.12, and `--permission`
 *   from 22.13 / 23.5 on (it became stable there; 20.x rejects `--permission`, grading.md §4);
 * - several `--allow-fs-read` flags allow several paths since 20.7 (nodejs/node#49047); before that one
 *   flag took a comma-separated list;
 * - `--disable-warning` exists since 20.11 / 21.3; older versions print the permission model's
 *   ExperimentalWarning, which run-sandboxed filters from stderr instead.
 */
export interface NodeVersion {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
}

export function parseNodeVersion(version: string): NodeVersion {
  const match = /^v?(\d+)\.(\d+)\.(\d+)/.exec(version);
  if (match === null) throw new Error(`cannot parse Node version "${version}" (expected e.g. 20.20.2)`);
  return { major: Number(match[1]), minor: Number(match[2]), patch: Number(match[3]) };
}

/** True when `v` is at least `major.minor` within its own release line rules given as [major, minor] pairs. */
function atLeast(v: NodeVersion, major: number, minor: number): boolean {
  return v.major > major || (v.major === major && v.minor >= minor);
}

export function permissionFlag(version: string): '--permission' | '--experimental-permission' {
  const v = parseNodeVersion(version);
  if (v.major < 20) throw new Error(`Node ${version} has no permission model; the grader needs Node 20 or later`);
  if (v.major >= 24) return '--permission';
  if (v.major === 23) return atLeast(v, 23, 5) ? '--permission' : '--experimental-permission';
  if (v.major === 22) return atLeast(v, 22, 13) ? '--permission' : '--experimental-permission';
  return '--experimental-permission';
}

export function supportsDisableWarning(version: string): boolean {
  const v = parseNodeVersion(version);
  return v.major >= 22 || atLeast(v, 21, 3) || (v.major === 20 && v.minor >= 11);
}

function fsFlags(access: 'read' | 'write', version: string, dirs: readonly string[]): string[] {
  if (dirs.length === 0) return [];
  const v = parseNodeVersion(version);
  if (v.major > 20 || atLeast(v, 20, 7)) return dirs.map((dir) => `--allow-fs-${access}=${dir}`);
  const withComma = dirs.find((dir) => dir.includes(','));
  if (withComma !== undefined)
    throw new Error(
      `Node ${version} cannot allow ${access === 'read' ? 'reading' : 'writing'} "${withComma}": its path contains a comma`,
    );
  return [`--allow-fs-${access}=${dirs.join(',')}`];
}

export function fsReadFlags(version: string, dirs: readonly string[]): string[] {
  return fsFlags('read', version, dirs);
}

export function fsWriteFlags(version: string, dirs: readonly string[]): string[] {
  return fsFlags('write', version, dirs);
}

export interface SandboxArgsOptions {
  readonly version: string;
  readonly readDirs: readonly string[];
  /**
   * Only `npm run coverage` grants any: the folder the child writes its coverage counts to
   * (grader/build/child-coverage.ts). Real grading grants no write.
   */
  readonly writeDirs?: readonly string[];
  readonly maxOldSpaceMb: number;
  readonly sourceMaps: boolean;
}

/**
 * Everything before the script path. Deliberately absent: `--allow-fs-write` (but for `writeDirs`), `--allow-child-process`,
 * `--allow-worker`, `--allow-addons`, `--allow-wasi` (each is denied unless granted).
 */
export function sandboxNodeArgs(opts: SandboxArgsOptions): string[] {
  return [
    permissionFlag(opts.version),
    ...fsReadFlags(opts.version, opts.readDirs),
    ...fsWriteFlags(opts.version, opts.writeDirs ?? []),
    `--max-old-space-size=${opts.maxOldSpaceMb}`,
    ...(supportsDisableWarning(opts.version) ? ['--disable-warning=ExperimentalWarning'] : []),
    ...(opts.sourceMaps ? ['--enable-source-maps'] : []),
  ];
}
