/**
 * Unit probes: small scripted situations, each a function of a lab module (the student's or the
 * reference's) that returns plain data. The child runs an item's probes on the student's code; the
 * parent runs the very same probes on the reference (oracle.ts) and compares, so an expected value is
 * never written twice. A probe set is a pure function of a seed: both sides rebuild the same probes
 * from `{ item, seed }`, and hidden variants draw their numbers from the hidden seed.
 */
import { z } from 'zod';
import { describeThrown } from './instance-hook.js';

export interface Probe<M> {
  readonly name: string;
  /** Drawn from the hidden seed (a hidden variant) rather than a fixed public case. */
  readonly hidden: boolean;
  /** What is checked, in one line, shown with PASS/FAIL (optional: the name may say it all). */
  readonly expect?: string;
  /** The observation: plain, JSON-serialisable data. A throw is this probe's failure, never the item's. */
  readonly run: (m: M) => unknown;
  /**
   * Why `got` is wrong against the reference's `want`, or undefined when it is right. Default: equal
   * up to a relative 1e-6 (sameValue). A probe whose right answers legitimately differ (ties broken
   * another way, an order that does not matter) says here what must hold instead.
   */
  readonly compare?: (want: unknown, got: unknown) => string | undefined;
  /**
   * The starter defaults (RunProbesOptions.starterDefaults) that mean this probe's method is not written
   * yet; absent: any. A probe of one method lists only its own, so another method's default it happens
   * to call (a scheduler charging through the starter's cost functions) is not held against it.
   */
  readonly ownDefaults?: readonly string[];
}

/** A maker of probes of one kind: public or hidden (drawn from the seed), compared by `compare` (default: sameValue). */
export const probeKind =
  <M>(hidden: boolean, compare?: Probe<M>['compare']) =>
  (name: string, run: Probe<M>['run'], expect?: string): Probe<M> => ({
    name,
    hidden,
    run,
    ...(compare !== undefined ? { compare } : {}),
    ...(expect !== undefined ? { expect } : {}),
  });

/** An item's probes for a seed; `seed` is the hidden seed (public probes ignore it). */
export type ProbeSet<M> = (seed: number) => readonly Probe<M>[];

export const ProbeResult = z.strictObject({
  name: z.string(),
  value: z.unknown().optional(),
  error: z.string().optional(),
});
export type ProbeResult = z.infer<typeof ProbeResult>;

export function selectProbes<M>(set: ProbeSet<M>, seed: number, publicOnly: boolean): readonly Probe<M>[] {
  const all = set(seed);
  return publicOnly ? all.filter((p) => !p.hidden) : all;
}

export interface RunProbesOptions<M> {
  /** Run only probe number `only` (a case rerun alone after a timeout). */
  readonly only?: number;
  /** The student's folder, to name the student's frame of a throw. */
  readonly studentDir: string;
  /**
   * The starter's recorded defaults (a `STARTER_DEFAULTS` set the stubs fill when their simple default
   * runs): a default is not the student's answer, even when it happens to give the right value.
   */
  readonly starterDefaults?: (m: M) => Set<string> | undefined;
}

/** Runs probes on a module; each throw becomes that probe's `error`. Values are copied through JSON. */
export function runProbes<M>(m: M, probes: readonly Probe<M>[], options: RunProbesOptions<M>): ProbeResult[] {
  const defaults = options.starterDefaults?.(m);
  const picked = options.only === undefined ? probes : probes.slice(options.only, options.only + 1);
  return picked.map((p) => {
    try {
      defaults?.clear();
      const value = JSON.parse(JSON.stringify(p.run(m) ?? null)) as unknown;
      const ran = [...(defaults ?? [])].filter((d) => p.ownDefaults === undefined || p.ownDefaults.includes(d));
      if (ran.length > 0)
        return {
          name: p.name,
          error: `not written yet: ${ran.sort().join(', ')} (the starter's simple default ran) in ${options.studentDir}`,
        };
      return { name: p.name, value };
    } catch (err) {
      return { name: p.name, error: describeThrown(err, options.studentDir) };
    }
  });
}

/** Deep equality with numbers equal up to a relative `tolerance`. */
export function sameValue(a: unknown, b: unknown, tolerance = 1e-6): boolean {
  if (typeof a === 'number' && typeof b === 'number')
    return a === b || Math.abs(a - b) <= tolerance * Math.max(1e-12, Math.abs(a), Math.abs(b));
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((x, i) => sameValue(x, b[i], tolerance));
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a).sort();
    const kb = Object.keys(b).sort();
    return (
      ka.join() === kb.join() &&
      ka.every((k) => sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], tolerance))
    );
  }
  return a === b;
}

/** The default comparison: "expected X, got Y" unless sameValue. */
export function compareValues(want: unknown, got: unknown): string | undefined {
  return sameValue(want, got) ? undefined : `expected ${JSON.stringify(want)}\ngot      ${JSON.stringify(got)}`;
}

/**
 * For probes that observe a record of named fields (queues, lists, counts): one line per field that
 * differs from the reference's, so a student reads which part of the state is wrong.
 */
export function compareFields(want: unknown, got: unknown): string | undefined {
  const isRecord = (x: unknown): x is Record<string, unknown> =>
    typeof x === 'object' && x !== null && !Array.isArray(x);
  if (!isRecord(want) || !isRecord(got)) return compareValues(want, got);
  const show = (x: unknown) => (x === undefined ? 'nothing' : JSON.stringify(x));
  const lines = [...new Set([...Object.keys(want), ...Object.keys(got)])]
    .filter((k) => !sameValue(want[k], got[k]))
    .map((k) => `${k}: expected ${show(want[k])}, got ${show(got[k])}`);
  return lines.length === 0 ? undefined : lines.join('\n');
}

/** For probes that observe a sequence of states (iterations): the first that differs, field by field (compareFields). */
export function compareSteps(want: unknown, got: unknown): string | undefined {
  if (!Array.isArray(want) || !Array.isArray(got) || want.length !== got.length) return compareFields(want, got);
  const k = want.findIndex((w, i) => compareFields(w, got[i]) !== undefined);
  return k < 0 ? undefined : `iteration ${k + 1}: ${compareFields(want[k], got[k])}`;
}

/** A value the student's code returned, as probe data: a finite number, else null. */
export const finiteOrNull = (x: unknown): number | null => (typeof x === 'number' && Number.isFinite(x) ? x : null);

/** A returned number as a message shows it: integers whole, others to 10 significant digits. */
export const showNumber = (x: unknown): string =>
  typeof x !== 'number' ? 'not a number' : Number.isInteger(x) ? String(x) : String(Number(x.toPrecision(10)));

/**
 * For probes that observe a series of values: the first one unlike the reference's (relative `tolerance`),
 * named by `what(i)`; a hidden variant's message names no input and no expected value.
 */
export function firstWrong(what: (i: number) => string, hidden: boolean, tolerance = 1e-9) {
  return (want: unknown, got: unknown): string | undefined => {
    const w = want as unknown[];
    if (!Array.isArray(got)) return `returned ${JSON.stringify(got)}, not a list of values`;
    const i = w.findIndex((x, k) => !sameValue(x, got[k], tolerance));
    if (i < 0) return undefined;
    return hidden
      ? `${what(i)} (${i + 1} of ${w.length}) is ${showNumber(got[i])}, which is wrong`
      : `${what(i)} is ${showNumber(got[i])}; expected ${showNumber(w[i])}`;
  };
}
