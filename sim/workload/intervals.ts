/** Inter-arrival time generators for synthetic workloads. */
import type { Rng } from './rng.js';

export type IntervalKind = 'poisson' | 'gamma' | 'fixed';

export interface IntervalOptions {
  readonly kind: IntervalKind;
  /** Mean arrival rate, requests per second. */
  readonly qps: number;
  /** Coefficient of variation of gamma intervals (1 = Poisson-like, > 1 bursty). */
  readonly gammaCv: number;
}

export type IntervalGenerator = () => number;

export function makeIntervalGenerator(options: IntervalOptions, rng: Rng): IntervalGenerator {
  const { qps } = options;
  if (!(qps > 0)) throw new RangeError(`qps must be > 0, got ${qps}`);
  switch (options.kind) {
    case 'poisson': {
      // Vidur clips Poisson gaps at 3/qps, so long silences never happen; we keep that for fidelity.
      const maxGap = 3 / qps;
      return () => Math.min(rng.exponential(qps), maxGap);
    }
    case 'gamma': {
      const shape = 1 / (options.gammaCv * options.gammaCv);
      const scale = 1 / (qps * shape);
      return () => rng.gamma(shape, scale);
    }
    case 'fixed':
      return () => 1 / qps;
  }
}
