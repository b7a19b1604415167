/** `npm run try -- routing`: your router on public-seed benchmark workloads beside round robin and lor. */
import type { Router, RouterInit } from '../../../sim/policies/router/router.js';
import { ROUTERS } from '../../../sim/policies/router/registry.js';
import { loadExport, measuredPoints, measureEach, type LabTry } from '../../kit/try.js';
import { meanE2e } from '../../kit/run-metrics.js';
import { benchmarkRun, simulateRouting } from './simulate.js';

type RouterFactory = (init: RouterInit) => Router;
const RATES = [2, 3] as const;
const key = (qps: number) => `${qps} QPS: mean e2e (s)`;

export const routingTry: LabTry<RouterFactory> = {
  lab: 'routing',
  async load(dir) {
    const AiRouter = await loadExport<new (init: RouterInit) => Router>(dir, 'ai-router.ts', 'AiRouter');
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
