/**
 * Caps on student-controlled sizes (grading.md §3.8). They bound what a submission can make the
 * grader read or unpack, so a zip bomb or a pasted data set fails fast with a named limit instead of
 * exhausting memory or disk.
 */
export interface IntakeLimits {
  /** Largest accepted student file, uncompressed. */
  readonly maxEntryBytes: number;
  /** Most entries (files, folders, links) a submission may hold. */
  readonly maxEntries: number;
  /** Largest total of all entries' uncompressed sizes. */
  readonly maxTotalBytes: number;
  /** Largest accepted .zip file on disk (compressed). */
  readonly maxArchiveBytes: number;
}

export const DEFAULT_INTAKE_LIMITS: Readonly<IntakeLimits> = Object.freeze({
  maxEntryBytes: 256 * 1024,
  maxEntries: 200,
  maxTotalBytes: 2 * 1024 * 1024,
  maxArchiveBytes: 4 * 1024 * 1024,
});

/** "256 KiB", "2 MiB", "1.5 MiB", "300 bytes": limits read better in binary units. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  const [value, unit] = bytes < 1024 * 1024 ? [bytes / 1024, 'KiB'] : [bytes / (1024 * 1024), 'MiB'];
  const text = Number.isInteger(value) ? String(value) : value.toFixed(1);
  return `${text} ${unit}`;
}
