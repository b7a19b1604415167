/**
 * `npm run demo`: the default simulation under the name `default` (Llama-2-7B on A100, TP1, 4 replicas,
 * vllm batching, lor routing, Poisson 2 QPS for 1000 s, conv-like lengths; sim/config/schema.ts has
 * the defaults). Extra flags are passed on to `npm run sim`.
 */
import { main } from './sim.js';

process.exitCode = await main(['--name', 'default', ...process.argv.slice(2)], 'npm run demo --');
