/** `--timeline FILE`: the recorder options a config asks for, and writing the file after the run. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { SimulationConfig } from '../config/schema.js';
import { InputError } from '../errors.js';
import { TimelineRecorder, type TimelineOptions } from '../metrics/timeline/index.js';

/** Parses "START,END" (seconds); the schema has already checked the shape. */
export function parseTimelineWindow(text: string): [number, number] {
  const [start, end] = text.split(',').map(Number) as [number, number];
  if (!(end > start)) throw new InputError(`--timeline-window ${text}: END must be after START`);
  return [start, end];
}

export function timelineOptions(config: SimulationConfig): TimelineOptions {
  const chunked = config.replicaScheduler.startsWith('sarathi');
  return {
    window: config.timelineWindow === undefined ? undefined : parseTimelineWindow(config.timelineWindow),
    maxBytes: Math.floor(config.timelineMaxMb * 1024 * 1024),
    tierDeadlines: config.tierDeadlines,
    chunkSize: chunked ? config.chunkSize : undefined,
  };
}

/** A recorder for the config's `--timeline`, or undefined when it is not asked for. */
export function timelineRecorder(config: SimulationConfig): TimelineRecorder | undefined {
  if (config.timeline === undefined) return undefined;
  if (config.capacitySearch !== undefined || config.cfsIntervalSweep !== undefined) {
    throw new InputError(
      '--timeline records one run; it cannot be combined with --capacity-search or --cfs-interval-sweep',
    );
  }
  return new TimelineRecorder(timelineOptions(config));
}

/** Writes the file; returns its absolute path and size in bytes. */
export function writeTimeline(
  file: string,
  recorder: TimelineRecorder,
  endTime: number,
): { path: string; bytes: number } {
  const path = resolve(file);
  mkdirSync(dirname(path), { recursive: true });
  const text = recorder.toJson(endTime);
  writeFileSync(path, text);
  return { path, bytes: Buffer.byteLength(text) };
}
