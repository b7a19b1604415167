/**
 * Determinism for student code: in the sandbox child, `Math.random` draws from a generator seeded by
 * the item (the parent passes the seed), and every clock student code can read — `Date.now()`,
 * `new Date()`, `performance.now()`, `process.hrtime` and `process.cpuUsage` — is pinned. A regrade of
 * the same submission with the same hidden seed then makes the same decisions whatever the code
 * calls, so a score near a threshold cannot change on regrade. The grader's own code keeps the real
 * CPU clock (`realCpuUsage`), captured before any student module loads.
 */
import { Rng } from '../../sim/workload/rng.js';

/** 2026-01-01T00:00:00Z: what `Date.now()` returns in the sandbox. */
export const PINNED_EPOCH_MS = Date.UTC(2026, 0, 1);

/** The process's real CPU clock, for the grader's own measurements inside the child. */
export const realCpuUsage: typeof process.cpuUsage = process.cpuUsage.bind(process);

export function pinNondeterminism(seed: number): void {
  const rng = new Rng(seed).fork('Math.random');
  Math.random = () => rng.next();

  const RealDate = Date;
  const now = () => PINNED_EPOCH_MS;
  // A subclass keeps `instanceof Date`, the static parsers and every method; only "now" is pinned.
  class PinnedDate extends RealDate {
    constructor(...args: ConstructorParameters<DateConstructor> | []) {
      if (args.length === 0) super(PINNED_EPOCH_MS);
      else super(...(args as ConstructorParameters<DateConstructor>));
    }
    static override now(): number {
      return now();
    }
  }
  globalThis.Date = PinnedDate as DateConstructor;
  performance.now = () => 0;
  const hrtime = ((time?: [number, number]) =>
    time === undefined ? [0, 0] : [0 - time[0], 0 - time[1]]) as NodeJS.HRTime;
  hrtime.bigint = () => 0n;
  process.hrtime = hrtime;
  process.cpuUsage = () => ({ user: 0, system: 0 });
}
