/**
 * The child-side driver every lab's `driver.ts` calls: parses the parent's request, runs a unit
 * item's probes on the student's module or one of the lab's own tasks, and returns plain data. Scores
 * are computed by the parent, never here; everything returned is re-validated there.
 */
import type { z } from 'zod';
import { serve } from '../sandbox/child-runtime.js';
import { runProbes, selectProbes, type ProbeSet } from './probes.js';
import { UnitsInput, type UnitsOutput } from './unit-wire.js';

/** A lab task: its input schema and what the child does with it. */
export interface ChildTask<M, I = unknown> {
  readonly input: z.ZodType<I>;
  run(input: I, m: M): unknown;
}

/** Binds a task's handler to its schema's type. */
export function childTask<M, I>(input: z.ZodType<I>, run: (input: I, m: M) => unknown): ChildTask<M, I> {
  return { input, run };
}

export interface DriverSpec<M> {
  /** The student's module, as the lab's module type. */
  readonly module: M;
  /** The student's folder in the bundle (`starter/<lab>`), to name the student's frame of a throw. */
  readonly studentDir: string;
  readonly probes: Readonly<Record<string, ProbeSet<M>>>;
  readonly starterDefaults?: (m: M) => Set<string> | undefined;
  /** The lab's other tasks by name (`run` is a method, so a task with a narrower input still fits). */
  readonly tasks?: Readonly<Record<string, ChildTask<M>>>;
}

/** A lab's child side without the module: `child.ts` in every lab, shared by driver.ts and in-process runs. */
export type LabChild<M> = Omit<DriverSpec<M>, 'module'>;

/** What the driver does with one request (exported for tests, which call it without a sandbox). */
export function handleRequest<M>(spec: DriverSpec<M>, raw: unknown): unknown {
  const task = (raw as { task?: unknown } | null)?.task;
  if (task === 'units') {
    const input = UnitsInput.parse(raw);
    const set = spec.probes[input.item];
    if (set === undefined) throw new Error(`no probe set named ${input.item}`);
    const results = runProbes(spec.module, selectProbes(set, input.seed, input.publicOnly), {
      studentDir: spec.studentDir,
      ...(input.only !== undefined ? { only: input.only } : {}),
      ...(spec.starterDefaults !== undefined ? { starterDefaults: spec.starterDefaults } : {}),
    });
    return { task: 'units', results } satisfies UnitsOutput;
  }
  const handler = typeof task === 'string' ? spec.tasks?.[task] : undefined;
  if (handler === undefined) throw new Error(`unknown task ${JSON.stringify(task)}`);
  return handler.run(handler.input.parse(raw), spec.module);
}

/** Serves the parent's requests in the sandbox child. */
export function serveLab<M>(spec: DriverSpec<M>): void {
  serve((raw) => handleRequest(spec, raw));
}
