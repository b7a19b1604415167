/**
 * wrapCommand (grader/sandbox/isolation.ts) for each set of layers a machine may have: the chain is
 * prlimit → unshare → setpriv → node, and a missing layer leaves its link out rather than running it half-set.
 * Pure: no layer needs to exist on this machine.
 */
import { describe, expect, test } from 'vitest';
import {
  type IsolationPlan,
  OFF_HEAP_ALLOWANCE_MB,
  SANDBOX_NPROC,
  unshareArgs,
  wrapCommand,
} from '../../grader/sandbox/isolation.js';

const NODE_ARGS = ['--experimental-permission', '/tmp/child/child.mjs'];
const user = { name: 'servelab-sandbox', uid: 999, gid: 995 };
const base: IsolationPlan = { active: ['sigusr1-guard'], missing: [], disableSigusr1: false, baselineVmMb: 1000 };

describe('wrapCommand', () => {
  test('no OS layer: node itself, with the node arguments unchanged', () => {
    expect(wrapCommand(base, NODE_ARGS, { maxOldSpaceMb: 64 })).toEqual({ command: process.execPath, args: NODE_ARGS });
  });

  test('every layer as root: prlimit (address space = baseline + heap + off-heap allowance, nproc), unshare, setpriv', () => {
    const plan: IsolationPlan = {
      ...base,
      active: ['separate-user', 'pid-namespace', 'network-namespace', 'memory-limit', 'process-limit', 'sigusr1-guard'],
      user,
      namespaces: 'root',
    };
    const { command, args } = wrapCommand(plan, NODE_ARGS, { maxOldSpaceMb: 64 });
    expect(command).toBe('prlimit');
    expect(args).toEqual([
      `--as=${(1000 + 64 + OFF_HEAP_ALLOWANCE_MB) * 1024 * 1024}`,
      `--nproc=${SANDBOX_NPROC}`,
      '--',
      'unshare',
      '--pid',
      '--net',
      '--fork',
      '--kill-child',
      '--',
      'setpriv',
      '--reuid=999',
      '--regid=995',
      '--clear-groups',
      '--no-new-privs',
      '--',
      process.execPath,
      ...NODE_ARGS,
    ]);
  });

  test('unprivileged: namespaces inside a user namespace, no prlimit link when no limit is active, no setpriv without a user', () => {
    const plan: IsolationPlan = {
      ...base,
      active: ['pid-namespace', 'network-namespace', 'sigusr1-guard'],
      namespaces: 'user',
    };
    const { command, args } = wrapCommand(plan, NODE_ARGS, { maxOldSpaceMb: 64 });
    expect(command).toBe('unshare');
    expect(args).toEqual(['--user', '--pid', '--net', '--fork', '--kill-child', '--', process.execPath, ...NODE_ARGS]);
  });

  test('only the process limit: prlimit carries --nproc and no address-space cap', () => {
    const plan: IsolationPlan = { ...base, active: ['process-limit', 'sigusr1-guard'] };
    const { command, args } = wrapCommand(plan, NODE_ARGS, { maxOldSpaceMb: 64 });
    expect(command).toBe('prlimit');
    expect(args).toEqual([`--nproc=${SANDBOX_NPROC}`, '--', process.execPath, ...NODE_ARGS]);
  });

  test('unshareArgs: --user only for the unprivileged mode', () => {
    expect(unshareArgs('root')).toEqual(['--pid', '--net', '--fork', '--kill-child', '--']);
    expect(unshareArgs('user')).toEqual(['--user', '--pid', '--net', '--fork', '--kill-child', '--']);
  });
});
