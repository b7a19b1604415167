/**
 * `npm run gen-cfs-trace`: writes the CFS lab's public burst (the homework's 50 prompts at 3 requests
 * per second, drawn with the lab's public seed) to traces/cfs-burst.csv, the trace that
 * traces/cfs-homework.json replays. The grader draws the same burst from the same seed
 * (test/grader/labs/cfs/lab.test.ts checks that the file matches).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../../sim/config/paths.js';
import { burst, burstCsv, HOMEWORK_BURST, PUBLIC_BURST_SEED } from './workloads.js';

const path = join(REPO_ROOT, 'traces', 'cfs-burst.csv');
writeFileSync(path, burstCsv(burst({ ...HOMEWORK_BURST, seed: PUBLIC_BURST_SEED })));
console.log(`wrote ${path}`);
