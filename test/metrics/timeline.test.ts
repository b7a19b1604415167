import { describe, expect, it } from 'vitest';
import type { SimulationConfigInput } from '../../sim/config/schema.js';
import { requestMetricsCsv } from '../../sim/metrics/request-metrics.js';
import {
  micros,
  TimelineFile,
  TimelineRecorder,
  type TimelineOptions,
  type TraceEvent,
} from '../../sim/metrics/timeline/index.js';
import type { Autoscaler } from '../../sim/policies/autoscaler/autoscaler.js';
import { runSimulation, type RunOutput } from '../../sim/run.js';
import type { BuildOptions } from '../../sim/config/build.js';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { vi } from 'vitest';
import { main } from '../../sim/cli/sim.js';

const base = { model: 'llama-2-7b', device: 'a100', writeOutputs: false, progress: 'off', seed: 7 } as const;

function record(
  config: SimulationConfigInput,
  options: TimelineOptions = {},
  build: BuildOptions = {},
): { run: RunOutput; text: string; file: TimelineFile } {
  const recorder = new TimelineRecorder(options);
  const run = runSimulation(config, { ...build, observers: [recorder] });
  const text = recorder.toJson(run.result.endTime);
  const parsed = TimelineFile.safeParse(JSON.parse(text));
  if (!parsed.success)
    throw new Error(`timeline does not match the trace-event schema: ${parsed.error.message.slice(0, 2000)}`);
  return { run, text, file: parsed.data };
}

type Slice = Extract<TraceEvent, { ph: 'X' }>;
const slices = (events: readonly TraceEvent[]) => events.filter((e): e is Slice => e.ph === 'X');

/** Scales up once, then down once: exercises the autoscaler track. */
function upThenDown(): Autoscaler {
  let calls = 0;
  return { tuneInterval: 5, tune: () => (++calls === 1 ? 1 : calls === 6 ? -1 : 0) };
}

describe('timeline recorder', () => {
  it('writes trace events that follow the schema, with a track per replica, tier and the cluster', () => {
    const { file } = record(
      {
        ...base,
        replicas: 2,
        replicaScheduler: 'sarathi-edf',
        chunkSize: 256,
        tierMix: [1, 1],
        tierDeadlines: [0.5, 20],
        qps: 12,
        numRequests: 150,
      },
      { tierDeadlines: [0.5, 20], chunkSize: 256 },
    );
    const names = file.traceEvents.flatMap((e) => (e.ph === 'M' && 'name' in e.args ? [e.args.name] : []));
    expect(names).toEqual(
      expect.arrayContaining([
        'cluster',
        'router',
        'replica 0',
        'replica 1',
        'batches',
        'client 0 · tier 0',
        'client 0 · tier 1',
      ]),
    );
    const batches = slices(file.traceEvents).filter((e) => e.cat === 'batch');
    expect(batches.length).toBeGreaterThan(100);
    for (const b of batches) {
      const a = b.args as Record<string, unknown>;
      expect(a.chunkSize).toBe(256);
      expect((a.requests as number[]).length).toBeGreaterThan(0);
      expect((a.prefillTokens as number) + (a.decodeTokens as number)).toBe(
        (a.tokens as number[]).reduce((x, y) => x + y, 0),
      );
      expect(b.pid).toBeGreaterThanOrEqual(100);
    }
    expect(batches.some((b) => b.name === 'mixed')).toBe(true);
    const counters = new Set(file.traceEvents.filter((e) => e.ph === 'C').map((e) => e.name));
    expect([...counters].sort()).toEqual(['KV blocks', 'queue', 'replicas', 'router queue']);
    // A 0.5 s TTFT deadline at 12 QPS on two replicas is missed by some requests.
    const misses = file.traceEvents.filter((e) => e.ph === 'i' && e.name === 'deadline miss');
    expect(misses.length).toBeGreaterThan(0);
    expect(file.otherData).toMatchObject({ window: null, droppedEvents: 0, truncatedAt: null });
  });

  it('records swaps on vllm-v0 batches and scale-ups and scale-downs as instants', () => {
    const swap = record({
      ...base,
      replicas: 1,
      replicaScheduler: 'vllm-v0',
      preemptionMode: 'swap',
      numBlocks: 200,
      qps: 20,
      numRequests: 80,
      lengthGenerator: 'fixed',
      prefillTokens: 300,
      decodeTokens: 200,
    });
    const args = slices(swap.file.traceEvents)
      .filter((e) => e.cat === 'batch')
      .map((e) => e.args as Record<string, number>);
    expect(args.every((a) => typeof a.swapOuts === 'number' && typeof a.swapIns === 'number')).toBe(true);
    expect(args.reduce((s, a) => s + a.swapOuts!, 0)).toBeGreaterThan(0);
    const scaled = record(
      { ...base, replicas: 1, qps: 4, numRequests: 200 },
      {},
      { autoscaling: { policy: upThenDown(), scaleUpDelay: 2, scaleDownDelay: 1, minReplicas: 1, maxReplicas: 3 } },
    );
    const instants = scaled.file.traceEvents.filter((e) => e.ph === 'i').map((e) => e.name);
    expect(instants).toEqual(expect.arrayContaining(['scale up', 'replica added', 'scale down']));
    expect(
      scaled.file.traceEvents.some((e) => e.ph === 'M' && (e.args as { name?: string }).name === 'replica 1'),
    ).toBe(true);
  });

  it('follows every request with one flow from its arrival, through its routing and batches, to its completion', () => {
    const { run, file } = record({ ...base, replicas: 3, clients: 'qps=3;qps=2,prefill=512,decode=32', duration: 40 });
    const flows = new Map<number, Extract<TraceEvent, { ph: 's' | 't' | 'f' }>[]>();
    for (const e of file.traceEvents) {
      if (e.ph !== 's' && e.ph !== 't' && e.ph !== 'f') continue;
      const list = flows.get(e.id) ?? [];
      list.push(e);
      flows.set(e.id, list);
    }
    const all = slices(file.traceEvents);
    const requests = run.result.requests;
    expect(requests.length).toBeGreaterThan(100);
    expect(new Set(requests.map((r) => r.clientId)).size).toBe(2);
    for (const r of requests) {
      const f = flows.get(r.id)!;
      expect(f[0]).toMatchObject({ ph: 's', ts: micros(r.arrivedAt), pid: 2 });
      expect(all.some((s) => s.name === 'arrival' && s.ts === f[0]!.ts && s.tid === f[0]!.tid)).toBe(true);
      const last = f[f.length - 1]!;
      expect(last).toMatchObject({ ph: 'f', ts: micros(r.completedAt!), bp: 'e' });
      expect(
        all.some(
          (s) =>
            s.name === 'completion' &&
            s.ts === last.ts &&
            s.tid === last.tid &&
            (s.args!.requests as number[]).includes(r.id),
        ),
      ).toBe(true);
      const steps = f.slice(1, -1);
      expect(steps.every((e) => e.ph === 't')).toBe(true);
      expect(steps[0]).toMatchObject({ pid: 1, tid: 1 }); // the router
      expect(steps.length).toBeGreaterThanOrEqual(2); // routing and at least the prefill batch
      for (const step of steps.slice(1)) {
        // each step lies inside a batch of that request on its replica
        expect(
          all.some(
            (s) =>
              s.cat === 'batch' &&
              s.pid === step.pid &&
              s.ts <= step.ts &&
              step.ts <= s.ts + s.dur &&
              (s.args!.requests as number[]).includes(r.id),
          ),
        ).toBe(true);
        expect(step.pid).toBe(100 + r.replicaId!);
      }
      for (let i = 1; i < f.length; i++) expect(f[i]!.ts).toBeGreaterThanOrEqual(f[i - 1]!.ts);
    }
  });

  it('is byte-identical for the same run, and leaves the simulation results unchanged', () => {
    const config = { ...base, replicas: 2, globalScheduler: 'random', qps: 6, numRequests: 300 } as const;
    const a = record(config);
    const b = record(config);
    expect(b.text).toBe(a.text);
    const windowed = record(config, { window: [10, 20] });
    const plain = runSimulation(config);
    expect(requestMetricsCsv(a.run.result.requests)).toBe(requestMetricsCsv(plain.result.requests));
    expect(requestMetricsCsv(windowed.run.result.requests)).toBe(requestMetricsCsv(plain.result.requests));
  });

  it('keeps a window: events overlap it, every batch in it is there, and the size grows with the window, not the run', () => {
    // The load of `npm run bench`'s 100k case (0.5 QPS per replica, 16 replicas); README "Timelines" gives its figures.
    const config = { ...base, replicas: 16, globalScheduler: 'round_robin', qps: 8, numRequests: 1600 } as const;
    const short = record(config, { window: [100, 115] });
    const long = record(config, { window: [100, 130] });
    const longer = record({ ...config, numRequests: 3200 }, { window: [100, 130] });
    for (const { file } of [short, long]) {
      const outside = file.traceEvents.filter(
        (e) => e.ph !== 'M' && ((e.ph === 'X' ? e.ts + e.dur : e.ts) < 100e6 || e.ts > 130e6),
      );
      expect(outside).toEqual([]);
    }
    const ratio = long.text.length / short.text.length;
    expect(ratio).toBeGreaterThan(1.5);
    expect(ratio).toBeLessThan(2.5);
    expect(Math.abs(longer.text.length / long.text.length - 1)).toBeLessThan(0.25);
    // Half a minute of this load stays under 10 MiB (the 100k run's 60 s window measures ~16 MiB).
    expect(long.text.length).toBeLessThan(10 * 1024 * 1024);
    // Fast-forward outside the window still gives every iteration inside it: the same batches as stepping.
    const stepped = record({ ...config, fastForward: false }, { window: [100, 130] });
    expect(slices(stepped.file.traceEvents).filter((e) => e.cat === 'batch').length).toBe(
      slices(long.file.traceEvents).filter((e) => e.cat === 'batch').length,
    );
  });

  it('a 100k-request run with a 60 s window stays under the 20 MiB the README documents', () => {
    // `npm run bench`'s case (f): 100,000 requests on 16 replicas, the simulated minute 1000..1060 s.
    const config = { ...base, replicas: 16, globalScheduler: 'round_robin', qps: 8, numRequests: 100_000 } as const;
    const { text, file, run } = record(config, { window: [1000, 1060] });
    expect(run.result.numCompleted).toBe(100_000);
    expect(slices(file.traceEvents).filter((e) => e.cat === 'batch').length).toBeGreaterThan(0);
    expect(text.length).toBeLessThan(20 * 1024 * 1024);
  });

  it('stops at the size bound and says so', () => {
    const maxBytes = 100_000;
    const { text, file } = record({ ...base, replicas: 2, qps: 6, numRequests: 300 }, { maxBytes });
    expect(text.length).toBeLessThanOrEqual(maxBytes + 4096); // + the track names, which are always kept
    expect(file.otherData.truncatedAt).not.toBeNull();
    expect(file.otherData.droppedEvents).toBeGreaterThan(0);
  });

  it('rejects a bad window or bound with a clear message', () => {
    expect(() => new TimelineRecorder({ window: [5, 5] })).toThrow(/START,END/);
    expect(() => new TimelineRecorder({ maxBytes: 0 })).toThrow(/maxBytes/);
  });

  it('is written by npm run sim -- --timeline, and a bad window is a clear input error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'servelab-timeline-'));
    const file = join(dir, 'sub', 'run.trace.json');
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const args = ['--replicas', '1', '--qps', '4', '--num-requests', '40', '--no-write-outputs', '--progress', 'off'];
      expect(await main([...args, '--timeline', file, '--timeline-window', '2,6'])).toBe(0);
      const parsed = TimelineFile.parse(JSON.parse(readFileSync(file, 'utf8')));
      expect(parsed.otherData.window).toEqual([2, 6]);
      expect(log.mock.calls.flat().join('\n')).toMatch(/timeline .*run\.trace\.json/);
      expect(await main([...args, '--timeline', file, '--timeline-window', '6,2'])).toBe(2);
      expect(error.mock.calls.flat().join('\n')).toMatch(/--timeline-window 6,2: END must be after START/);
      expect(await main([...args, '--timeline', file, '--capacity-search', '1,2'])).toBe(2);
    } finally {
      log.mockRestore();
      error.mockRestore();
    }
  });
});
