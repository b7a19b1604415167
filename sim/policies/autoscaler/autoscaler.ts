/**
 * The engine side of autoscaling. A policy sees arrivals and batch ends and, every `tuneInterval`
 * seconds, returns how many replicas to add (> 0) or remove (< 0). The engine keeps the pending
 * counts (scale-ups still provisioning, scale-downs not yet freed) and passes them in; a policy
 * must not keep its own copy, or it would count them twice.
 */
import type { Batch } from '../../entities/batch.js';
import type { RoutableRequest } from '../router/router.js';

export interface ScalingState {
  /** Replicas that exist now, including those marked for scale-down and not yet freed. */
  readonly numReplicas: number;
  /** Scale-ups requested and still provisioning. */
  readonly pendingScaleUps: number;
  /** Scale-downs requested and not yet freed (marked replicas count here until they drain). */
  readonly pendingScaleDowns: number;
}

/**
 * What an autoscaler sees of an arriving request: what a router sees plus the decode length. Load
 * estimates in tokens (the autoscaling lab's traffic envelope counts prompt + output tokens) need it;
 * the decode-length guard is for routers only.
 */
export type AutoscalerRequest = RoutableRequest & { readonly numDecodeTokens: number };

export interface Autoscaler {
  /** Seconds between `tune` calls. */
  readonly tuneInterval: number;
  onRequestArrival?(request: AutoscalerRequest, now: number): void;
  onBatchEnd?(batch: Batch, now: number): void;
  /** Replicas to add (positive) or remove (negative) now. */
  tune(now: number, state: ScalingState): number;
}

export interface AutoscalingOptions {
  readonly policy: Autoscaler;
  /** Provisioning time of a new replica, seconds. */
  readonly scaleUpDelay: number;
  /** Delay between a scale-down decision and its execution, seconds. */
  readonly scaleDownDelay: number;
  readonly minReplicas: number;
  readonly maxReplicas: number;
}
