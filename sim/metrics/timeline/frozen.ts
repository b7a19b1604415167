/**
 * A finished timeline as plain data, and its rendering to trace-event JSON. `TimelineRecorder.freeze`
 * makes one; it survives a structured clone (a worker thread's message), so a run recorded in one
 * thread can be compared and written in another.
 */
import type { TimelineInfo } from './trace-event.js';

/** Cluster-wide state after each change: queued requests (router + replicas' waiting), running ones, and KV blocks in use. */
export interface TimelineSeries {
  readonly time: number[];
  readonly queued: number[];
  /** Requests holding KV blocks on some replica. */
  readonly running: number[];
  readonly kvBlocks: number[];
  /** KV blocks of every replica that existed, summed (the denominator for a usage share). */
  readonly kvCapacity: number[];
}

export interface TimelineData {
  /** Track names and sort order (always written). */
  readonly metadata: readonly string[];
  /** Serialised events in the order they happened, and the simulated [start, end] of each, flat. */
  readonly lines: readonly string[];
  readonly spans: readonly number[];
  readonly series: TimelineSeries | undefined;
  /** The window the recorder kept, or null for the whole run. */
  readonly window: readonly [number, number] | null;
  readonly maxBytes: number;
  readonly droppedEvents: number;
  readonly truncatedAt: number | null;
}

/** The trace-event JSON text, narrowed to the events overlapping `window` (seconds) when given. */
export function renderTimeline(data: TimelineData, window?: readonly [number, number]): string {
  const lines =
    window === undefined
      ? data.lines
      : data.lines.filter((_, i) => data.spans[2 * i + 1]! >= window[0] && data.spans[2 * i]! <= window[1]);
  const kept = window ?? data.window;
  const info: TimelineInfo = {
    generator: 'servelab',
    window: kept === null ? null : [kept[0], kept[1]],
    maxBytes: data.maxBytes,
    droppedEvents: data.droppedEvents,
    truncatedAt: data.truncatedAt,
  };
  const events = [...data.metadata, ...lines];
  return `{"traceEvents":[\n${events.join(',\n')}\n],\n"displayTimeUnit":"ms",\n"otherData":${JSON.stringify(info)}}\n`;
}

/** A frozen timeline with the recorder's reading interface (`series`, `toJson`). */
export class FrozenTimeline {
  constructor(readonly data: TimelineData) {}

  get series(): TimelineSeries | undefined {
    return this.data.series;
  }

  toJson(_endTime: number, window?: readonly [number, number]): string {
    return renderTimeline(this.data, window);
  }
}
