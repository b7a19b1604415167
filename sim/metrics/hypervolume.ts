/**
 * The true two-dimensional hypervolume of (cost, latency) points, both minimised (the autoscaling lab's
 * front score, labs/autoscaling/README.md): the share of the box [0, costRef] × [0, latencyRef] dominated by the points.
 *
 *   ĉ = min(c, costRef) / costRef,  l̂ = min(l, latencyRef) / latencyRef      (the reference → (1, 1))
 *   sort by ĉ (ties by l̂); m_i = min(l̂_1..l̂_i); ĉ_{n+1} = 1
 *   HV = Σ_i (ĉ_{i+1} − ĉ_i) · (1 − m_i)                                     ∈ [0, 1]
 *
 * This is the standard dominated-area measure (pymoo, BoTorch): dominated points add nothing, the
 * result does not depend on input order, and adding a point never lowers it. The course lab's formula
 * uses l̂_i where this uses the running minimum m_i; the two agree on every proper front (a staircase
 * with costs rising and latencies falling), but the lab's lets a dominated point subtract area.
 */

export interface CostLatencyPoint {
  /** Total cost, dollars (or any unit shared with the reference). */
  readonly cost: number;
  /** Latency, e.g. P90 e2e in seconds. */
  readonly latency: number;
}

export interface HypervolumeReference {
  readonly cost: number;
  readonly latency: number;
}

export class HypervolumeInputError extends RangeError {
  constructor(message: string) {
    super(message);
    this.name = 'HypervolumeInputError';
  }
}

function checkValue(value: number, what: string, positive: boolean): void {
  if (typeof value !== 'number' || Number.isNaN(value))
    throw new HypervolumeInputError(`${what} is not a number (got ${String(value)})`);
  if (positive ? !(value > 0 && Number.isFinite(value)) : value < 0) {
    throw new HypervolumeInputError(`${what} must be ${positive ? 'a finite number > 0' : '≥ 0'} (got ${value})`);
  }
}

/** Normalised hypervolume in [0, 1]; 0 for no points. Throws HypervolumeInputError on NaN or negative input. */
export function hypervolume(points: readonly CostLatencyPoint[], reference: HypervolumeReference): number {
  checkValue(reference.cost, 'the reference cost', true);
  checkValue(reference.latency, 'the reference latency', true);
  points.forEach((p, i) => {
    checkValue(p.cost, `point ${i}: cost`, false);
    checkValue(p.latency, `point ${i}: latency`, false);
  });
  const normalised = points
    .map(
      (p) =>
        [
          Math.min(p.cost, reference.cost) / reference.cost,
          Math.min(p.latency, reference.latency) / reference.latency,
        ] as const,
    )
    .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let area = 0;
  let best = 1;
  for (let i = 0; i < normalised.length; i++) {
    const [c, l] = normalised[i]!;
    best = Math.min(best, l);
    const next = i + 1 < normalised.length ? normalised[i + 1]![0] : 1;
    area += (next - c) * (1 - best);
  }
  return area;
}

/**
 * The autoscaling lab's reference point (labs/autoscaling/README.md): $50 for the 126,000 requests of the
 * shipped trace, scaled by requests; 0.5 s P90. Shared by the front tool and the grader.
 */
export const referencePoint = (requests: number): HypervolumeReference => ({
  cost: (50 * requests) / 126_000,
  latency: 0.5,
});
