/**
 * The engine's replica schedulers by name. Each entry owns its options: `options` reads them from the
 * run's config when the run is built, and `create` builds a replica with them, so neither the engine
 * nor the ReplicaScheduler base class knows any policy's settings.
 *
 * A class loaded from a file (`--replica-scheduler-module`, a lab's student or reference code) is built
 * like the engine policy it extends: it gets the options of the entry whose `policyClass` is its
 * nearest ancestor (none when it extends no registered policy), as its constructor's second argument.
 */
import { z } from 'zod';
import { deadlineOptions, type DeadlineSettings } from './deadline/deadline-options.js';
import { DeadlineReplicaScheduler } from './deadline/deadline-replica-scheduler.js';
import { OrderedSarathiScheduler } from './deadline/ordered-sarathi.js';
import { OrcaReplicaScheduler } from './orca.js';
import type { ReplicaScheduler, ReplicaSchedulerInit } from './replica-scheduler.js';
import { SarathiReplicaScheduler } from './sarathi.js';
import { VllmReplicaScheduler } from './vllm.js';
import { vllmV0Options, VllmV0ReplicaScheduler, type VllmV0Settings } from './vllm-v0-replica-scheduler.js';

export const ReplicaSchedulerName = z.enum([
  'vllm',
  'sarathi',
  'orca',
  'vllm-v0',
  'sarathi-fcfs',
  'sarathi-edf',
  'sarathi-srpf',
]);
export type ReplicaSchedulerName = z.infer<typeof ReplicaSchedulerName>;

/** Builds one replica's scheduler; the engine calls it once per replica it adds. */
export type ReplicaSchedulerFactory = (init: ReplicaSchedulerInit) => ReplicaScheduler;

/** The config fields the entries read (the run's config has them all). */
export type ReplicaSchedulerSettings = VllmV0Settings & DeadlineSettings;

/** A replica-scheduler class as a module exports it: built from the engine's init (plus, if it extends a registered policy, that policy's options). */
export type ReplicaSchedulerClass = new (init: ReplicaSchedulerInit) => ReplicaScheduler;

/** A class whose constructor takes the engine's init and then options `O`. */
export type PolicyClass<O> = abstract new (init: ReplicaSchedulerInit, options: O) => ReplicaScheduler;

/** What the engine needs of any entry, whatever its options type. */
export interface RegisteredReplicaScheduler {
  /** The class a loaded module's class must extend to be given this entry's options. */
  readonly policyClass: abstract new (
    init: ReplicaSchedulerInit,
    ...rest: never[]
  ) => ReplicaScheduler;
  /** The factory of a run: options read from `config` once, for every replica. */
  readonly factory: (config: ReplicaSchedulerSettings) => ReplicaSchedulerFactory;
  /** A factory for `cls` with this entry's options, or undefined when `cls` does not extend `policyClass`. */
  readonly subclassFactory: (
    cls: ReplicaSchedulerClass,
    config: ReplicaSchedulerSettings,
  ) => ReplicaSchedulerFactory | undefined;
}

/** One registered policy, with its options type `O`. */
export interface ReplicaSchedulerEntry<O> extends RegisteredReplicaScheduler {
  readonly policyClass: PolicyClass<O>;
  /** This policy's options, from the run's config. */
  readonly options: (config: ReplicaSchedulerSettings) => O;
  /** A replica of this policy; without options, the policy's defaults. */
  readonly create: (init: ReplicaSchedulerInit, options?: O) => ReplicaScheduler;
}

function extendsPolicy(cls: ReplicaSchedulerClass, base: RegisteredReplicaScheduler['policyClass']): boolean {
  return cls.prototype === base.prototype || cls.prototype instanceof base;
}

function entry<O>(
  spec: Pick<ReplicaSchedulerEntry<O>, 'policyClass' | 'options' | 'create'>,
): ReplicaSchedulerEntry<O> {
  return {
    ...spec,
    factory: (config) => {
      const options = spec.options(config);
      return (init) => spec.create(init, options);
    },
    subclassFactory: (cls, config) => {
      if (!extendsPolicy(cls, spec.policyClass)) return undefined;
      // A subclass inherits the policy's constructor unless it declares its own (which then takes the init first).
      const subclass: new (init: ReplicaSchedulerInit, options: O) => ReplicaScheduler = cls;
      const options = spec.options(config);
      return (init) => new subclass(init, options);
    },
  };
}

const noOptions = (): undefined => undefined;

export const REPLICA_SCHEDULERS = {
  vllm: entry({
    policyClass: VllmReplicaScheduler,
    options: noOptions,
    create: (init) => new VllmReplicaScheduler(init),
  }),
  sarathi: entry({
    policyClass: SarathiReplicaScheduler,
    options: noOptions,
    create: (init) => new SarathiReplicaScheduler(init),
  }),
  orca: entry({
    policyClass: OrcaReplicaScheduler,
    options: noOptions,
    create: (init) => new OrcaReplicaScheduler(init),
  }),
  'vllm-v0': entry({
    policyClass: VllmV0ReplicaScheduler,
    options: (config) => vllmV0Options(config),
    create: (init, options) => new VllmV0ReplicaScheduler(init, options),
  }),
  'sarathi-fcfs': entry({
    policyClass: DeadlineReplicaScheduler,
    options: deadlineOptions,
    create: (init, options) => new OrderedSarathiScheduler(init, options, 'fcfs'),
  }),
  'sarathi-edf': entry({
    policyClass: DeadlineReplicaScheduler,
    options: deadlineOptions,
    create: (init, options) => new OrderedSarathiScheduler(init, options, 'edf'),
  }),
  'sarathi-srpf': entry({
    policyClass: DeadlineReplicaScheduler,
    options: deadlineOptions,
    create: (init, options) => new OrderedSarathiScheduler(init, options, 'srpf'),
  }),
} satisfies Record<ReplicaSchedulerName, RegisteredReplicaScheduler>;

/** The factory of the engine policy `name` for a run of `config`. */
export function replicaSchedulerFactory(
  name: ReplicaSchedulerName,
  config: ReplicaSchedulerSettings,
): ReplicaSchedulerFactory {
  return REPLICA_SCHEDULERS[name].factory(config);
}

/**
 * The factory of a loaded class for a run of `config`: built with the options of the registered policy it
 * extends (the most derived `policyClass` among its ancestors), or with none.
 */
export function moduleReplicaSchedulerFactory(
  cls: ReplicaSchedulerClass,
  config: ReplicaSchedulerSettings,
): ReplicaSchedulerFactory {
  const entries: readonly RegisteredReplicaScheduler[] = Object.values(REPLICA_SCHEDULERS);
  const ancestors = entries.filter((e) => extendsPolicy(cls, e.policyClass));
  const nearest = ancestors.find((e) =>
    ancestors.every(
      (other) => other.policyClass === e.policyClass || !(other.policyClass.prototype instanceof e.policyClass),
    ),
  );
  return nearest?.subclassFactory(cls, config) ?? ((init) => new cls(init));
}
