/**
 * The sandbox's CPU clock (grader/sandbox/cpu-clock.ts): /proc/<pid>/stat parsing, including command
 * names an attacker chooses, and the limit watcher's choice between CPU time and the wall backstop.
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { cpuClockAvailable, treeCpuMs, parseStat, watchCpuLimit } from '../../grader/sandbox/cpu-clock.js';

const line = (comm: string) =>
  `4242 (${comm}) R 1 777 777 0 -1 4194560 100 0 0 0 250 30 5 7 20 0 11 0 12345 1000000 5000 18446744073709551615`;

describe('parseStat', () => {
  it('reads the process group, utime + stime and cutime + cstime in ms (ticks of 10 ms)', () => {
    expect(parseStat(line('node'))).toEqual({ pgrp: 777, cpuMs: 2800, childrenCpuMs: 120 });
  });
  it('is not fooled by a command name holding spaces and parentheses', () => {
    expect(parseStat(line('a) R 1 1 1 (b'))).toEqual({ pgrp: 777, cpuMs: 2800, childrenCpuMs: 120 });
  });
  it('gives undefined for a line that is not a stat line', () => {
    expect(parseStat('garbage')).toBeUndefined();
  });
});

describe.skipIf(!cpuClockAvailable())('watchCpuLimit on this machine (/proc present)', () => {
  it('fires "cpu" for a busy grandchild (a shell that forked node, as unshare --fork does) however loaded the machine', async () => {
    const child = spawn('sh', ['-c', `"${process.execPath}" -e 'for(;;){}'; true`], {
      detached: true,
      stdio: 'ignore',
    });
    try {
      const kind = await new Promise<string>((resolve) => watchCpuLimit(child.pid, 300, resolve, { wallFactor: 1000 }));
      expect(kind).toBe('cpu');
      expect(treeCpuMs(child.pid!)).toBeGreaterThanOrEqual(300);
    } finally {
      process.kill(-child.pid!, 'SIGKILL');
    }
  });

  it('fires "wall" for a process group that only waits', async () => {
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { detached: true, stdio: 'ignore' });
    try {
      const kind = await new Promise<string>((resolve) => watchCpuLimit(child.pid, 250, resolve));
      expect(kind).toBe('wall');
    } finally {
      process.kill(-child.pid!, 'SIGKILL');
    }
  });
});

describe('watchCpuLimit without /proc', () => {
  it('falls back to the wall clock at the limit itself', async () => {
    const kind = await new Promise<string>((resolve) => watchCpuLimit(undefined, 50, resolve, { available: false }));
    expect(kind).toBe('wall');
  });
});
