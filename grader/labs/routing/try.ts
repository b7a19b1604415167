/** `npm run try -- routing`: your router on public-seed benchmark workloads beside round robin and lor. */
import { ROUTERS } from '../../../sim/policies/router/registry.js';
import { loadExport, measuredPoints, measureEach, type LabTry } from '../../kit/try.js';
import { meanE2e } from '../../kit/run-metrics.js';
import type { RoutingModule } from './student.js';
import { benchmarkRun, simulateRouting, type MakeRouter } from './simulate.js';

const RATES = [2, 3] as const;
const key = (qps: number) => `${qps} QPS: mean e2e (s)`;

export const routingTry: LabTry<MakeRouter> = {
  lab: 'routing',
  async load(dir) {
    const AiRouter = await loadExport<RoutingModule['AiRouter']>(dir, 'ai-router.ts', 'AiRouter');
    return (init) => new AiRouter(init);
  },
  baselines: () => ({ 'round robin': ROUTERS.round_robin, lor: ROUTERS.lor }),
  rows: () => RATES.map(key),
  measure: (make, seed) =>
    measureEach(
      RATES,
      (qps) => `${qps} QPS`,
      (qps) => {
        const run = benchmarkRun(`public ${qps} QPS`, seed, qps);
        const e2e = meanE2e(simulateRouting(run, make, { guardDecodeTokens: true }));
        return e2e === null ? {} : { [key(qps)]: e2e };
      },
    ),
  format: (_key, v) => v.toFixed(3),
  plots: [
    {
      title: 'Mean e2e latency on the public workloads',
      x: 'requests per second',
      y: 'mean e2e (s)',
      points: measuredPoints(RATES, key),
    },
  ],
  about:
    'Public workloads: 1000 s of conversation-like requests on 4 replicas at 2 and 3 QPS, drawn from the seed; the hidden ones are drawn the same way from the hidden seed.',
};
