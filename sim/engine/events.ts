/** The events of a simulation, a union keyed by `kind`; the simulator handles them in one exhaustive switch. */
import type { Batch } from '../entities/batch.js';

/**
 * Events that go through the queue. Arrivals are not among them: `Simulator.run` merges them in from
 * the sorted requests (one object fewer per request), and counts them under the kind 'arrival'.
 */
export type SimEvent =
  | { readonly kind: 'globalSchedule' }
  | { readonly kind: 'replicaSchedule'; readonly replicaId: number }
  | BatchEndEvent
  | { readonly kind: 'autoscalerTune' }
  | { readonly kind: 'scaleUp' }
  | { readonly kind: 'scaleDown' };

/**
 * The end of a batch, or of a decode run: `steps` back-to-back iterations of the same batch whose
 * end times are `ends[0..steps-1]` and durations `durations[0..steps-1]`. A run cut short by an
 * arrival is replaced by a new event and this one is marked `cancelled`.
 */
export interface BatchEndEvent {
  readonly kind: 'batchEnd';
  readonly batch: Batch;
  readonly steps: number;
  readonly ends?: Float64Array;
  readonly durations?: Float64Array;
  cancelled?: boolean;
}

export type SimEventKind = 'arrival' | SimEvent['kind'];

export const GLOBAL_SCHEDULE: SimEvent = { kind: 'globalSchedule' };
export const AUTOSCALER_TUNE: SimEvent = { kind: 'autoscalerTune' };
export const SCALE_UP: SimEvent = { kind: 'scaleUp' };
export const SCALE_DOWN: SimEvent = { kind: 'scaleDown' };
