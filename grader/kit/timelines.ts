/**
 * Recording a student's run and the reference's on one public workload for the report's
 * side-by-side timeline (grader/report/timeline-view.ts). The timeline is an extra: if the
 * reference cannot be loaded (the student handout ships without reference/) or its run fails, the
 * item is scored as before and the report simply has no timeline.
 */
import { z } from 'zod';
import {
  FrozenTimeline,
  TimelineRecorder,
  type TimelineData,
  type TimelineOptions,
  type TimelineSeries,
} from '../../sim/metrics/timeline/index.js';
import { mostDifferentWindow, type RecordedRun, type TimelinePair } from '../report/timeline-view.js';

export type { TimelinePair };
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

/**
 * `data` keeping only the events that overlap `window` (the same test the trace file's rendering
 * applies), so a long run recorded in a worker crosses to the grader's thread small: the report
 * shows that window only.
 */
export function narrowToWindow(data: TimelineData, window: readonly [number, number]): TimelineData {
  const lines: string[] = [];
  const spans: number[] = [];
  for (let i = 0; i < data.lines.length; i++) {
    const start = data.spans[2 * i]!;
    const end = data.spans[2 * i + 1]!;
    if (end < window[0] || start > window[1]) continue;
    lines.push(data.lines[i]!);
    spans.push(start, end);
  }
  return { ...data, lines, spans, window: [window[0], window[1]] };
}

/**
 * `data` (a whole recorded run) narrowed to the window the report will show beside `reference` (a series
 * of the reference's run on the same workload): the same choice `timelineView` makes from the two series.
 */
export function narrowToShownWindow(
  data: TimelineData,
  endTime: number,
  reference: { readonly series: TimelineSeries; readonly endTime: number },
): TimelineData {
  if (data.series === undefined) throw new Error('narrowToShownWindow: the recorder needs keepSeries: true');
  const { window } = mostDifferentWindow(data.series, reference.series, Math.max(endTime, reference.endTime));
  return narrowToWindow(data, window);
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
 * The pair from the student's run recorded with `reportRecorder(options)` (`record` runs it, usually a
 * replay, and returns its end time) and the reference's; undefined when the student's run throws (the
 * scored runs say why) or the reference side cannot be run.
 */
export async function recordedPair(
  workload: string,
  record: (recorder: TimelineRecorder) => number,
  reference: () => Promise<RecordedRun>,
  options: Omit<TimelineOptions, 'keepSeries' | 'window'> = {},
): Promise<TimelinePair | undefined> {
  const recorder = reportRecorder(options);
  let endTime: number;
  try {
    endTime = record(recorder);
  } catch {
    return undefined;
  }
  return timelinePair(workload, { recorder, endTime }, reference);
}

const numbers = z.array(z.number());

/** A frozen timeline (TimelineRecorder.freeze) as data that crossed a thread or came from the result cache. */
export const TimelineDataSchema: z.ZodType<TimelineData> = z
  .strictObject({
    metadata: z.array(z.string()),
    lines: z.array(z.string()),
    spans: numbers,
    series: z
      .strictObject({ time: numbers, queued: numbers, running: numbers, kvBlocks: numbers, kvCapacity: numbers })
      .optional(),
    window: z.tuple([z.number(), z.number()]).nullable(),
    maxBytes: z.number(),
    droppedEvents: z.number(),
    truncatedAt: z.number().nullable(),
  })
  // JSON drops an undefined series; TimelineData always has the key.
  .transform((d) => ({ ...d, series: d.series }));

/** A recorded run as plain data: what a worker thread sends back, and what `cached(...)` keeps of a reference run. */
export const FrozenRun = z.strictObject({ data: TimelineDataSchema, endTime: z.number() });
export type FrozenRun = z.infer<typeof FrozenRun>;

/** The report's reading interface over a frozen run. */
export function thawRun(run: FrozenRun): RecordedRun {
  return { recorder: new FrozenTimeline(run.data), endTime: run.endTime };
}

/**
 * A trusted run (the reference's, on the workload of the student's timeline) recorded with
 * `reportRecorder(options)` through the result cache: `record` runs it and returns its end time.
 */
export async function cachedRecording(
  key: CacheKey,
  record: (recorder: TimelineRecorder) => number | Promise<number>,
  options: Omit<TimelineOptions, 'keepSeries' | 'window'> = {},
): Promise<RecordedRun> {
  const frozen = await cached(key, FrozenRun, async () => {
    const recorder = reportRecorder(options);
    const endTime = await record(recorder);
    return { data: recorder.freeze(endTime), endTime };
  });
  return thawRun(frozen);
}
