/**
 * Autoscaling lab, parts 2.3–2.5: InferLine's tuner for LLM tokens (labs/autoscaling/README.md).
 *
 * The engine calls `onRequestArrival` for every request, `onBatchEnd` for every batch a replica
 * finishes, and `tune(now, state)` every `tuneInterval` seconds. `tune` returns how many replicas to add
 * (> 0) or remove (< 0). The engine keeps the counts of scale-ups still provisioning and scale-downs not
 * yet done and passes them in `state`; do not keep your own copy (they would be counted twice).
 */
import type { Batch } from '../../sim/entities/batch.js';
import type { Autoscaler, ScalingState } from '../../sim/policies/autoscaler/autoscaler.js';
import { NetworkEnvelope, type ArrivingRequest } from './network-envelope.js';

export interface InferlineConfig {
  /** Seconds between tune() calls (1–60). */
  readonly tuneInterval: number;
  /** Scale-up: largest token rate over windows of this many seconds... */
  readonly minWindowSizeScaleUp: number;
  /** ...within the last this many seconds. */
  readonly lookBackTimeScaleUp: number;
  readonly minWindowSizeScaleDown: number;
  readonly lookBackTimeScaleDown: number;
  /** Seconds after the last scale-up during which no scale-down happens. */
  readonly stabilizationDelay: number;
  /** Replica token throughput (tokens/s) before the first batch ends. */
  readonly initialReplicaTokenThroughput: number;
  /** Weight of the newest batch in the throughput average (0 < α ≤ 1). */
  readonly throughputAlpha: number;
  /** Targets are clamped to [minReplicas, maxReplicas] (1 ≤ min ≤ max ≤ 64). */
  readonly minReplicas: number;
  readonly maxReplicas: number;
}

/** The course lab's defaults. */
export const DEFAULT_INFERLINE_CONFIG: InferlineConfig = {
  tuneInterval: 5,
  minWindowSizeScaleUp: 20,
  lookBackTimeScaleUp: 80,
  minWindowSizeScaleDown: 20,
  lookBackTimeScaleDown: 80,
  stabilizationDelay: 10,
  initialReplicaTokenThroughput: 1,
  throughputAlpha: 0.5,
  minReplicas: 1,
  maxReplicas: 64,
};

/** Part 2.5 (3 points): tune these values; the grader runs your autoscaler with them on hidden traces. */
export const INFERLINE_CONFIG: InferlineConfig = {
  ...DEFAULT_INFERLINE_CONFIG,
};

/** The envelope as the autoscaler uses it (the grader may pass a stand-in to test tune() alone). */
export interface TrafficEnvelope {
  onRequestArrival(request: ArrivingRequest): void;
  getMaxRequestRate(time: number, windowSize: number, lookBackTime: number): number;
}

export class InferlineAutoscaler implements Autoscaler {
  readonly config: InferlineConfig;
  readonly tuneInterval: number;
  protected readonly envelope: TrafficEnvelope;
  /** μ: the replica token throughput estimate, tokens/s. */
  protected throughput: number;

  constructor(config: InferlineConfig = INFERLINE_CONFIG, envelope: TrafficEnvelope = new NetworkEnvelope()) {
    this.config = config;
    this.tuneInterval = config.tuneInterval;
    this.envelope = envelope;
    this.throughput = config.initialReplicaTokenThroughput;
  }

  /** Current estimate of one replica's token throughput, tokens/s (read by the grader). */
  get replicaTokenThroughput(): number {
    return this.throughput;
  }

  /** Part 2.4: every arriving request goes into the envelope. */
  onRequestArrival(_request: ArrivingRequest): void {
    throw new Error(
      'not implemented: InferlineAutoscaler.onRequestArrival in starter/autoscaling/inferline-autoscaler.ts',
    );
  }

  /**
   * Part 2.3 (1 point): μ ← α · (tokens of the batch / (completedAt − scheduledAt)) + (1 − α) · μ,
   * with α = config.throughputAlpha. `batch.totalTokens` counts the tokens the batch computed.
   * `batch.completedAt` and `batch.scheduledAt` are typed `number | undefined` but always set here:
   * write `batch.completedAt! - batch.scheduledAt!`.
   */
  onBatchEnd(_batch: Batch): void {
    throw new Error('not implemented: InferlineAutoscaler.onBatchEnd in starter/autoscaling/inferline-autoscaler.ts');
  }

  /**
   * Part 2.4 (2 points). With target(r) = ceil(r / μ) clamped to [minReplicas, maxReplicas] and
   * effective = numReplicas + pendingScaleUps − pendingScaleDowns:
   * 1. μ ≤ 0: return 0;
   * 2. up = target(R(now, minWindowSizeScaleUp, lookBackTimeScaleUp)); if up > effective, remember
   *    now as the last scale-up and return up − effective;
   * 3. within stabilizationDelay seconds of the last scale-up (none yet: never), return 0;
   * 4. down = target(R(now, minWindowSizeScaleDown, lookBackTimeScaleDown)); return down − effective
   *    if that is negative, else 0.
   */
  tune(_now: number, _state: ScalingState): number {
    throw new Error('not implemented: InferlineAutoscaler.tune in starter/autoscaling/inferline-autoscaler.ts');
  }
}
