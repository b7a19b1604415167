/**
 * The benchmark cases of `npm run bench`. Each runs in its own process so peak memory is its own.
 * (a) is the fidelity benchmark (Vidur's requests replayed when ../shared is present); (b) and (c)
 * scale it out at the same load per replica (0.5 QPS), with round-robin routing so every replica works;
 * (d) is one probe of the deadline lab's capacity search, the unit of its grading cost; (e) and (f)
 * are (a) and (b) with a timeline: the whole run, and a 60-second window of the 100k run.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { SimulationConfigInput } from '../sim/config/schema.js';
import { VIDUR_DATA } from './vidur-data.js';
import type { TimelineOptions } from '../sim/metrics/timeline/index.js';

const VIDUR_REQUESTS = join(VIDUR_DATA, 'ground-truth', 'benchmark.requests.csv');

export interface BenchCase {
  readonly name: string;
  readonly description: string;
  readonly config: SimulationConfigInput;
  /** Goal for the simulation wall time, seconds, and peak memory, MiB (undefined: none). */
  readonly goalSeconds?: number;
  readonly goalMiB?: number;
  /** Record a timeline (`--timeline`) with these options; its size and the time to write it are reported. */
  readonly timeline?: TimelineOptions;
}

const common = {
  model: 'llama-2-7b',
  device: 'a100',
  tp: 1,
  replicaScheduler: 'vllm',
  writeOutputs: false,
  progress: 'off',
} as const;

export const BENCH_CASES: readonly BenchCase[] = [
  {
    name: 'a-fidelity-benchmark',
    description: existsSync(VIDUR_REQUESTS)
      ? "Vidur's 2,072 benchmark requests replayed, 4 replicas, lor, 1000 s limit"
      : 'Poisson 2 QPS for 1000 s (conv-like lengths), 4 replicas, lor (../shared absent, so no replay)',
    config: existsSync(VIDUR_REQUESTS)
      ? { ...common, replicas: 4, globalScheduler: 'lor', trace: VIDUR_REQUESTS, timeLimit: 1000 }
      : { ...common, replicas: 4, globalScheduler: 'lor', qps: 2, duration: 1000, timeLimit: 1000 },
    goalSeconds: 0.3,
  },
  {
    name: 'b-100k-16-replicas',
    description: '100,000 requests, Poisson 8 QPS (0.5 per replica), conv-like lengths, 16 replicas, round robin',
    config: { ...common, replicas: 16, globalScheduler: 'round_robin', qps: 8, numRequests: 100_000 },
  },
  {
    name: 'c-1m-64-replicas',
    description: '1,000,000 requests, Poisson 32 QPS (0.5 per replica), conv-like lengths, 64 replicas, round robin',
    config: { ...common, replicas: 64, globalScheduler: 'round_robin', qps: 32, numRequests: 1_000_000 },
    goalSeconds: 30,
    goalMiB: 2048,
  },
  {
    name: 'd-deadline-probe',
    description:
      "one capacity probe of the deadline lab: 2,048 tiered requests at 10 QPS on traces/deadline-lab.json's server, sarathi-edf, no fast-forward",
    config: {
      model: 'llama-3-8b',
      device: 'a100',
      tp: 1,
      replicas: 1,
      executionModel: 'roofline',
      replicaScheduler: 'sarathi-edf',
      chunkSize: 256,
      tierMix: [1, 1, 1],
      tierDeadlines: [6, 60, 180],
      hybridAlpha: 0.0008,
      outputLenPrediction: 50,
      qps: 10,
      numRequests: 2048,
      fastForward: false,
      writeOutputs: false,
      progress: 'off',
    },
    // A lab grading runs ~70 such probes (capacity searches of four policies on two workloads).
    goalSeconds: 1.5,
  },
  {
    name: 'e-fidelity-timeline',
    description: '(a) with a timeline of the whole run (every iteration recorded, so no decode fast path)',
    config: existsSync(VIDUR_REQUESTS)
      ? { ...common, replicas: 4, globalScheduler: 'lor', trace: VIDUR_REQUESTS, timeLimit: 1000 }
      : { ...common, replicas: 4, globalScheduler: 'lor', qps: 2, duration: 1000, timeLimit: 1000 },
    timeline: {},
  },
  {
    name: 'f-100k-timeline-window',
    description: '(b) with a timeline of the simulated minute 1000..1060 s (decode fast path kept outside it)',
    config: { ...common, replicas: 16, globalScheduler: 'round_robin', qps: 8, numRequests: 100_000 },
    timeline: { window: [1000, 1060] },
  },
];
