/**
 * Loading policy implementations from files, so a lab's student code, its reference solution or an
 * unpacked submission can run in the engine without the engine importing any of them.
 */
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { InputError } from '../errors.js';
import { Router, type RouterInit } from '../policies/router/router.js';
import { ReplicaScheduler } from '../policies/replica/replica-scheduler.js';
import type { ReplicaSchedulerClass } from '../policies/replica/registry.js';
import type { Autoscaler } from '../policies/autoscaler/autoscaler.js';
import { resolveDataPath } from './paths.js';

export type RouterClass = new (init: RouterInit) => Router;

/** The exported Router subclass of a loaded module: `default`, or the only named export that is one. */
export function findRouterClass(module: Record<string, unknown>, where: string): RouterClass {
  const isRouter = (v: unknown): v is RouterClass => typeof v === 'function' && v.prototype instanceof Router;
  if (isRouter(module.default)) return module.default;
  const found = Object.entries(module).filter(([, v]) => isRouter(v));
  if (found.length === 1) return found[0]![1] as RouterClass;
  if (found.length === 0)
    throw new InputError(
      `${where} exports no subclass of Router (extend Router from sim/policies/router/router.ts and export it)`,
    );
  throw new InputError(
    `${where} exports several Router subclasses (${found.map(([k]) => k).join(', ')}); export one, or make it the default export`,
  );
}

export async function loadRouterModule(path: string): Promise<(init: RouterInit) => Router> {
  const file = resolveDataPath(path);
  if (!existsSync(file)) throw new InputError(`router module ${path} does not exist`);
  const module = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  const RouterClass = findRouterClass(module, path);
  return (init) => new RouterClass(init);
}

export type { ReplicaSchedulerClass };

/**
 * The exported ReplicaScheduler subclass of a loaded module: `default`, or the only named export that
 * is one and is not itself the base of another export (a module may re-export the engine class it extends).
 */
export function findReplicaSchedulerClass(module: Record<string, unknown>, where: string): ReplicaSchedulerClass {
  const isScheduler = (v: unknown): v is ReplicaSchedulerClass =>
    typeof v === 'function' && v.prototype instanceof ReplicaScheduler;
  if (isScheduler(module.default)) return module.default;
  const found = Object.entries(module).filter(([, v]) => isScheduler(v)) as [string, ReplicaSchedulerClass][];
  const leaves = found.filter(([, c]) => !found.some(([, other]) => other !== c && other.prototype instanceof c));
  if (leaves.length === 1) return leaves[0]![1];
  if (leaves.length === 0) {
    throw new InputError(
      `${where} exports no subclass of ReplicaScheduler (extend one from sim/policies/replica/ and export it)`,
    );
  }
  throw new InputError(
    `${where} exports several ReplicaScheduler subclasses (${leaves.map(([k]) => k).join(', ')}); export one, or make it the default export`,
  );
}

/**
 * The replica-scheduler class a module exports. A run builds it with the options of the engine policy it
 * extends (`replicaSchedulerClass` in sim/config/build.ts), so bind nothing here.
 */
export async function loadReplicaSchedulerClass(path: string): Promise<ReplicaSchedulerClass> {
  const file = resolveDataPath(path);
  if (!existsSync(file)) throw new InputError(`replica scheduler module ${path} does not exist`);
  const module = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  return findReplicaSchedulerClass(module, path);
}

export type AutoscalerClass = new (...args: unknown[]) => Autoscaler;

/**
 * The exported autoscaler class of a loaded module: `default`, or the only exported class with a `tune`
 * method (Autoscaler is an interface, so there is no base class to test with `instanceof`).
 */
export function findAutoscalerClass(module: Record<string, unknown>, where: string): AutoscalerClass {
  const isAutoscaler = (v: unknown): v is AutoscalerClass =>
    typeof v === 'function' && typeof (v as { prototype?: { tune?: unknown } }).prototype?.tune === 'function';
  if (isAutoscaler(module.default)) return module.default;
  const found = Object.entries(module).filter(([, v]) => isAutoscaler(v));
  if (found.length === 1) return found[0]![1] as AutoscalerClass;
  if (found.length === 0)
    throw new InputError(
      `${where} exports no autoscaler class (a class with tune(now, state); see sim/policies/autoscaler/autoscaler.ts)`,
    );
  throw new InputError(
    `${where} exports several autoscaler classes (${found.map(([k]) => k).join(', ')}); export one, or make it the default export`,
  );
}

/** `--autoscaler-args`: JSON; an array is spread over the constructor's parameters, anything else is its one argument. */
export function parseAutoscalerArgs(text: string | undefined): unknown[] {
  if (text === undefined || text.trim() === '') return [];
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new InputError(`--autoscaler-args must be JSON (e.g. 2 or [{"tuneInterval": 5}]): ${(err as Error).message}`);
  }
  return Array.isArray(value) ? value : [value];
}

/** A factory making a fresh autoscaler from the module's class and the given constructor arguments. */
export async function loadAutoscalerModule(path: string, args: readonly unknown[] = []): Promise<() => Autoscaler> {
  const file = resolveDataPath(path);
  if (!existsSync(file)) throw new InputError(`autoscaler module ${path} does not exist`);
  const module = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  const AutoscalerClass = findAutoscalerClass(module, path);
  return () => {
    const policy = new AutoscalerClass(...args);
    if (!(typeof policy.tuneInterval === 'number' && policy.tuneInterval > 0)) {
      throw new InputError(
        `${path}: the autoscaler's tuneInterval must be a number of seconds > 0, got ${String(policy.tuneInterval)}`,
      );
    }
    return policy;
  };
}

/**
 * The module (one of `paths`, as given) whose own code raised `err`: the file of the stack's first frame.
 * Undefined for errors raised in the engine, even when a module's call led there.
 */
export function errorRaisedInModule(err: unknown, paths: readonly string[]): string | undefined {
  if (!(err instanceof Error) || err.stack === undefined) return undefined;
  const frame = err.stack.split('\n').find((line) => line.trimStart().startsWith('at '));
  if (frame === undefined) return undefined;
  return paths.find((path) => {
    const file = resolveDataPath(path);
    return frame.includes(`${file}:`) || frame.includes(`${pathToFileURL(file).href}:`);
  });
}
