import { burst, HOMEWORK_BURST } from './grader/labs/cfs/workloads.js';
import { derivedSeeds } from './grader/labs/cfs/items.js';
import { simulateCfs } from './grader/labs/cfs/simulate.js';
import { CfsScheduler } from './reference/cfs/cfs-scheduler.js';
import { percentile } from './sim/metrics/stats.js';
const p99 = (reqs: any[]) => percentile(reqs.filter((r) => r.prefillCompletedAt !== undefined).map((r) => r.prefillCompletedAt - r.arrivedAt), 99);
for (const hs of [20261208, 42, 0]) {
  const seeds = derivedSeeds(hs, 'cfs-burst', 3);
  console.log(hs, seeds.map((seed) => p99(simulateCfs({ label: '', requests: burst({ ...HOMEWORK_BURST, seed }), cfsInterval: 10, swapSpace: 16 }, (i) => new CfsScheduler(i)).result.requests).toFixed(2)).join(' '));
  const tight = derivedSeeds(hs, 'cfs-tight-pool', 2);
  for (const seed of tight) {
    const sim = simulateCfs({ label: '', requests: burst({ ...HOMEWORK_BURST, seed }), cfsInterval: 10, swapSpace: 0.5 }, (i) => new CfsScheduler(i));
    console.log('  tight', seed, p99(sim.result.requests).toFixed(2), 'fallbacks', sim.replica.scheduler.numSwapFallbacks, 'done', sim.result.numCompleted);
  }
}
