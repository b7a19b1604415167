/**
 * `npm start`: the default simulation, i.e. the routing lab's benchmark (Llama-2-7B on A100, TP1,
 * 4 replicas, vllm batching, lor routing, Poisson 2 QPS for 1000 s, conv-like lengths). The grader
 * issue repoints this to grading the reference solutions.
 */
import { main } from './sim.js';

process.exitCode = await main(['--name', 'default', ...process.argv.slice(2)], 'npm start --');
