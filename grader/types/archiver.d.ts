/**
 * Minimal types for archiver 8 (ESM-only, ships none): only what grader/submit uses. v8 replaced the
 * v7 factory `archiver('zip')` with classes (`new ZipArchive(options)`), see grading.md §6.
 */
declare module 'archiver' {
  import type { Transform, Readable } from 'node:stream';
  import type { ZlibOptions } from 'node:zlib';

  export interface ZipOptions {
    readonly zlib?: ZlibOptions;
    readonly comment?: string;
    /** Write DOS times in local time instead of UTC (UTC keeps zips identical across time zones). */
    readonly forceLocalTime?: boolean;
    readonly forceZip64?: boolean;
    readonly store?: boolean;
  }

  export interface EntryData {
    /** Path inside the archive; archiver normalises it (`../x` becomes `x`). */
    readonly name: string;
    readonly date?: Date | string;
    /** Unix permission bits, e.g. 0o644. */
    readonly mode?: number;
    readonly prefix?: string;
    readonly store?: boolean;
  }

  export class ZipArchive extends Transform {
    constructor(options?: ZipOptions);
    append(source: Buffer | string | Readable, data: EntryData): this;
    /** Resolves when the archive stream has ended, not when a piped file is flushed. */
    finalize(): Promise<void>;
    abort(): this;
    /** Bytes emitted so far. */
    pointer(): number;
  }
}
