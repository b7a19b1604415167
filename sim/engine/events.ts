/** The events of a simulation, a union keyed by `kind`; the simulator handles them in one exhaustive switch. */
import type { Batch } from '../entities/batch.js';
import type { Request } from '../entities/request.js';

export type SimEvent =
  | { readonly kind: 'arrival'; readonly request: Request }
  | { readonly kind: 'globalSchedule' }
  | { readonly kind: 'replicaSchedule'; readonly replicaId: number }
  | { readonly kind: 'batchEnd'; readonly batch: Batch }
  | { readonly kind: 'autoscalerTune' }
  | { readonly kind: 'scaleUp' }
  | { readonly kind: 'scaleDown' };

export type SimEventKind = SimEvent['kind'];

export const GLOBAL_SCHEDULE: SimEvent = { kind: 'globalSchedule' };
export const AUTOSCALER_TUNE: SimEvent = { kind: 'autoscalerTune' };
export const SCALE_UP: SimEvent = { kind: 'scaleUp' };
export const SCALE_DOWN: SimEvent = { kind: 'scaleDown' };
