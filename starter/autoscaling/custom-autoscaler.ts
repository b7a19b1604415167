/**
 * Autoscaling lab, part 3 (4.5 points): your own autoscaler with three service levels that trade cost
 * for latency (labs/autoscaling/README.md). The grader runs it at levels 1, 2 and 3 on hidden traces;
 * the three (total cost, P90 e2e latency) points form your Pareto front, scored by its hypervolume
 * against the reference solution's front.
 *
 * You may import your other lab files (e.g. the envelope) and anything from sim/. Keep the constructor's
 * signature; add whatever fields and settings you like. `tuneInterval` must be between 1 and 60 seconds.
 */
import type { Batch } from '../../sim/entities/batch.js';
import type { Autoscaler, ScalingState } from '../../sim/policies/autoscaler/autoscaler.js';
import type { ArrivingRequest } from './network-envelope.js';

/** 1: cheapest, 3: fastest. */
export type ServiceLevel = 1 | 2 | 3;

export class CustomAutoscaler implements Autoscaler {
  readonly tuneInterval: number = 5;

  constructor(serviceLevel: ServiceLevel = 1) {
    this.initServiceLevel(serviceLevel);
  }

  /** Sets this autoscaler up for a service level (called once, from the constructor). */
  initServiceLevel(_serviceLevel: ServiceLevel): void {
    throw new Error('not implemented: CustomAutoscaler.initServiceLevel in starter/autoscaling/custom-autoscaler.ts');
  }

  onRequestArrival(_request: ArrivingRequest): void {
    throw new Error('not implemented: CustomAutoscaler.onRequestArrival in starter/autoscaling/custom-autoscaler.ts');
  }

  onBatchEnd(_batch: Batch): void {
    throw new Error('not implemented: CustomAutoscaler.onBatchEnd in starter/autoscaling/custom-autoscaler.ts');
  }

  tune(_now: number, _state: ScalingState): number {
    throw new Error('not implemented: CustomAutoscaler.tune in starter/autoscaling/custom-autoscaler.ts');
  }
}
