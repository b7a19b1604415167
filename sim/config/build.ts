/** Turns a validated config into a ready-to-run simulation: requests, policies, model, memory plan. */
import { DEVICES } from '../catalog/devices.js';
import { MODELS } from '../catalog/models.js';
import type { Request } from '../entities/request.js';
import type { ReplicaKind, SimulationObserver, SimulationSetup } from '../engine/simulator.js';
import { planKvMemory, type MemoryPlan } from '../memory/memory-planner.js';
import type { ExecutionTimeModel } from '../predictor/execution-time-model.js';
import { createExecutionModel } from '../predictor/factory.js';
import type { AutoscalingOptions } from '../policies/autoscaler/autoscaler.js';
import {
  moduleReplicaSchedulerFactory,
  replicaSchedulerFactory,
  type ReplicaSchedulerClass,
  type ReplicaSchedulerFactory,
} from '../policies/replica/registry.js';
import { ROUTERS } from '../policies/router/registry.js';
import { generateMultiClient } from '../workload/multi-client.js';
import { generateSynthetic, replayTrace } from '../workload/request-source.js';
import { Rng } from '../workload/rng.js';
import { readTraceFile } from '../workload/trace-file.js';
import { assignTiers } from '../workload/sla-tiers.js';
import { InputError } from '../errors.js';
import { resolveDataPath } from './paths.js';
import type { SimulationConfig } from './schema.js';
import { replicaKindLabel } from './replica-mix.js';

/** Default synthetic duration when neither --duration nor --num-requests is given. */
export const DEFAULT_SYNTHETIC_DURATION = 1000;

export function loadRequests(config: SimulationConfig): Request[] {
  const tiers = config.tierDeadlines.length;
  if (config.tierMix !== undefined && config.tierMix.length > tiers) {
    throw new InputError(
      `--tier-mix gives ${config.tierMix.length} tiers but --tier-deadlines only ${tiers} (${config.tierDeadlines.join(', ')} s)`,
    );
  }
  const loaded = loadWorkload(config);
  const requests =
    config.tierMix !== undefined ? assignTiers(loaded, config.tierMix, new Rng(config.seed).fork('tiers')) : loaded;
  const uncovered = requests.find((r) => r.tier !== undefined && r.tier >= tiers);
  if (uncovered !== undefined) {
    throw new InputError(
      `request ${uncovered.id} has tier ${uncovered.tier}, but --tier-deadlines gives ${tiers} tier deadlines (${config.tierDeadlines.join(', ')} s); add one per tier`,
    );
  }
  return requests;
}

function loadWorkload(config: SimulationConfig): Request[] {
  const rng = new Rng(config.seed).fork('workload');
  if (config.trace !== undefined) {
    const rows = readTraceFile(resolveDataPath(config.trace), { requireArrivals: true });
    const requests = replayTrace({
      rows,
      timeScale: config.traceTimeScale,
      maxTokens: config.maxTokens,
      duration: config.duration ?? Number.POSITIVE_INFINITY,
    });
    return config.numRequests !== undefined ? requests.slice(0, config.numRequests) : requests;
  }
  if (config.clients !== undefined) {
    const needsTrace = config.clients.some((c) => c.lengths === 'trace');
    return generateMultiClient(
      {
        clients: config.clients,
        duration: config.duration ?? DEFAULT_SYNTHETIC_DURATION,
        count: config.numRequests,
        maxTokens: config.maxTokens,
        traceRows: needsTrace
          ? readTraceFile(resolveDataPath(config.lengthsTrace), { requireArrivals: false })
          : undefined,
      },
      rng,
    );
  }
  const traceRows =
    config.lengthGenerator === 'trace'
      ? readTraceFile(resolveDataPath(config.lengthsTrace), { requireArrivals: false })
      : undefined;
  return generateSynthetic(
    {
      intervals: { kind: config.intervalGenerator, qps: config.qps, gammaCv: config.gammaCv },
      lengths: {
        kind: config.lengthGenerator,
        maxTokens: config.maxTokens,
        traceRows,
        prefillScale: config.prefillScale,
        decodeScale: config.decodeScale,
        prefillTokens: config.prefillTokens,
        decodeTokens: config.decodeTokens,
        minTotalTokens: config.minTotalTokens,
        maxTotalTokens: config.maxTotalTokens,
        prefillToDecodeRatio: config.prefillToDecodeRatio,
        zipfTheta: config.zipfTheta,
      },
      duration: config.duration ?? (config.numRequests === undefined ? DEFAULT_SYNTHETIC_DURATION : undefined),
      count: config.numRequests,
    },
    rng,
  );
}

export function planMemory(config: SimulationConfig): MemoryPlan {
  return planKvMemory({
    model: MODELS[config.model],
    device: DEVICES[config.device],
    tensorParallel: config.tp,
    memoryMarginFraction: config.memoryMarginFraction,
    blockSize: config.blockSize,
    maxRequestTokens: config.maxTokens,
  });
}

export function buildExecutionModel(config: SimulationConfig): ExecutionTimeModel {
  return createExecutionModel({
    kind: config.executionModel,
    model: MODELS[config.model],
    device: DEVICES[config.device],
    tensorParallel: config.tp,
    profilesDir: config.profiles !== undefined ? resolveDataPath(config.profiles) : undefined,
  });
}

export interface BuildOptions {
  /** Use these requests instead of the config's workload. */
  readonly requests?: readonly Request[];
  readonly executionModel?: ExecutionTimeModel;
  readonly autoscaling?: AutoscalingOptions;
  readonly observers?: readonly SimulationObserver[];
  readonly onProgress?: SimulationSetup['onProgress'];
  /** Use this router factory instead of the config's `globalScheduler` (see `loadRouterModule`). */
  readonly makeRouter?: SimulationSetup['makeRouter'];
  /** Use this class instead of the config's `replicaScheduler`, given the options of the engine policy it extends (see `loadReplicaSchedulerClass`). */
  readonly replicaSchedulerClass?: ReplicaSchedulerClass;
  /** Use this factory instead (it binds whatever options its scheduler needs itself). */
  readonly makeReplicaScheduler?: ReplicaSchedulerFactory;
}

/** The replica-scheduler factory of a run: the given factory, a loaded class, or the config's policy, with options bound from `config`. */
export function replicaSchedulerFactoryOf(
  config: SimulationConfig,
  options: BuildOptions = {},
): ReplicaSchedulerFactory {
  if (options.makeReplicaScheduler !== undefined) return options.makeReplicaScheduler;
  if (options.replicaSchedulerClass !== undefined)
    return moduleReplicaSchedulerFactory(options.replicaSchedulerClass, config);
  return replicaSchedulerFactory(config.replicaScheduler, config);
}

export function buildSimulation(config: SimulationConfig, options: BuildOptions = {}): SimulationSetup {
  const plan = config.numBlocks === undefined ? planMemory(config) : undefined;
  return {
    requests: options.requests ?? loadRequests(config),
    initialReplicas: config.replicas,
    kvCache: {
      numBlocks: config.numBlocks ?? plan!.numBlocks,
      blockSize: config.blockSize,
      watermarkFraction: config.watermarkFraction,
    },
    limits: {
      batchSizeCap: config.batchSizeCap,
      maxTokensInBatch: config.maxTokensInBatch,
      chunkSize: config.chunkSize,
      maxRequestTokens: config.maxTokens,
    },
    makeRouter: options.makeRouter ?? ROUTERS[config.globalScheduler],
    makeReplicaScheduler: replicaSchedulerFactoryOf(config, options),
    executionModel: options.executionModel ?? buildExecutionModel(config),
    seed: config.seed,
    timeLimit: config.timeLimit,
    costPerReplicaHour: costPerReplicaHour(config),
    ...(config.replicaMix !== undefined ? { replicaKinds: replicaKinds(config, options) } : {}),
    autoscaling: options.autoscaling,
    observers: options.observers,
    onProgress: options.onProgress,
    fastForward: config.fastForward,
    guardDecodeTokens: config.guardDecodeTokens,
    clientWeights: config.clientWeights,
  };
}

/**
 * `--replica-mix`: each entry's own memory plan (unless --num-blocks fixes it for all), execution-time
 * model and price; entries alike share one model. A given `executionModel` option is the model of
 * the entries with the config's own device and TP (the CLI builds that one to name it).
 */
function replicaKinds(config: SimulationConfig, options: BuildOptions): ReplicaKind[] {
  const byLabel = new Map<string, ReplicaKind>();
  return config.replicaMix!.map((spec) => {
    const label = replicaKindLabel(spec);
    let kind = byLabel.get(label);
    if (kind === undefined) {
      const own: SimulationConfig = { ...config, device: spec.device, tp: spec.tp };
      kind = {
        label,
        numBlocks: config.numBlocks ?? planMemory(own).numBlocks,
        executionModel:
          options.executionModel !== undefined && spec.device === config.device && spec.tp === config.tp
            ? options.executionModel
            : buildExecutionModel(own),
        costPerReplicaHour: costPerReplicaHour(own),
      };
      byLabel.set(label, kind);
    }
    return kind;
  });
}

/** Dollars per replica-hour: the GPU-hour price times the GPUs of a replica. */
export function costPerReplicaHour(config: SimulationConfig): number {
  return (config.costPerGpuHour ?? DEVICES[config.device].costPerGpuHour) * config.tp;
}

/** The config's scaling limits around an autoscaler policy (`--autoscaler-module`). */
export function autoscalingOptions(config: SimulationConfig, policy: AutoscalingOptions['policy']): AutoscalingOptions {
  if (config.minReplicas > config.maxReplicas)
    throw new InputError(`--min-replicas (${config.minReplicas}) is above --max-replicas (${config.maxReplicas})`);
  if (config.replicas < config.minReplicas || config.replicas > config.maxReplicas) {
    throw new InputError(
      `--replicas (${config.replicas}) must lie between --min-replicas (${config.minReplicas}) and --max-replicas (${config.maxReplicas}) with an autoscaler`,
    );
  }
  return {
    policy,
    scaleUpDelay: config.scaleUpDelay,
    scaleDownDelay: config.scaleDownDelay,
    minReplicas: config.minReplicas,
    maxReplicas: config.maxReplicas,
  };
}
