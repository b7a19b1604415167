/**
 * Loading policy implementations from files, so a lab's student code, its reference solution or an
 * unpacked submission can run in the engine without the engine importing any of them.
 */
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { InputError } from '../errors.js';
import { Router, type RouterInit } from '../policies/router/router.js';
import { ReplicaScheduler, type ReplicaSchedulerInit } from '../policies/replica/replica-scheduler.js';
import { resolveDataPath } from './paths.js';

export type RouterClass = new (init: RouterInit) => Router;

/** The exported Router subclass of a loaded module: `default`, or the only named export that is one. */
export function findRouterClass(module: Record<string, unknown>, where: string): RouterClass {
  const isRouter = (v: unknown): v is RouterClass => typeof v === 'function' && v.prototype instanceof Router;
  if (isRouter(module.default)) return module.default;
  const found = Object.entries(module).filter(([, v]) => isRouter(v));
  if (found.length === 1) return found[0]![1] as RouterClass;
  if (found.length === 0) throw new InputError(`${where} exports no subclass of Router (extend Router from sim/policies/router/router.ts and export it)`);
  throw new InputError(`${where} exports several Router subclasses (${found.map(([k]) => k).join(', ')}); export one, or make it the default export`);
}

export async function loadRouterModule(path: string): Promise<(init: RouterInit) => Router> {
  const file = resolveDataPath(path);
  if (!existsSync(file)) throw new InputError(`router module ${path} does not exist`);
  const module = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  const RouterClass = findRouterClass(module, path);
  return (init) => new RouterClass(init);
}

export type ReplicaSchedulerClass = new (init: ReplicaSchedulerInit) => ReplicaScheduler;

/**
 * The exported ReplicaScheduler subclass of a loaded module: `default`, or the only named export that
 * is one and is not itself the base of another export (a module may re-export the engine class it extends).
 */
export function findReplicaSchedulerClass(module: Record<string, unknown>, where: string): ReplicaSchedulerClass {
  const isScheduler = (v: unknown): v is ReplicaSchedulerClass => typeof v === 'function' && v.prototype instanceof ReplicaScheduler;
  if (isScheduler(module.default)) return module.default;
  const found = Object.entries(module).filter(([, v]) => isScheduler(v)) as [string, ReplicaSchedulerClass][];
  const leaves = found.filter(([, c]) => !found.some(([, other]) => other !== c && other.prototype instanceof c));
  if (leaves.length === 1) return leaves[0]![1];
  if (leaves.length === 0) {
    throw new InputError(`${where} exports no subclass of ReplicaScheduler (extend one from sim/policies/replica/ and export it)`);
  }
  throw new InputError(`${where} exports several ReplicaScheduler subclasses (${leaves.map(([k]) => k).join(', ')}); export one, or make it the default export`);
}

export async function loadReplicaSchedulerModule(path: string): Promise<(init: ReplicaSchedulerInit) => ReplicaScheduler> {
  const file = resolveDataPath(path);
  if (!existsSync(file)) throw new InputError(`replica scheduler module ${path} does not exist`);
  const module = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  const SchedulerClass = findReplicaSchedulerClass(module, path);
  return (init) => new SchedulerClass(init);
}
