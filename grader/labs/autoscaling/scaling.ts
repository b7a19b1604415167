/**
 * The efficiency check's workload (the kit's cost-growth measure does the timing): arrivals at
 * doubling densities in the same 100 s, and a query of each of two (W, L) pairs every few arrivals,
 * through the student's envelope and through a running sum known to cost O(1) amortised per call.
 */
import { Request } from '../../../sim/entities/request.js';
import { Rng } from '../../../sim/workload/rng.js';
import { measureGrowth, type GrowthAttempt } from '../../kit/cost-growth.js';
import type { ScalingInput } from './schemas.js';
import type { Envelope } from './student.js';

/** The two (W, L) pairs an autoscaler asks about: short windows for scaling up, long for scaling down. */
const PAIRS = [
  [5, 30],
  [20, 80],
] as const;
/** The workload's arrivals span this many seconds, whatever their number: more arrivals, denser traffic. */
const SPAN = 100;

export function measureScaling(input: ScalingInput, NetworkEnvelope: new () => Envelope): GrowthAttempt[] {
  const rng = new Rng(input.seed);
  const every = input.arrivalsPerQuery;
  const workloads = input.sizes.map((n) =>
    Array.from({ length: n }, (_, i) => {
      const arrivedAt = ((i + 0.5 * rng.next()) * SPAN) / n;
      return new Request({ id: i, arrivedAt, numPrefillTokens: rng.int(64, 512), numDecodeTokens: 1 });
    }),
  );
  const student = (requests: readonly Request[]) => {
    const envelope = new NetworkEnvelope();
    let sum = 0;
    for (let i = 0; i < requests.length; i++) {
      envelope.onRequestArrival(requests[i]!);
      if ((i + 1) % every === 0)
        for (const [w, l] of PAIRS) sum += Number(envelope.getMaxRequestRate(requests[i]!.arrivedAt, w, l)) || 0;
    }
    return sum;
  };
  // The same calls through a running sum over the latest window of each pair (not an envelope), storing
  // the arrivals as an envelope does: timed beside the student's, it absorbs the machine's speed and
  // load, as only the ratio is used.
  const baseline = (requests: readonly Request[]) => {
    const times: number[] = [];
    const tokens: number[] = [];
    const tails = PAIRS.map(() => 0);
    const sums = PAIRS.map(() => 0);
    let sum = 0;
    for (let i = 0; i < requests.length; i++) {
      const r = requests[i]!;
      times.push(r.arrivedAt);
      tokens.push(r.numPrefillTokens + r.numDecodeTokens);
      for (let p = 0; p < PAIRS.length; p++) sums[p]! += tokens[i]!;
      if ((i + 1) % every !== 0) continue;
      for (let p = 0; p < PAIRS.length; p++) {
        const win = PAIRS[p]![0];
        while (times[tails[p]!]! <= r.arrivedAt - win) sums[p]! -= tokens[tails[p]!++]!;
        sum += sums[p]! / win;
      }
    }
    return sum;
  };
  return measureGrowth(input, (i) => ({
    student: () => student(workloads[i]!),
    baseline: () => baseline(workloads[i]!),
  }));
}
