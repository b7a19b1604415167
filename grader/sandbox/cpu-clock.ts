/**
 * The child's time limit counts the CPU time its process group used, not the wall clock: on a loaded
 * machine (a CI runner beside another job, a batch grading several submissions at once) a correct
 * submission gets fewer cycles per second and would otherwise time out, so the verdict would depend on
 * the load. CPU time does not. A wall-clock backstop, a multiple of the limit, still ends a child that
 * waits without computing (a promise that never settles).
 *
 * Linux only: CPU times come from /proc/<pid>/stat. Where /proc is missing the limit falls back to the
 * wall clock alone, as before.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** The wall-clock backstop is this many times the CPU limit. */
export const WALL_BACKSTOP_FACTOR = 4;
/** How often the group's CPU time is read (ms). */
export const CPU_POLL_MS = 200;
/** USER_HZ: the unit of utime/stime in /proc/<pid>/stat, fixed at 100 in the kernel's user ABI. */
const TICKS_PER_SECOND = 100;

/** Whether /proc answers is a fact of the machine: asked once per process. */
let procReadable: boolean | undefined;

/** True when this machine exposes per-process CPU times under /proc. */
export function cpuClockAvailable(): boolean {
  if (procReadable === undefined) {
    try {
      procReadable = parseStat(readFileSync('/proc/self/stat', 'utf8')) !== undefined;
    } catch {
      procReadable = false;
    }
  }
  return procReadable;
}

/**
 * One /proc/<pid>/stat line: the process group, the CPU time the process used (ms) and that of its
 * children it has waited for, or undefined if unreadable.
 */
export function parseStat(line: string): { pgrp: number; cpuMs: number; childrenCpuMs: number } | undefined {
  // The command name (field 2) is in parentheses and may hold spaces or parentheses: split after the last ')'.
  const close = line.lastIndexOf(')');
  if (close < 0) return undefined;
  const fields = line.slice(close + 2).split(' ');
  // fields[0] is field 3 (state): pgrp is field 5, utime 14, stime 15.
  const pgrp = Number(fields[2]);
  const ticks = Number(fields[11]) + Number(fields[12]);
  const childTicks = Number(fields[13]) + Number(fields[14]);
  if (!Number.isInteger(pgrp) || !Number.isFinite(ticks) || !Number.isFinite(childTicks)) return undefined;
  const ms = (t: number) => (t * 1000) / TICKS_PER_SECOND;
  return { pgrp, cpuMs: ms(ticks), childrenCpuMs: ms(childTicks) };
}

/**
 * CPU time (ms) used so far by process `root` and its descendants (the sandbox wrapper and the Node
 * child it forked), threads included, and descendants already reaped (cutime/cstime). Walks the tree
 * through /proc/<pid>/task/<tid>/children rather than every process on the machine: a few reads per poll.
 */
export function treeCpuMs(root: number): number {
  let total = 0;
  const pending = [root];
  while (pending.length > 0) {
    const pid = pending.pop()!;
    let stat: ReturnType<typeof parseStat>;
    try {
      stat = parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    } catch {
      continue; // the process ended between the listing and the read
    }
    if (stat === undefined) continue;
    total += stat.cpuMs + stat.childrenCpuMs;
    let tasks: string[];
    try {
      tasks = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue;
    }
    for (const tid of tasks) {
      try {
        for (const child of readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').split(' '))
          if (child !== '' && child !== '\n') pending.push(Number(child));
      } catch {
        // A thread that ended, or a kernel without CONFIG_PROC_CHILDREN: its children go uncounted.
      }
    }
  }
  return total;
}

export interface CpuLimit {
  /** Stops polling and the backstop timer. */
  readonly clear: () => void;
}

/**
 * Calls `onLimit(kind)` once: 'cpu' when process `root` and its descendants have used `limitMs` of CPU, 'wall' when the backstop
 * passes. Without /proc, 'wall' at `limitMs` itself (the old behaviour).
 */
export function watchCpuLimit(
  root: number | undefined,
  limitMs: number,
  onLimit: (kind: 'cpu' | 'wall') => void,
  { available = cpuClockAvailable(), wallFactor = WALL_BACKSTOP_FACTOR } = {},
): CpuLimit {
  let fired = false;
  const fire = (kind: 'cpu' | 'wall') => {
    if (fired) return;
    fired = true;
    clear();
    onLimit(kind);
  };
  const useCpu = available && root !== undefined;
  const wall = setTimeout(() => fire('wall'), useCpu ? limitMs * wallFactor : limitMs);
  const poll = useCpu
    ? setInterval(() => {
        if (treeCpuMs(root) >= limitMs) fire('cpu');
      }, CPU_POLL_MS)
    : undefined;
  const clear = () => {
    clearTimeout(wall);
    if (poll !== undefined) clearInterval(poll);
  };
  return { clear };
}
