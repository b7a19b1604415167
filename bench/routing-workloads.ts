/**
 * `npm run bench:routing [-- --seeds N] [--workload NAME ...] [--router FILE]`: mean e2e of the routing
 * reference (reference/routing/ai-router.ts, or FILE) and the engine's routers on each workload of
 * sim/analysis/routing-workloads.ts, seeds 1..N, and the reference's gain over `llq`
 * (1 − mean e2e / llq's), median over the seeds. The last line is the median of those medians, the
 * figure the routing lab's reference must keep at 5 % or more.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { ROUTING_WORKLOADS, routingWorkload } from '../sim/analysis/routing-workloads.js';
import { buildSimulation } from '../sim/config/build.js';
import { REPO_ROOT } from '../sim/config/paths.js';
import { parseConfig } from '../sim/config/schema.js';
import { Simulator } from '../sim/engine/simulator.js';
import { ROUTERS } from '../sim/policies/router/registry.js';
import type { Router, RouterInit } from '../sim/policies/router/router.js';

const Flags = z.strictObject({
  seeds: z.coerce
    .number({ message: '--seeds must be a number' })
    .int('--seeds must be a whole number')
    .min(1, '--seeds must be at least 1')
    .max(200, '--seeds must be at most 200')
    .default(5),
  workload: z.array(z.string()).default([]),
  router: z.string().default(resolve(REPO_ROOT, 'reference', 'routing', 'ai-router.ts')),
});

/** Bad flags, names or files end the run with one line saying what is wrong, not a stack trace. */
function fail(message: string): never {
  console.error(`bench:routing: ${message}`);
  process.exit(2);
}
const attempt = async <T>(what: () => T | Promise<T>): Promise<T> => {
  try {
    return await what();
  } catch (error) {
    return fail(error instanceof Error ? error.message : String(error));
  }
};

const { values } = await attempt(() =>
  parseArgs({
    options: {
      seeds: { type: 'string' },
      workload: { type: 'string', multiple: true },
      router: { type: 'string' },
    },
    strict: true,
  }),
);
const parsed = Flags.safeParse(values);
if (!parsed.success) fail(parsed.error.issues.map((i) => i.message).join('; '));
const flags = parsed.data;
const workloads = await attempt(() =>
  flags.workload.length > 0 ? flags.workload.map(routingWorkload) : ROUTING_WORKLOADS,
);

const imported = (await attempt(() => import(pathToFileURL(resolve(flags.router)).href))) as Record<string, unknown>;
const Reference = (imported.AiRouter ?? imported.default) as (new (init: RouterInit) => Router) | undefined;
if (typeof Reference !== 'function') fail(`${flags.router} exports no AiRouter class (nor a default export)`);

const POLICIES: readonly { name: string; make: (init: RouterInit) => Router }[] = [
  { name: 'reference', make: (init) => new Reference(init) },
  { name: 'llq', make: ROUTERS.llq },
  { name: 'lor', make: ROUTERS.lor },
  { name: 'round_robin', make: ROUTERS.round_robin },
  { name: 'random', make: ROUTERS.random },
];

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function meanE2e(config: Record<string, unknown>, seed: number, make: (init: RouterInit) => Router): number {
  const result = new Simulator(
    buildSimulation(parseConfig({ ...config, seed, progress: 'off' }), { makeRouter: make }),
  ).run();
  const e2e = result.requests.flatMap((r) => (r.completedAt === undefined ? [] : [r.completedAt - r.arrivedAt]));
  return mean(e2e);
}

const pct = (x: number): string => `${(100 * x).toFixed(1)} %`;
const seeds = Array.from({ length: flags.seeds }, (_, i) => i + 1);
console.log(`mean e2e (s), mean over seeds 1–${flags.seeds}; gains are medians over the seeds`);
console.log(
  `${'workload'.padEnd(18)} ${POLICIES.map((p) => p.name.padStart(11)).join(' ')} ${'vs llq'.padStart(8)} ${'vs lor'.padStart(8)} ${'vs rr'.padStart(8)}`,
);
const gainsVsLlq: number[] = [];
for (const w of workloads) {
  const e2e = POLICIES.map((p) => seeds.map((seed) => meanE2e(w.config as Record<string, unknown>, seed, p.make)));
  const gain = (baseline: number) => median(seeds.map((_, i) => 1 - e2e[0]![i]! / e2e[baseline]![i]!));
  gainsVsLlq.push(gain(1));
  console.log(
    `${w.name.padEnd(18)} ${e2e.map((xs) => mean(xs).toFixed(3).padStart(11)).join(' ')} ` +
      `${pct(gain(1)).padStart(8)} ${pct(gain(2)).padStart(8)} ${pct(gain(3)).padStart(8)}`,
  );
}
console.log(`median gain over llq across workloads: ${pct(median(gainsVsLlq))}`);
