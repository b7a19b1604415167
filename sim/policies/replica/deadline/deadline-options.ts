/**
 * Settings of the deadline-aware (Niyama-style) schedulers, with the research code's defaults
 * (microsoft/sarathi-serve branch `niyama_asplos2026`, `DeadlineSchedulerConfig` and `sequence.py`;
 * the Niyama paper, Goel et al., arXiv 2503.22562). Every replica of a run shares one copy.
 */
import { z } from 'zod';

const positive = z.number().positive();

export const DeadlineOptions = z
  .object({
    /** Tier 0: TTFT deadline; tiers ≥ 1: time-to-last-token deadline; seconds after arrival. */
    tierDeadlines: z.array(positive).min(1).default([6, 600, 1800]),
    /** Target time between tokens of interactive (tier 0) requests, seconds (`execution_threshold`). */
    interactiveTbt: positive.default(0.1),
    /** Target time between tokens of batch tiers, seconds (`execution_threshold_batched`). */
    batchTbt: positive.default(0.4),
    /** Output length assumed when a batch tier's TTLT deadline is turned into a TTFT deadline (`output_len_pred`). */
    outputLenPrediction: z.number().int().nonnegative().default(15),
    /** Weight of remaining prompt tokens in the hybrid priority, seconds per token (`hybrid_prioritization_param`). */
    hybridAlpha: z.number().default(0.008),
    /** Dynamic chunking accepts a size when safety × predicted batch time ≤ the smallest decode slack (`pred_thres`). */
    chunkSafetyFactor: positive.default(1.2),
    /** Prefill-throughput EMA: initial estimate (tokens/s) and decay per prefill batch. */
    throughputInit: positive.default(8500),
    throughputDecay: z.number().min(0).max(1).default(0.995),
    /** Refit the batch-time model after this many new recorded batches (0: never refit). */
    refitEvery: z.number().int().nonnegative().default(500),
    /** Most recorded batches kept for fitting (the newest). */
    maxSamples: z.number().int().positive().default(4000),
  })
  .strict();

export type DeadlineOptions = z.infer<typeof DeadlineOptions>;
export type DeadlineOptionsInput = z.input<typeof DeadlineOptions>;

export const DEFAULT_DEADLINE_OPTIONS: DeadlineOptions = DeadlineOptions.parse({});

/** The config fields `deadlineOptions` reads (the run's config has them all). */
export interface DeadlineSettings {
  readonly tierDeadlines: readonly number[];
  readonly interactiveTbt: number;
  readonly batchTbt: number;
  readonly outputLenPrediction: number;
  readonly hybridAlpha: number;
}

/** The deadline-scheduler options a config sets (the rest keep the research code's defaults). */
export function deadlineOptions(config: DeadlineSettings): DeadlineOptions {
  return DeadlineOptions.parse({
    tierDeadlines: config.tierDeadlines,
    interactiveTbt: config.interactiveTbt,
    batchTbt: config.batchTbt,
    outputLenPrediction: config.outputLenPrediction,
    hybridAlpha: config.hybridAlpha,
  });
}
