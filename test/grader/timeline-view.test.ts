import { describe, expect, it } from 'vitest';
import type { TimelineSeries } from '../../sim/metrics/timeline/index.js';
import { TimelineRecorder } from '../../sim/metrics/timeline/index.js';
import { runSimulation } from '../../sim/run.js';
import { mostDifferentWindow, resample, timelineView } from '../../grader/report/timeline-view.js';

/** A step series: `inSystem(t)` requests running, none waiting, KV use in proportion, sampled every second to `end`. */
function series(end: number, inSystem: (t: number) => number): TimelineSeries {
  const s: TimelineSeries = { time: [], queued: [], running: [], kvBlocks: [], kvCapacity: [] };
  for (let t = 0; t <= end; t++) {
    s.time.push(t);
    s.queued.push(0);
    s.running.push(inSystem(t));
    s.kvBlocks.push(inSystem(t) * 10);
    s.kvCapacity.push(1000);
  }
  return s;
}

describe('side-by-side timeline view', () => {
  it('resamples a step series as time-weighted bucket means', () => {
    const s: TimelineSeries = { time: [0, 5], queued: [2, 6], running: [0, 0], kvBlocks: [0, 0], kvCapacity: [1, 1] };
    const r = resample(s, 0, 10, 2);
    expect(r.queued).toEqual([2, 6]);
    expect(resample(s, 0, 10, 1).queued).toEqual([4]);
  });

  it('finds the window where the runs differ most, and the busiest one when they do not', () => {
    const a = series(1000, (t) => (t >= 600 && t < 650 ? 40 : 5));
    const b = series(1000, () => 5);
    const { window, differ } = mostDifferentWindow(a, b, 1000);
    expect(differ).toBe(true);
    expect(window[0]).toBeGreaterThanOrEqual(590);
    expect(window[1]).toBeLessThanOrEqual(660);
    const same = mostDifferentWindow(a, a, 1000);
    expect(same.differ).toBe(false);
    expect(same.window[0]).toBeGreaterThanOrEqual(590);
  });

  it('draws two panels, says what differs, and narrows both trace files to the window', () => {
    const record = (scheduler: 'vllm' | 'sarathi') => {
      const recorder = new TimelineRecorder({ keepSeries: true });
      const run = runSimulation(
        {
          replicas: 1,
          replicaScheduler: scheduler,
          qps: 6,
          numRequests: 200,
          seed: 3,
          writeOutputs: false,
          progress: 'off',
        },
        { observers: [recorder] },
      );
      return { recorder, endTime: run.result.endTime };
    };
    const view = timelineView({
      workload: 'a <script> workload',
      student: record('vllm'),
      reference: record('sarathi'),
    });
    expect(view.svg.match(/<g class="panel">/g)).toHaveLength(2);
    expect(view.svg).not.toContain('<script>');
    expect(view.svg).toContain('a &lt;script&gt; workload');
    expect(view.sentence).toMatch(
      /^Between [\d.]+ s and [\d.]+ s the two runs differ most: your run holds [\d.]+ requests on average .* against the reference's [\d.]+/,
    );
    for (const json of [view.studentJson, view.referenceJson]) {
      const file = JSON.parse(json) as {
        traceEvents: { ph: string; ts?: number; dur?: number }[];
        otherData: { window: number[] };
      };
      expect(file.otherData.window).toEqual([...view.window]);
      const outside = file.traceEvents.filter(
        (e) =>
          e.ts !== undefined && (e.ts + (e.dur ?? 0) < view.window[0] * 1e6 - 1 || e.ts > view.window[1] * 1e6 + 1),
      );
      expect(outside).toEqual([]);
      expect(file.traceEvents.some((e) => e.ph === 'X')).toBe(true);
    }
  });

  it('for long runs, picks the window from coarse series and re-runs both for that window only', () => {
    const config = { replicas: 2, qps: 8, numRequests: 600, seed: 5, writeOutputs: false, progress: 'off' } as const;
    const run = (recorder: TimelineRecorder, scheduler: 'vllm' | 'sarathi') => {
      const r = runSimulation({ ...config, replicaScheduler: scheduler }, { observers: [recorder] });
      return { recorder, endTime: r.result.endTime };
    };
    const coarse = (scheduler: 'vllm' | 'sarathi') =>
      run(new TimelineRecorder({ keepSeries: true, seriesOnly: true, seriesResolution: 1 }), scheduler);
    const student = coarse('vllm');
    const reference = coarse('sarathi');
    // A point per simulated second at most, and no events.
    expect(student.recorder.series!.time.length).toBeLessThanOrEqual(Math.ceil(student.endTime) + 1);
    expect(student.recorder.numEvents).toBe(0);
    const windows: (readonly [number, number])[] = [];
    const view = timelineView({
      workload: 'long',
      student,
      reference,
      rerecord: (window) => {
        windows.push(window);
        return {
          student: run(new TimelineRecorder({ window: [window[0], window[1]] }), 'vllm'),
          reference: run(new TimelineRecorder({ window: [window[0], window[1]] }), 'sarathi'),
        };
      },
    });
    expect(windows).toEqual([view.window]);
    const file = JSON.parse(view.studentJson) as { traceEvents: { ph: string; ts?: number }[] };
    const batches = file.traceEvents.filter((e) => e.ph === 'X');
    expect(batches.length).toBeGreaterThan(10);
    expect(batches.every((e) => e.ts! <= view.window[1] * 1e6)).toBe(true);
  });
});
