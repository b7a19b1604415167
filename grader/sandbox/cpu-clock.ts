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

/** True when this machine exposes per-process CPU times under /proc. */
export function cpuClockAvailable(): boolean {
  try {
    return parseStat(readFileSync('/proc/self/stat', 'utf8')) !== undefined;
  } catch {
    return false;
  }
}

/** One /proc/<pid>/stat line: the process group and the CPU time used (ms), or undefined if unreadable. */
export function parseStat(line: string): { pgrp: number; cpuMs: number } | undefined {
  // The command name (field 2) is in parentheses and may hold spaces or parentheses: split after the last ')'.
  const close = line.lastIndexOf(')');
  if (close < 0) return undefined;
  const fields = line.slice(close + 2).split(' ');
  // fields[0] is field 3 (state): pgrp is field 5, utime 14, stime 15.
  const pgrp = Number(fields[2]);
  const ticks = Number(fields[11]) + Number(fields[12]);
  if (!Number.isInteger(pgrp) || !Number.isFinite(ticks)) return undefined;
  return { pgrp, cpuMs: (ticks * 1000) / TICKS_PER_SECOND };
}

/**
 * CPU time (ms) used so far by the live processes of group `pgid` (the sandbox wrapper and the Node
 * child it forked: the child is detached, so it leads its own group). Threads are included.
 */
export function groupCpuMs(pgid: number): number {
  let total = 0;
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return 0;
  }
  for (const entry of entries) {
    if (entry.charCodeAt(0) < 48 || entry.charCodeAt(0) > 57) continue;
    let stat: ReturnType<typeof parseStat>;
    try {
      stat = parseStat(readFileSync(`/proc/${entry}/stat`, 'utf8'));
    } catch {
      continue; // the process ended between the listing and the read
    }
    if (stat?.pgrp === pgid) total += stat.cpuMs;
  }
  return total;
}

export interface CpuLimit {
  /** Stops polling and the backstop timer. */
  readonly clear: () => void;
}

/**
 * Calls `onLimit(kind)` once: 'cpu' when the group has used `limitMs` of CPU, 'wall' when the backstop
 * passes. Without /proc, 'wall' at `limitMs` itself (the old behaviour).
 */
export function watchCpuLimit(
  pgid: number | undefined,
  limitMs: number,
  onLimit: (kind: 'cpu' | 'wall') => void,
  available = cpuClockAvailable(),
): CpuLimit {
  let fired = false;
  const fire = (kind: 'cpu' | 'wall') => {
    if (fired) return;
    fired = true;
    clear();
    onLimit(kind);
  };
  const useCpu = available && pgid !== undefined;
  const wall = setTimeout(() => fire('wall'), useCpu ? limitMs * WALL_BACKSTOP_FACTOR : limitMs);
  const poll = useCpu
    ? setInterval(() => {
        if (groupCpuMs(pgid) >= limitMs) fire('cpu');
      }, CPU_POLL_MS)
    : undefined;
  const clear = () => {
    clearTimeout(wall);
    if (poll !== undefined) clearInterval(poll);
  };
  return { clear };
}
