/**
 * The simulation config: one flat zod schema, the only source of the config's type. Every field has
 * a default (or is optional) and a description; the CLI derives its flags and `--help` from here.
 */
import { z } from 'zod';
import { DeviceName } from '../catalog/devices.js';
import { InputError } from '../errors.js';
import { ModelName } from '../catalog/models.js';
import { ReplicaSchedulerName } from '../policies/replica/registry.js';
import { PREEMPTION_MODES, SWAP_POOL_FULL_CHOICES } from '../policies/replica/vllm-v0-step-scheduler.js';
import { DEFAULT_SWAP_COPY_OVERHEAD_SECONDS } from '../memory/swap-cost.js';
import { RouterName } from '../policies/router/registry.js';
import { ClientsField, ClientWeightsField, numberListField } from '../workload/multi-client.js';
import { TierMixField } from '../workload/sla-tiers.js';
import { ReplicaMixField } from './replica-mix.js';
import { DEFAULT_DEADLINE_OPTIONS as DEADLINE } from '../policies/replica/deadline/deadline-options.js';

const positiveInt = z.number().int().positive();
const nonNegative = z.number().nonnegative();
const fraction = z.number().min(0).max(1);

export const CONFIG_SECTIONS = {
  cluster: 'Cluster and schedulers',
  workload: 'Workload',
  run: 'Run and output',
} as const;
export type ConfigSection = keyof typeof CONFIG_SECTIONS;

export const SimulationConfig = z
  .object({
    // --- cluster -------------------------------------------------------------------------
    replicas: positiveInt.default(4).describe('Number of replicas at the start'),
    model: ModelName.default('llama-2-7b').describe('Model served by every replica'),
    device: DeviceName.default('a100').describe('GPU type'),
    tp: positiveInt.default(1).describe('Tensor-parallel degree (GPUs per replica)'),
    replicaMix: ReplicaMixField.optional().describe(
      'Unequal replicas: device[/tpN] per replica, e.g. "a100,a100,h100,a100-40gb/tp2"; replica id i gets entry i mod n (added replicas too), each with its own memory plan, execution model and price (default: every replica is --device with --tp)',
    ),
    globalScheduler: RouterName.default('lor').describe('Router that assigns requests to replicas'),
    replicaScheduler: ReplicaSchedulerName.default('vllm').describe('Batching policy inside each replica'),
    batchSizeCap: positiveInt.default(128).describe('Most requests holding KV blocks per replica'),
    maxTokensInBatch: positiveInt
      .default(4096)
      .describe('vllm: padded token limit of a prefill batch (requests × longest prompt)'),
    chunkSize: positiveInt.default(512).describe('sarathi: token budget of one iteration'),
    blockSize: positiveInt.default(16).describe('Tokens per KV-cache block'),
    watermarkFraction: fraction.default(0.01).describe('Share of KV blocks kept free when admitting requests'),
    memoryMarginFraction: fraction
      .default(0.1)
      .describe('Share of GPU memory reserved for activations and the runtime'),
    numBlocks: positiveInt.optional().describe('KV blocks per replica; overrides the memory planner'),
    executionModel: z
      .enum(['auto', 'fitted', 'profiles', 'roofline'])
      .default('auto')
      .describe(
        'Batch-time model: fitted profile tables, raw profiles (--profiles), roofline, or auto (fitted if available)',
      ),
    profiles: z.string().optional().describe('Vidur-format profiling directory (for --execution-model profiles)'),
    routerModule: z
      .string()
      .optional()
      .describe(
        'A .ts/.js file exporting a Router subclass to use instead of --global-scheduler (e.g. starter/routing/ai-router.ts)',
      ),
    replicaSchedulerModule: z
      .string()
      .optional()
      .describe(
        'A .ts/.js file exporting a ReplicaScheduler subclass to use instead of --replica-scheduler (e.g. starter/fairness/vtc-replica-scheduler.ts); "" unsets one a --config file gives',
      ),
    autoscalerModule: z
      .string()
      .optional()
      .describe(
        'A .ts/.js file exporting an autoscaler class (a `tune` method; e.g. starter/autoscaling/custom-autoscaler.ts) to scale the cluster while it runs',
      ),
    autoscalerArgs: z
      .string()
      .optional()
      .describe(
        '--autoscaler-module: constructor arguments as JSON, e.g. "2" (a service level) or "[{"tuneInterval":5}]" (default: none)',
      ),
    scaleUpDelay: nonNegative
      .default(10)
      .describe('--autoscaler-module: seconds before a requested replica serves (provisioning; free until then)'),
    scaleDownDelay: nonNegative
      .default(0)
      .describe('--autoscaler-module: seconds between a scale-down decision and its execution'),
    minReplicas: positiveInt.default(1).describe('--autoscaler-module: fewest replicas'),
    maxReplicas: positiveInt.default(64).describe('--autoscaler-module: most replicas'),
    guardDecodeTokens: z
      .boolean()
      .default(false)
      .describe("Lab mode: routers that read a request's decode length get an error"),
    swapSpace: nonNegative
      .default(4)
      .describe(
        "vllm-v0: CPU swap space per GPU, GiB (vLLM's swap_space); the pool holds swapSpace / block bytes per GPU blocks",
      ),
    swapBandwidth: z
      .number()
      .positive()
      .optional()
      .describe("vllm-v0: host-device GB/s per GPU for KV swaps (default: the device catalog's PCIe figure)"),
    swapCopyOverhead: nonNegative
      .default(DEFAULT_SWAP_COPY_OVERHEAD_SECONDS * 1e6)
      .describe(
        'vllm-v0: fixed cost of each host-device copy of a swap, microseconds; vLLM V0 copies each block per layer, K and V apart (2 × layers copies per block; sim/memory/swap-cost.ts)',
      ),
    preemptionMode: z
      .enum(PREEMPTION_MODES)
      .default('recompute')
      .describe('vllm-v0: preempted requests free GPU blocks by recompute or by swapping to the CPU pool'),
    swapPoolFull: z
      .enum(SWAP_POOL_FULL_CHOICES)
      .default('raise')
      .describe(
        'vllm-v0: when a swap finds the CPU pool full, raise (stop the run, as vLLM V0 does) or recompute the victim; a scheduler module may decide in onSwapPoolFull()',
      ),
    cfsInterval: z
      .number()
      .int()
      .nonnegative()
      .default(0)
      .describe('vllm-v0 with a CFS scheduler module (labs/cfs): the CFS step every N-th step; 0 = FCFS'),
    tierDeadlines: numberListField(z.number().positive())
      .default([...DEADLINE.tierDeadlines])
      .describe(
        'Deadline schedulers: per SLA tier, seconds after arrival: tier 0 TTFT, tiers ≥ 1 last token (e.g. "6,600,1800")',
      ),
    interactiveTbt: z
      .number()
      .positive()
      .default(DEADLINE.interactiveTbt)
      .describe('Deadline schedulers: time-between-tokens target of tier 0, seconds'),
    batchTbt: z
      .number()
      .positive()
      .default(DEADLINE.batchTbt)
      .describe('Deadline schedulers: time-between-tokens target of batch tiers, seconds'),
    outputLenPrediction: z
      .number()
      .int()
      .nonnegative()
      .default(DEADLINE.outputLenPrediction)
      .describe(
        "Deadline schedulers: output tokens assumed when a batch tier's last-token deadline becomes a TTFT deadline",
      ),
    hybridAlpha: z
      .number()
      .default(DEADLINE.hybridAlpha)
      .describe('Deadline schedulers: seconds of priority per remaining prompt token (hybrid priority)'),
    costPerGpuHour: nonNegative.optional().describe('Dollars per GPU-hour (default: the device catalog value)'),
    // --- workload ------------------------------------------------------------------------
    trace: z
      .string()
      .optional()
      .describe('Replay this trace CSV (arrived_at,num_prefill_tokens,num_decode_tokens[,client_id])'),
    traceTimeScale: z.number().positive().default(1).describe('Multiply replayed arrival times by this factor'),
    lengthsTrace: z.string().default('traces/conv.csv').describe('Synthetic runs: sample lengths from this trace CSV'),
    lengthGenerator: z
      .enum(['trace', 'uniform', 'zipf', 'fixed'])
      .default('trace')
      .describe('Synthetic request lengths'),
    intervalGenerator: z
      .enum(['poisson', 'gamma', 'fixed'])
      .default('poisson')
      .describe('Synthetic inter-arrival times'),
    qps: z.number().positive().default(2).describe('Synthetic arrival rate, requests per second'),
    gammaCv: z.number().positive().default(1).describe('Coefficient of variation of gamma inter-arrival times'),
    duration: z
      .number()
      .positive()
      .optional()
      .describe('Keep arrivals before this time, seconds (synthetic default 1000)'),
    numRequests: positiveInt.optional().describe('Stop after this many requests'),
    maxTokens: positiveInt.default(4096).describe('Clip prompt + output tokens to this total'),
    prefillTokens: positiveInt.default(2048).describe('fixed lengths: prompt tokens'),
    decodeTokens: positiveInt.default(512).describe('fixed lengths: output tokens'),
    minTotalTokens: z.number().int().min(2).default(64).describe('uniform/zipf lengths: shortest total'),
    maxTotalTokens: z.number().int().min(2).default(4096).describe('uniform/zipf lengths: longest total'),
    prefillToDecodeRatio: z.number().positive().default(4).describe('uniform/zipf lengths: prompt:output ratio'),
    zipfTheta: z.number().positive().default(0.99).describe('zipf lengths: skew'),
    prefillScale: z.number().positive().default(1).describe('trace lengths: multiply prompt lengths'),
    decodeScale: z.number().positive().default(1).describe('trace lengths: multiply output lengths'),
    clients: ClientsField.optional().describe(
      'Multi-client synthetic workload, one spec per client (replaces --qps): "qps=1.5;qps=3,prefill=512,decode=32,on=60,off=60"; ' +
        'fields client, qps, arrivals (poisson|uniform|gamma), cv, lengths (fixed|trace), prefill, decode, prefillMax, decodeMax, start, end, on, off (sim/workload/multi-client.ts)',
    ),
    tierMix: TierMixField.optional().describe(
      'SLA tiers: weight of each tier for requests without a trace tier, e.g. "1,1,1" (seeded draw)',
    ),
    clientWeights: ClientWeightsField.optional().describe(
      'Fair schedulers: weight of each client id, e.g. "1,2,3,4" (clients not listed weigh 1)',
    ),
    // --- run -----------------------------------------------------------------------------
    seed: z.number().int().default(42).describe('Seed of every random draw'),
    timeLimit: z.number().positive().optional().describe('Stop the simulation at this simulated time, seconds'),
    name: z
      .string()
      .regex(/^[\w.-]+$/, 'use letters, digits, ".", "_" or "-"')
      .optional()
      .describe('Run name (default: model_scheduler_router)'),
    outputDir: z.string().optional().describe('Write the run files directly into this directory'),
    resultsRoot: z.string().default('simulator_results').describe('Parent of simulator_results/<name>/<timestamp>/'),
    progress: z.enum(['auto', 'on', 'off']).default('auto').describe('Progress bar: auto shows it on a terminal'),
    plots: z
      .string()
      .optional()
      .describe(
        'Write SVG plots, each with its CSV, into this directory: TTFT/TPOT/e2e CDFs, TTFT/TPOT per request, KV and swap usage, replicas, P90 and cost over time, per-client service (sim/report/run-plots.ts)',
      ),
    writeOutputs: z.boolean().default(true).describe('Write request_metrics.csv, config.json and summary.json'),
    cfsIntervalSweep: z
      .string()
      .regex(/^\d+(,\d+)*$/, 'a comma-separated list of intervals, e.g. "0,5,10,20,40"')
      .optional()
      .describe(
        'vllm-v0: run once per CFS interval (e.g. "0,5,10,20,40") and print P99 TTFT/TPOT and KV usage per interval',
      ),
    capacitySearch: z
      .string()
      .regex(/^\d+(\.\d+)?,\d+(\.\d+)?$/, 'two rates "low,high" in requests per second, e.g. "1,8"')
      .optional()
      .describe(
        'Deadline runs: find the highest QPS whose worst tier misses ≤ 1% of deadlines, searching from "low,high" (sim/analysis/capacity.ts)',
      ),
    capacitySteps: positiveInt.default(6).describe('--capacity-search: bisection steps after the bracket is found'),
    timeline: z
      .string()
      .min(1)
      .optional()
      .describe(
        'Write the run as Chrome trace-event JSON to this file (open in ui.perfetto.dev or chrome://tracing; see README "Timelines")',
      ),
    timelineWindow: z
      .string()
      .regex(/^\d+(\.\d+)?,\d+(\.\d+)?$/, 'two simulated times "START,END" in seconds, e.g. "100,160"')
      .optional()
      .describe(
        '--timeline: keep only what happens between START and END simulated seconds (flows of requests arriving in it)',
      ),
    timelineMaxMb: z
      .number()
      .positive()
      .default(64)
      .describe('--timeline: stop adding events once the file reaches this many MiB (the file says where it stopped)'),
    fastForward: z
      .boolean()
      .default(true)
      .describe(
        'Run steady decode iterations back to back in one event (identical results; --no-fast-forward steps one at a time)',
      ),
  })
  .strict();

export type SimulationConfig = z.infer<typeof SimulationConfig>;
export type SimulationConfigInput = z.input<typeof SimulationConfig>;

export const FIELD_SECTIONS: Readonly<Record<keyof SimulationConfig, ConfigSection>> = {
  replicas: 'cluster',
  model: 'cluster',
  device: 'cluster',
  tp: 'cluster',
  replicaMix: 'cluster',
  globalScheduler: 'cluster',
  replicaScheduler: 'cluster',
  batchSizeCap: 'cluster',
  maxTokensInBatch: 'cluster',
  chunkSize: 'cluster',
  blockSize: 'cluster',
  watermarkFraction: 'cluster',
  memoryMarginFraction: 'cluster',
  numBlocks: 'cluster',
  executionModel: 'cluster',
  profiles: 'cluster',
  routerModule: 'cluster',
  replicaSchedulerModule: 'cluster',
  autoscalerModule: 'cluster',
  autoscalerArgs: 'cluster',
  scaleUpDelay: 'cluster',
  scaleDownDelay: 'cluster',
  minReplicas: 'cluster',
  maxReplicas: 'cluster',
  guardDecodeTokens: 'cluster',
  costPerGpuHour: 'cluster',
  swapSpace: 'cluster',
  swapBandwidth: 'cluster',
  swapCopyOverhead: 'cluster',
  preemptionMode: 'cluster',
  swapPoolFull: 'cluster',
  cfsInterval: 'cluster',
  tierDeadlines: 'cluster',
  interactiveTbt: 'cluster',
  batchTbt: 'cluster',
  outputLenPrediction: 'cluster',
  hybridAlpha: 'cluster',
  trace: 'workload',
  traceTimeScale: 'workload',
  lengthsTrace: 'workload',
  lengthGenerator: 'workload',
  intervalGenerator: 'workload',
  qps: 'workload',
  gammaCv: 'workload',
  duration: 'workload',
  numRequests: 'workload',
  maxTokens: 'workload',
  prefillTokens: 'workload',
  decodeTokens: 'workload',
  minTotalTokens: 'workload',
  maxTotalTokens: 'workload',
  prefillToDecodeRatio: 'workload',
  zipfTheta: 'workload',
  prefillScale: 'workload',
  decodeScale: 'workload',
  clients: 'workload',
  clientWeights: 'workload',
  tierMix: 'workload',
  seed: 'run',
  timeLimit: 'run',
  name: 'run',
  outputDir: 'run',
  plots: 'run',
  resultsRoot: 'run',
  progress: 'run',
  writeOutputs: 'run',
  fastForward: 'run',
  timeline: 'run',
  timelineWindow: 'run',
  timelineMaxMb: 'run',
  cfsIntervalSweep: 'run',
  capacitySearch: 'run',
  capacitySteps: 'run',
};

export class ConfigError extends InputError {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Validates a config object; errors name each bad field, what it got and why. */
export function parseConfig(input: unknown, source = 'config'): SimulationConfig {
  const result = SimulationConfig.safeParse(input);
  if (result.success) return Object.freeze(result.data);
  const lines = result.error.issues.map((issue) => {
    const field = issue.path.join('.') || '(root)';
    const keys = issue.code === 'unrecognized_keys' ? ` (${issue.keys.join(', ')}; run with --help for the list)` : '';
    return `  ${field}: ${issue.message}${keys}`;
  });
  throw new ConfigError(`invalid ${source}:\n${lines.join('\n')}`);
}
