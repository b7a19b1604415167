/**
 * Recording a student's run and the reference's on one public workload for the report's
 * side-by-side timeline (grader/report/timeline-view.ts). The timeline is an extra: if the
 * reference cannot be loaded (the student handout ships without reference/) or its run fails, the
 * item is scored as before and the report simply has no timeline.
 */
import { z } from 'zod';
import { FrozenTimeline, TimelineRecorder, type TimelineOptions } from '../../sim/metrics/timeline/index.js';
import type { SimulationObserver } from '../../sim/engine/simulator.js';
import type { RecordedRun, TimelinePair } from '../report/timeline-view.js';
import { cached, type CacheKey } from './result-cache.js';

/** Whole runs are recorded (the window is chosen afterwards); this bounds a pathological one. */
const REPORT_MAX_BYTES = 256 * 1024 * 1024;

export function reportRecorder(options: Omit<TimelineOptions, 'keepSeries' | 'window'> = {}): TimelineRecorder {
  return new TimelineRecorder({ maxBytes: REPORT_MAX_BYTES, ...options, keepSeries: true });
}

/**
 * For long runs (tens of thousands of requests): a first pass keeps only a coarse series, and the
 * report re-runs the pair recording just the chosen window (`TimelinePair.rerecord`).
 */
export function seriesRecorder(resolutionSeconds = 1): TimelineRecorder {
  return new TimelineRecorder({ keepSeries: true, seriesOnly: true, seriesResolution: resolutionSeconds });
}

/** The recorder of a second pass, for the events of `window` only. */
export function windowRecorder(
  window: readonly [number, number],
  options: Omit<TimelineOptions, 'keepSeries' | 'window'> = {},
): TimelineRecorder {
  return new TimelineRecorder({ maxBytes: REPORT_MAX_BYTES, ...options, window: [window[0], window[1]] });
}

/** The pair, or undefined when the reference side cannot be run. */
export async function timelinePair(
  workload: string,
  student: RecordedRun | undefined,
  reference: () => Promise<RecordedRun>,
): Promise<TimelinePair | undefined> {
  if (student === undefined) return undefined;
  try {
    return { workload, student, reference: await reference() };
  } catch {
    return undefined;
  }
}

/**
 * A recorded run as plain data (TimelineRecorder.freeze), so a trusted run's timeline can be kept in
 * the result cache (result-cache.ts) instead of being simulated again for every report.
 */
export const FrozenRun = z.strictObject({
  endTime: z.number(),
  data: z.strictObject({
    metadata: z.array(z.string()),
    lines: z.array(z.string()),
    spans: z.array(z.number()),
    series: z
      .strictObject({
        time: z.array(z.number()),
        queued: z.array(z.number()),
        running: z.array(z.number()),
        kvBlocks: z.array(z.number()),
        kvCapacity: z.array(z.number()),
      })
      .optional(),
    window: z.tuple([z.number(), z.number()]).nullable(),
    maxBytes: z.number(),
    droppedEvents: z.number(),
    truncatedAt: z.number().nullable(),
  }),
});
export type FrozenRun = z.infer<typeof FrozenRun>;

export function freezeRun(recorder: TimelineRecorder, endTime: number): FrozenRun {
  const d = recorder.freeze(endTime);
  const window: [number, number] | null = d.window === null ? null : [d.window[0], d.window[1]];
  return { endTime, data: { ...d, metadata: [...d.metadata], lines: [...d.lines], spans: [...d.spans], window } };
}

export const thawRun = ({ endTime, data }: FrozenRun): RecordedRun => ({
  endTime,
  recorder: new FrozenTimeline({ ...data, series: data.series }),
});

/** One run recorded for the report, frozen: `simulate` gets the recorder as its observers. */
export function recordRun(
  simulate: (observers: SimulationObserver[]) => { readonly endTime: number },
  options: Omit<TimelineOptions, 'keepSeries' | 'window'> = {},
): FrozenRun {
  const recorder = reportRecorder(options);
  return freezeRun(recorder, simulate([recorder]).endTime);
}

/**
 * The report's pair with the reference's run from the result cache (`key`); undefined when the
 * student's run cannot be recorded (it does not replay: the scored runs say why).
 */
export async function cachedTimelinePair(
  key: CacheKey,
  workload: string,
  student: () => FrozenRun,
  reference: () => Promise<FrozenRun>,
): Promise<TimelinePair | undefined> {
  let mine: FrozenRun;
  try {
    mine = student();
  } catch {
    return undefined;
  }
  return timelinePair(workload, thawRun(mine), async () => thawRun(await cached(key, FrozenRun, reference)));
}
