/**
 * The efficiency check's workload (the kit's cost-growth measure counts the work): arrivals at doubling
 * densities in the same 100 s, and a query of each of two (W, L) pairs every few arrivals, through the
 * student's envelope, built with its work counted.
 */
import { Request } from '../../../sim/entities/request.js';
import { Rng } from '../../../sim/workload/rng.js';
import { measureWork, type WorkGrowth } from '../../kit/cost-growth.js';
import type { ScalingInput } from './schemas.js';
import type { Envelope } from './student.js';

/** The two (W, L) pairs an autoscaler asks about: short windows for scaling up, long for scaling down. */
export const PAIRS = [
  [5, 30],
  [20, 80],
] as const;
/** The workload's arrivals span this many seconds, whatever their number: more arrivals, denser traffic. */
const SPAN = 100;

/** Calls made at size n: every arrival, and one query of each pair per `every` arrivals. */
export const callsAt = (n: number, every: number) => n + PAIRS.length * Math.floor(n / every);

export function measureScaling(input: ScalingInput, NetworkEnvelope: new () => Envelope): WorkGrowth {
  const rng = new Rng(input.seed);
  const workloads = input.sizes.map((n) =>
    Array.from({ length: n }, (_, i) => {
      const arrivedAt = ((i + 0.5 * rng.next()) * SPAN) / n;
      return new Request({ id: i, arrivedAt, numPrefillTokens: rng.int(64, 512), numDecodeTokens: 1 });
    }),
  );
  return measureWork(input.sizes.length, input.maxRunMs, (k) => {
    const envelope = new NetworkEnvelope();
    for (const [i, r] of workloads[k]!.entries()) {
      envelope.onRequestArrival(r);
      if ((i + 1) % input.arrivalsPerQuery === 0)
        for (const [w, l] of PAIRS) envelope.getMaxRequestRate(r.arrivedAt, w, l);
    }
  });
}
