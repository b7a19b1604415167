/**
 * `npm run bench [-- case-name ...]`: runs each benchmark case in a fresh Node process, prints a
 * table and writes bench/results.json. Wall time counts event processing only (not start-up or
 * workload generation), like the simulator's own `wallSeconds`.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../sim/config/paths.js';
import { BENCH_CASES } from './cases.js';

interface CaseResult {
  name: string;
  description: string;
  requests: number;
  events: number;
  wallSeconds: number;
  requestsPerSecond: number;
  eventsPerSecond: number;
  peakMiB: number;
  meanE2e: number;
  goalSeconds: number | null;
  goalMiB: number | null;
  timelineBytes: number | null;
  timelineWriteSeconds: number | null;
  timelineEvents: number | null;
}

const wanted = process.argv.slice(2);
const cases = wanted.length > 0 ? BENCH_CASES.filter((c) => wanted.includes(c.name)) : BENCH_CASES;
const results: CaseResult[] = [];
for (const c of cases) {
  process.stderr.write(`running ${c.name}: ${c.description} ...\n`);
  const out = execFileSync(
    process.execPath,
    ['--max-old-space-size=4096', '--import', 'tsx', join(REPO_ROOT, 'bench', 'case.ts'), c.name],
    {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  results.push(JSON.parse(out.trim().split('\n').at(-1)!) as CaseResult);
}

const verdict = (r: CaseResult): string => {
  const checks: string[] = [];
  if (r.goalSeconds !== null)
    checks.push(r.wallSeconds <= r.goalSeconds ? `≤ ${r.goalSeconds} s ok` : `> ${r.goalSeconds} s MISSED`);
  if (r.goalMiB !== null) checks.push(r.peakMiB <= r.goalMiB ? `≤ ${r.goalMiB} MiB ok` : `> ${r.goalMiB} MiB MISSED`);
  if (r.timelineBytes !== null) {
    checks.push(
      `timeline ${(r.timelineBytes / 1024 / 1024).toFixed(1)} MiB, ${r.timelineEvents} events, written in ${r.timelineWriteSeconds!.toFixed(2)} s`,
    );
  }
  return checks.join(', ');
};
console.log(
  `${'case'.padEnd(22)} ${'requests'.padStart(9)} ${'wall s'.padStart(8)} ${'req/s'.padStart(10)} ${'events/s'.padStart(11)} ${'peak MiB'.padStart(9)}  goal`,
);
for (const r of results) {
  console.log(
    `${r.name.padEnd(22)} ${String(r.requests).padStart(9)} ${r.wallSeconds.toFixed(3).padStart(8)} ${Math.round(r.requestsPerSecond).toString().padStart(10)} ` +
      `${Math.round(r.eventsPerSecond).toString().padStart(11)} ${r.peakMiB.toFixed(0).padStart(9)}  ${verdict(r)}`,
  );
}
const file = join(REPO_ROOT, 'bench', 'results.json');
writeFileSync(
  file,
  JSON.stringify({ node: process.version, platform: `${process.platform}-${process.arch}`, cases: results }, null, 2) +
    '\n',
);
console.log(`wrote ${file}`);
