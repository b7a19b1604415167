/**
 * Autoscaling lab, reference solution: a custom autoscaler with three service levels that trade cost
 * for latency, forming a Pareto front of (total cost, P90 e2e latency).
 *
 * It is InferLine's tuner (the envelope's peak token rate over the replica throughput) with two changes:
 *
 * 1. Capacity, not observed throughput. InferLine's moving average over every batch measures how fast
 *    replicas happen to work; at low load batches are small and slow per token, so it under-estimates
 *    what a replica can do and over-provisions. Here the average only takes batches carrying at least
 *    3/4 of the 4,096-token batch limit (a replica working near capacity), starting from 5,000 tokens/s
 *    (what a full batch of 16 × 256-token prompts reaches on this cluster, measured once).
 * 2. A target utilisation per service level: replicas = ceil(peak rate / (capacity × utilisation)).
 *    Level 1 runs replicas at their capacity (cheapest, P90 about 0.25–0.3 s), level 3 at 60% (about a
 *    third more replicas, P90 about 0.1 s), level 2 in between. Below ~100% utilisation the queueing
 *    delay falls steeply, so the three levels spread along the front rather than bunching up.
 *
 * On the shipped trace levels 1/2/3 cost $21/$25/$33 and reach P90 0.29/0.15/0.09 s (hypervolume 0.421
 * against $50 / 0.5 s). Over seven traces (the shipped shape and six of the hidden shapes) utilisations
 * anywhere from 0.95/0.75/0.55 to 1.0/0.85/0.65 give the same mean hypervolume within 0.5%; level 1
 * above 100% utilisation collapses (P90 of seconds).
 */
import type { Batch } from '../../sim/entities/batch.js';
import type { Autoscaler, ScalingState } from '../../sim/policies/autoscaler/autoscaler.js';
import { NetworkEnvelope, type ArrivingRequest } from './network-envelope.js';

export type ServiceLevel = 1 | 2 | 3;

/** Target utilisation of a replica's capacity per service level. */
const UTILISATION: Readonly<Record<ServiceLevel, number>> = { 1: 1.0, 2: 0.8, 3: 0.6 };
/** Batches with at least this many tokens show a replica's capacity (3/4 of the 4,096-token limit). */
const FULL_BATCH_TOKENS = 3072;
/** Capacity prior, tokens/s: a full batch on this cluster. */
const INITIAL_CAPACITY = 5000;
const CAPACITY_ALPHA = 0.5;

export class CustomAutoscaler implements Autoscaler {
  readonly tuneInterval = 5;
  readonly #envelope = new NetworkEnvelope();
  #utilisation = UTILISATION[1];
  #capacity = INITIAL_CAPACITY;
  #lastScaleUpAt = Number.NEGATIVE_INFINITY;
  // Scale up on 5 s windows seen over the last 80 s; scale down on 20 s windows over 3 minutes, and
  // not within 2 minutes of a scale-up (the tuned InferLine's settings).
  readonly #up = { windowSize: 5, lookBackTime: 80 };
  readonly #down = { windowSize: 20, lookBackTime: 180 };
  readonly #stabilizationDelay = 120;

  constructor(serviceLevel: ServiceLevel = 1) {
    this.initServiceLevel(serviceLevel);
  }

  initServiceLevel(serviceLevel: ServiceLevel): void {
    const u = UTILISATION[serviceLevel];
    if (u === undefined) throw new RangeError(`serviceLevel must be 1, 2 or 3, got ${String(serviceLevel)}`);
    this.#utilisation = u;
  }

  onRequestArrival(request: ArrivingRequest): void {
    this.#envelope.onRequestArrival(request);
  }

  onBatchEnd(batch: Batch): void {
    const tokens = batch.totalTokens;
    const elapsed = batch.completedAt! - batch.scheduledAt!;
    if (tokens < FULL_BATCH_TOKENS || !(elapsed > 0)) return;
    this.#capacity = CAPACITY_ALPHA * (tokens / elapsed) + (1 - CAPACITY_ALPHA) * this.#capacity;
  }

  tune(now: number, state: ScalingState): number {
    const perReplica = this.#capacity * this.#utilisation;
    const target = (rate: number) => Math.min(64, Math.max(1, Math.ceil(rate / perReplica)));
    const effective = state.numReplicas + state.pendingScaleUps - state.pendingScaleDowns;
    const up = target(this.#envelope.getMaxRequestRate(now, this.#up.windowSize, this.#up.lookBackTime));
    if (up > effective) {
      this.#lastScaleUpAt = now;
      return up - effective;
    }
    if (now - this.#lastScaleUpAt < this.#stabilizationDelay) return 0;
    const down = target(this.#envelope.getMaxRequestRate(now, this.#down.windowSize, this.#down.lookBackTime));
    return down < effective ? down - effective : 0;
  }
}
