/**
 * Operating-system layers around the sandbox child, detected once per grader process by trying each
 * one (never assumed from the platform), reported once, and recorded in results.json:
 *
 * | layer             | how                                              | stops                                      |
 * |-------------------|--------------------------------------------------|--------------------------------------------|
 * | separate-user     | `setpriv` to servelab-sandbox (grader is root)   | signals/ptrace to the grader, reading its files |
 * | pid-namespace     | `unshare --pid --fork --kill-child`              | seeing or signalling any process outside   |
 * | network-namespace | `unshare --net` (no interfaces but a down lo)    | sockets to anything: listeners, inspector  |
 * | memory-limit      | `prlimit --as` (RLIMIT_AS: heap and off-heap)    | Buffers/ArrayBuffers past the heap cap     |
 * | process-limit     | `prlimit --nproc` for the sandbox user           | fork and thread bombs                      |
 * | sigusr1-guard     | a SIGUSR1 listener in the grader, and            | a SIGUSR1 opening the grader's inspector   |
 * |                   | `--disable-sigusr1` for the child where Node has it |                                         |
 *
 * The permission model (permission-flags.ts), the timeout, heap and output caps, and the frame
 * channel's byte cap apply everywhere. A missing layer (a student's laptop running `npm run check`
 * as an ordinary user, a container without CAP_SYS_ADMIN) is named with its reason; grading carries on.
 *
 * Why a dedicated user and not `nobody`: nobody is shared with other daemons (NFS squashing, some
 * services), so a child running as nobody could signal them; servelab-sandbox owns nothing but the
 * children's temp folders. It is created (system account, no home, no shell) when the grader runs as
 * root and it is missing; Gradescope's setup.sh creates it once when the image is built.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants as fsConstants, readFileSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

export const SANDBOX_USER = 'servelab-sandbox';

export type LayerName =
  | 'separate-user'
  | 'pid-namespace'
  | 'network-namespace'
  | 'memory-limit'
  | 'process-limit'
  | 'sigusr1-guard';

export const LAYER_NAMES: readonly LayerName[] = [
  'separate-user',
  'pid-namespace',
  'network-namespace',
  'memory-limit',
  'process-limit',
  'sigusr1-guard',
];

export interface SandboxUser {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
}

export interface IsolationPlan {
  readonly active: readonly LayerName[];
  readonly missing: readonly { readonly layer: LayerName; readonly reason: string }[];
  /** Set when separate-user is active: the child runs as this user. */
  readonly user?: SandboxUser;
  /** How namespaces are made: as root directly, or inside a new user namespace (unprivileged). */
  readonly namespaces?: 'root' | 'user';
  /** The child's Node accepts --disable-sigusr1 (Node 22.14+ / 23.7+). */
  readonly disableSigusr1: boolean;
  /** Virtual memory a bare Node process of this binary reserves (MiB), measured; RLIMIT_AS adds to it. */
  readonly baselineVmMb: number;
}

/** What RLIMIT_AS allows beyond the baseline and the V8 heap cap: young generation, code, Buffers. */
export const OFF_HEAP_ALLOWANCE_MB = 512;
/** Processes and threads for the sandbox user (Node runs ~11 threads; batch grading runs several children). */
export const SANDBOX_NPROC = 512;

let cached: IsolationPlan | undefined;

/** The layers available here, probed on first use; the same plan for the rest of the process. */
export function isolationPlan(): IsolationPlan {
  if (cached === undefined) {
    installSignalGuard();
    cached = detect();
    reportOnce(cached);
  }
  return cached;
}

/**
 * SIGUSR1 normally opens Node's inspector on 127.0.0.1:9229, which would run code in the unsandboxed
 * grader; with a listener installed Node delivers the signal to it instead. The grader never uses it.
 */
export function installSignalGuard(): void {
  // Its own listener, whatever else listens: another listener may be removed later (a test's counter is),
  // and the guard must outlive it.
  if (!process.listeners('SIGUSR1').includes(ignoreSigusr1)) process.on('SIGUSR1', ignoreSigusr1);
}

function ignoreSigusr1(): void {}

function detect(): IsolationPlan {
  const active: LayerName[] = ['sigusr1-guard'];
  const missing: { layer: LayerName; reason: string }[] = [];
  const root = process.getuid?.() === 0;
  const has = (tool: string) => spawnSync(tool, ['--version'], { stdio: 'ignore' }).status === 0;

  let user: SandboxUser | undefined;
  if (!root) {
    missing.push({
      layer: 'separate-user',
      reason: 'the grader is not running as root, so it cannot switch the child to another user',
    });
  } else if (!has('setpriv')) {
    missing.push({ layer: 'separate-user', reason: 'setpriv (util-linux) is not installed' });
  } else {
    const found = sandboxUser();
    const problem = 'error' in found ? found.error : nodeUnreadableBy(found);
    if ('error' in found || problem !== undefined) missing.push({ layer: 'separate-user', reason: problem! });
    else {
      user = found;
      active.push('separate-user');
    }
  }

  let namespaces: 'root' | 'user' | undefined;
  if (!has('unshare')) {
    missing.push(
      { layer: 'pid-namespace', reason: 'unshare (util-linux) is not installed' },
      { layer: 'network-namespace', reason: 'unshare (util-linux) is not installed' },
    );
  } else {
    const mode = root ? 'root' : 'user';
    const probe = spawnSync('unshare', [...unshareArgs(mode), 'true'], { encoding: 'utf8', timeout: 5_000 });
    if (probe.status === 0) {
      namespaces = mode;
      active.push('pid-namespace', 'network-namespace');
    } else {
      const reason = `unshare failed (${firstLine(probe.stderr ?? '') || `exit ${probe.status}`}): ${root ? 'the container lacks CAP_SYS_ADMIN' : 'unprivileged user namespaces are disabled'}`;
      missing.push({ layer: 'pid-namespace', reason }, { layer: 'network-namespace', reason });
    }
  }

  const baselineVmMb = measureBaselineVm();
  if (!has('prlimit')) {
    missing.push({
      layer: 'memory-limit',
      reason: 'prlimit (util-linux) is not installed; only the V8 heap is capped',
    });
    missing.push({ layer: 'process-limit', reason: 'prlimit (util-linux) is not installed' });
  } else {
    if (baselineVmMb > 0) active.push('memory-limit');
    else
      missing.push({
        layer: 'memory-limit',
        reason: 'could not measure the virtual memory Node needs to start (no /proc?)',
      });
    if (user !== undefined) active.push('process-limit');
    else
      missing.push({
        layer: 'process-limit',
        reason: "the child runs as the grader's own user, whose other processes a per-user limit would count",
      });
  }

  return {
    active: LAYER_NAMES.filter((l) => active.includes(l)),
    missing: LAYER_NAMES.flatMap((l) => missing.filter((m) => m.layer === l)),
    ...(user !== undefined ? { user } : {}),
    ...(namespaces !== undefined ? { namespaces } : {}),
    disableSigusr1: process.allowedNodeEnvironmentFlags.has('--disable-sigusr1'),
    baselineVmMb,
  };
}

export function unshareArgs(mode: 'root' | 'user'): string[] {
  return [...(mode === 'user' ? ['--user'] : []), '--pid', '--net', '--fork', '--kill-child', '--'];
}

/** The command that runs `nodeArgs` with every active layer: prlimit → unshare → setpriv → node. */
export function wrapCommand(
  plan: IsolationPlan,
  nodeArgs: readonly string[],
  limits: { readonly maxOldSpaceMb: number },
): { command: string; args: string[] } {
  const chain: string[] = [];
  const limitsArgs: string[] = [];
  if (plan.active.includes('memory-limit')) {
    const mb = plan.baselineVmMb + limits.maxOldSpaceMb + OFF_HEAP_ALLOWANCE_MB;
    limitsArgs.push(`--as=${mb * 1024 * 1024}`);
  }
  if (plan.active.includes('process-limit')) limitsArgs.push(`--nproc=${SANDBOX_NPROC}`);
  if (limitsArgs.length > 0) chain.push('prlimit', ...limitsArgs, '--');
  if (plan.namespaces !== undefined) chain.push('unshare', ...unshareArgs(plan.namespaces));
  if (plan.user !== undefined) {
    chain.push(
      'setpriv',
      `--reuid=${plan.user.uid}`,
      `--regid=${plan.user.gid}`,
      '--clear-groups',
      '--no-new-privs',
      '--',
    );
  }
  const full = [...chain, process.execPath, ...nodeArgs];
  return { command: full[0]!, args: full.slice(1) };
}

/** The dedicated user, created when missing (the caller checked we are root). */
function sandboxUser(): SandboxUser | { error: string } {
  const existing = lookupUser(SANDBOX_USER);
  if (existing !== undefined) return existing;
  const made = spawnSync(
    'useradd',
    [
      '--system',
      '--user-group',
      '--no-create-home',
      '--home-dir',
      '/nonexistent',
      '--shell',
      '/usr/sbin/nologin',
      SANDBOX_USER,
    ],
    { encoding: 'utf8' },
  );
  const created = lookupUser(SANDBOX_USER);
  if (created !== undefined) return created;
  return {
    error: `user ${SANDBOX_USER} does not exist and useradd failed (${firstLine(made.stderr ?? '') || (made.error?.message ?? `exit ${made.status}`)})`,
  };
}

function lookupUser(name: string): SandboxUser | undefined {
  let passwd: string;
  try {
    passwd = readFileSync('/etc/passwd', 'utf8');
  } catch {
    return undefined;
  }
  for (const line of passwd.split('\n')) {
    const [user, , uid, gid] = line.split(':');
    if (user === name && uid !== undefined && gid !== undefined && Number(uid) > 0)
      return { name, uid: Number(uid), gid: Number(gid) };
  }
  return undefined;
}

/** The child must execute the Node binary; a Node under /root/.nvm is out of the sandbox user's reach. */
function nodeUnreadableBy(user: SandboxUser): string | undefined {
  const other = (path: string, bits: number) => {
    const st = statSync(path);
    const mode = st.uid === user.uid ? st.mode >> 6 : st.gid === user.gid ? st.mode >> 3 : st.mode;
    return (mode & bits) === bits;
  };
  try {
    accessSync(process.execPath, fsConstants.X_OK);
    if (!other(process.execPath, 0o5)) return `${process.execPath} is not readable and executable by ${user.name}`;
    for (let dir = dirname(process.execPath); ; dir = dirname(dir)) {
      if (!other(dir, 0o1))
        return `${user.name} cannot reach ${process.execPath} (folder ${dir} is closed to other users); install Node system-wide`;
      if (dirname(dir) === dir) break;
    }
  } catch (error) {
    return `cannot check ${process.execPath}: ${(error as Error).message}`;
  }
  return undefined;
}

/** VmPeak of a bare Node process (MiB): V8 reserves address space up front, so RLIMIT_AS starts from here. */
function measureBaselineVm(): number {
  const probe = spawnSync(
    process.execPath,
    [
      '-e',
      "process.stdout.write(/VmPeak:\\s*(\\d+)/.exec(require('fs').readFileSync('/proc/self/status','utf8'))?.[1] ?? '0')",
    ],
    {
      encoding: 'utf8',
      env: { NODE_OPTIONS: '' },
      timeout: 10_000,
    },
  );
  const kb = Number(probe.stdout);
  return Number.isFinite(kb) && kb > 0 ? Math.ceil(kb / 1024) : 0;
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0] ?? '';
}

/** One line on stderr per grader process: which layers guard the children here. */
function reportOnce(plan: IsolationPlan): void {
  if (process.env.SERVELAB_QUIET_SANDBOX === '1') return;
  const missing = plan.missing.map((m) => `${m.layer} (${m.reason})`);
  process.stderr.write(
    `servelab sandbox: active ${plan.active.join(', ')}${missing.length > 0 ? `; missing ${missing.join('; ')}` : ''}\n`,
  );
}

/** For results.json's extra_data: the layer names only (reasons are machine details). */
export function layerSummary(plan: IsolationPlan): { active: LayerName[]; missing: LayerName[] } {
  return { active: [...plan.active], missing: plan.missing.map((m) => m.layer) };
}
