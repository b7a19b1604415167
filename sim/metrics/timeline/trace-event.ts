/**
 * The Chrome trace-event kinds a servelab timeline uses, as zod schemas (the format Perfetto and
 * chrome://tracing open; Google's "Trace Event Format" document). Timestamps and durations are
 * microseconds. Tests validate written files against `TimelineFile`; the writer builds its events
 * from these types.
 */
import { z } from 'zod';

const micros = z.number().finite().nonnegative();
const id = z.number().int().nonnegative();
const common = { name: z.string(), pid: id, tid: id };
const args = z.record(z.string(), z.unknown());

/** `process_name`, `thread_name` and the sort indexes that order the tracks. */
export const MetadataEvent = z
  .object({
    ...common,
    ph: z.literal('M'),
    name: z.enum(['process_name', 'thread_name', 'process_sort_index', 'thread_sort_index']),
    args: z.union([z.object({ name: z.string() }).strict(), z.object({ sort_index: z.number().int() }).strict()]),
  })
  .strict();

/** A complete slice: a batch on a replica, a router call, an arrival or a completion. */
export const CompleteEvent = z
  .object({ ...common, cat: z.string(), ph: z.literal('X'), ts: micros, dur: micros, args: args.optional() })
  .strict();

/** A counter sample; each key of `args` is one series of the counter track. */
export const CounterEvent = z
  .object({ ...common, ph: z.literal('C'), ts: micros, args: z.record(z.string(), z.number().finite()) })
  .strict();

/** Scale-ups, scale-downs, relegations, deadline misses; scope thread, process or global. */
export const InstantEvent = z
  .object({
    ...common,
    cat: z.string(),
    ph: z.literal('i'),
    ts: micros,
    s: z.enum(['t', 'p', 'g']),
    args: args.optional(),
  })
  .strict();

/** A request's flow: start at its arrival, a step at its routing and at each of its batches, finish at its completion. */
export const FlowEvent = z
  .object({
    ...common,
    cat: z.string(),
    ph: z.enum(['s', 't', 'f']),
    ts: micros,
    id,
    bp: z.literal('e').optional(),
  })
  .strict();

export const TraceEvent = z.union([MetadataEvent, CompleteEvent, CounterEvent, InstantEvent, FlowEvent]);
export type TraceEvent = z.infer<typeof TraceEvent>;
export type CompleteEvent = z.infer<typeof CompleteEvent>;
export type CounterEvent = z.infer<typeof CounterEvent>;
export type InstantEvent = z.infer<typeof InstantEvent>;
export type FlowEvent = z.infer<typeof FlowEvent>;
export type MetadataEvent = z.infer<typeof MetadataEvent>;

/** What the writer records about the recording itself (window, size bound, whether it was cut short). */
export const TimelineInfo = z
  .object({
    generator: z.literal('servelab'),
    /** Simulated seconds [start, end] kept, or null for the whole run. */
    window: z.tuple([z.number(), z.number()]).nullable(),
    maxBytes: z.number().int().positive(),
    /** Events left out because the file reached `maxBytes` (0: nothing left out). */
    droppedEvents: z.number().int().nonnegative(),
    /** Simulated second at which the size bound was reached, or null. */
    truncatedAt: z.number().nullable(),
  })
  .strict();
export type TimelineInfo = z.infer<typeof TimelineInfo>;

/** The JSON-object form of the trace-event format. */
export const TimelineFile = z
  .object({
    traceEvents: z.array(TraceEvent),
    displayTimeUnit: z.literal('ms'),
    otherData: TimelineInfo,
  })
  .strict();
export type TimelineFile = z.infer<typeof TimelineFile>;
