/**
 * Intake: takes exactly the lab's student files out of a submission (.zip or folder) as UTF-8 text.
 *
 * Everything here is student-controlled input, so nothing throws for a bad submission: every reason to
 * reject it becomes an `IntakeProblem` with a code and a "where, what, how to fix" message. Nothing is
 * ever unpacked to disk; the build writes only the returned texts, under names the grader chose.
 *
 * A wanted name matches an entry whose path equals it or ends with `/<name>`, so the zip written by
 * ./submit.sh (`starter/routing/ai-router.ts`), a bare `ai-router.ts` and a zipped repository folder
 * are all accepted; two candidates for one name are ambiguous rather than guessed between.
 */
import { constants as fsConstants } from 'node:fs';
import { lstat, open, readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import * as yauzl from 'yauzl';
import { DEFAULT_INTAKE_LIMITS, formatBytes, type IntakeLimits } from './limits.js';

export type IntakeProblemCode =
  | 'not-found'
  | 'not-a-zip'
  | 'corrupt-zip'
  | 'zip-slip'
  | 'too-large'
  | 'too-many-entries'
  | 'missing-file'
  | 'ambiguous'
  | 'symlink'
  | 'hard-link'
  | 'not-utf8'
  | 'unreadable';

export interface IntakeProblem {
  readonly code: IntakeProblemCode;
  /** The wanted name or the entry path the problem is about, when there is one. */
  readonly file?: string;
  readonly message: string;
}

export interface IntakeOptions extends IntakeLimits {
  /**
   * How the submission should be made, for the missing-file message: a command such as
   * `./submit.sh routing` ("… as produced by ./submit.sh routing"), or a function returning the whole
   * explanation for one file.
   */
  readonly hint?: string | ((file: string) => string);
  /** The lab's student folder (e.g. `starter/routing`), so a missing file is named by its full path. */
  readonly studentDir?: string;
}

export interface IntakeResult {
  /** Wanted name → file text, only for files read without a problem. */
  readonly files: Map<string, string>;
  readonly problems: IntakeProblem[];
  /** Entries that are not wanted (sorted, informational). */
  readonly ignored: string[];
}

type EntryKind = 'file' | 'dir' | 'symlink' | 'other';

interface ListedEntry {
  /** Relative path with '/' separators, no trailing '/'. */
  readonly path: string;
  readonly kind: EntryKind;
  /** Uncompressed size as declared (zip) or measured (lstat). */
  readonly size: number;
  /** Folder entries: the file's link count (lstat). Above one, other names share its data: a hard link. */
  readonly links?: number;
  /** Reads at most `cap + 1` bytes, so an oversized entry is detected without reading all of it. */
  readonly read: (cap: number) => Promise<Buffer>;
}

interface Listing {
  readonly entries: ListedEntry[];
  /** A problem that rejects the whole submission (nothing is taken from it). */
  readonly fatal?: IntakeProblem;
  /** Things skipped while listing (e.g. node_modules/ in a folder). */
  readonly skipped: string[];
  readonly close: () => Promise<void>;
}

const RESUBMIT = 'make the zip with ./submit.sh <lab> and upload it unchanged';

export async function readSubmission(
  path: string,
  wanted: readonly string[],
  limits: Partial<IntakeOptions> = {},
): Promise<IntakeResult> {
  const options: IntakeOptions = { ...DEFAULT_INTAKE_LIMITS, ...limits };
  const listing = await list(path, options);
  try {
    if (listing.fatal !== undefined) return { files: new Map(), problems: [listing.fatal], ignored: [] };
    return await take(listing, wanted, options);
  } finally {
    await listing.close();
  }
}

async function list(path: string, options: IntakeOptions): Promise<Listing> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(path);
  } catch (err) {
    return failed({ code: 'not-found', message: `cannot read the submission ${path}: ${errorText(err)}` });
  }
  if (info.isDirectory()) return listDirectory(path, options);
  if (!info.isFile()) {
    return failed({ code: 'not-a-zip', message: `${path} is neither a .zip file nor a folder; ${RESUBMIT}` });
  }
  if (info.size > options.maxArchiveBytes) {
    return failed({
      code: 'too-large',
      message:
        `${basename(path)} is ${formatBytes(info.size)}; the grader accepts zips up to ` +
        `${formatBytes(options.maxArchiveBytes)}. Submit only the lab's files (${RESUBMIT})`,
    });
  }
  return listZip(path, options);
}

function failed(problem: IntakeProblem): Listing {
  return { entries: [], fatal: problem, skipped: [], close: async () => {} };
}

// ---------------------------------------------------------------------------------------------------
// Zip archives

async function listZip(path: string, options: IntakeOptions): Promise<Listing> {
  let zip: yauzl.ZipFile;
  try {
    // lazyEntries: we pull entries one at a time and can stop at the caps; strictFileNames: a '\' is
    // rejected instead of silently becoming a '/'; validateEntrySizes: a stream that inflates past its
    // declared size errors out, so the declared sizes we check below cannot lie (zip bombs).
    zip = await yauzl.openPromise(path, {
      lazyEntries: true,
      autoClose: false,
      strictFileNames: true,
      validateEntrySizes: true,
    });
  } catch (err) {
    return failed({
      code: 'not-a-zip',
      message: `${basename(path)} is not a readable zip archive (${errorText(err)}); ${RESUBMIT}`,
    });
  }
  const close = async (): Promise<void> => {
    if (zip.isOpen) zip.close();
  };
  const tooMany = tooManyEntries(options);
  // The central directory states the entry count up front: reject before reading a single header.
  if (zip.entryCount > options.maxEntries) return { ...failed(tooMany), close };

  const entries: ListedEntry[] = [];
  let total = 0;
  try {
    for await (const entry of zip.eachEntry()) {
      if (entries.length >= options.maxEntries) return { ...failed(tooMany), close };
      total += entry.uncompressedSize;
      if (total > options.maxTotalBytes) return { ...failed(tooLargeTotal(total, options)), close };
      const name = entry.fileName;
      entries.push({
        path: name.replace(/\/+$/, ''),
        kind: zipEntryKind(entry),
        size: entry.uncompressedSize,
        read: async (cap) => readZipEntry(zip, entry, cap),
      });
    }
  } catch (err) {
    return { ...failed(zipListingProblem(path, err)), close };
  }
  return { entries, skipped: [], close };
}

/** Unix file type bits live in the top 16 bits of the external attributes (when made on Unix). */
function zipEntryKind(entry: yauzl.Entry): EntryKind {
  if (entry.fileName.endsWith('/')) return 'dir';
  const type = (entry.externalFileAttributes >>> 16) & 0o170000;
  if (type === 0o120000) return 'symlink';
  if (type === 0o040000) return 'dir';
  if (type === 0 || type === 0o100000) return 'file';
  return 'other';
}

async function readZipEntry(zip: yauzl.ZipFile, entry: yauzl.Entry, cap: number): Promise<Buffer> {
  const stream = await zip.openReadStreamPromise(entry);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    chunks.push(chunk);
    size += chunk.length;
    if (size > cap) {
      // Stop inflating: the caller only needs to know the entry is over the cap.
      stream.destroy();
      break;
    }
  }
  return Buffer.concat(chunks);
}

/** yauzl reports unsafe names and damaged archives as plain errors; sort them by their message. */
function zipListingProblem(path: string, err: unknown): IntakeProblem {
  const text = errorText(err);
  const unsafe = /^(invalid relative path|absolute path|invalid characters in fileName): (.*)$/s.exec(text);
  if (unsafe !== null) {
    const [, reason, name] = unsafe;
    return {
      code: 'zip-slip',
      file: name,
      message:
        `unsafe path in the zip: "${name}" (${reason}). Entries must be relative paths inside the ` +
        `archive, without "..", a leading "/", a drive letter or "\\"; ${RESUBMIT}`,
    };
  }
  return {
    code: 'corrupt-zip',
    message: `${basename(path)} is damaged or uses an unsupported zip feature (${text}); ${RESUBMIT}`,
  };
}

// ---------------------------------------------------------------------------------------------------
// Folders

/** Tool folders that are never part of a submission; skipping them keeps a zipped repo within caps. */
const SKIPPED_DIRS: ReadonlySet<string> = new Set(['node_modules', '.git']);

async function listDirectory(root: string, options: IntakeOptions): Promise<Listing> {
  const entries: ListedEntry[] = [];
  const skipped: string[] = [];
  let total = 0;
  // Depth-first with sorted names, so listings and problems are the same on every machine.
  const walk = async (rel: string): Promise<IntakeProblem | undefined> => {
    const dirents = await readdir(join(root, rel), { withFileTypes: true });
    dirents.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const dirent of dirents) {
      const path = rel === '' ? dirent.name : `${rel}/${dirent.name}`;
      if (dirent.isDirectory() && SKIPPED_DIRS.has(dirent.name)) {
        skipped.push(`${path}/`);
        continue;
      }
      if (entries.length >= options.maxEntries) return tooManyEntries(options);
      const full = join(root, path);
      // Dirent types come from lstat semantics: a symlink is reported as such and never followed.
      const kind: EntryKind = dirent.isSymbolicLink()
        ? 'symlink'
        : dirent.isDirectory()
          ? 'dir'
          : dirent.isFile()
            ? 'file'
            : 'other';
      const info = kind === 'file' ? await lstat(full) : undefined;
      const size = info?.size ?? 0;
      total += size;
      if (total > options.maxTotalBytes) return tooLargeTotal(total, options);
      entries.push({
        path,
        kind,
        size,
        ...(info !== undefined ? { links: info.nlink } : {}),
        read: async (cap) => readFileNoFollow(full, cap),
      });
      if (kind === 'dir') {
        const problem = await walk(path);
        if (problem !== undefined) return problem;
      }
    }
    return undefined;
  };
  try {
    const problem = await walk('');
    if (problem !== undefined) return failed(problem);
  } catch (err) {
    return failed({ code: 'unreadable', message: `cannot list the submission folder ${root}: ${errorText(err)}` });
  }
  return { entries, skipped, close: async () => {} };
}

/** Thrown when a file gained a second link between listing and reading. */
class HardLinkError extends Error {}

/**
 * O_NOFOLLOW: a file swapped for a symlink after listing is refused rather than followed; the link
 * count is checked again on the open file, so one swapped for a hard link is refused too.
 */
async function readFileNoFollow(path: string, cap: number): Promise<Buffer> {
  const handle = await open(path, fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW);
  try {
    if ((await handle.stat()).nlink > 1) throw new HardLinkError(path);
    const buffer = Buffer.alloc(cap + 1);
    let size = 0;
    while (size < buffer.length) {
      const { bytesRead } = await handle.read(buffer, size, buffer.length - size, null);
      if (bytesRead === 0) break;
      size += bytesRead;
    }
    return buffer.subarray(0, size);
  } finally {
    await handle.close();
  }
}

// ---------------------------------------------------------------------------------------------------
// Matching and reading the wanted files

async function take(listing: Listing, wanted: readonly string[], options: IntakeOptions): Promise<IntakeResult> {
  const files = new Map<string, string>();
  const problems: IntakeProblem[] = [];
  const candidates = new Map<string, ListedEntry[]>(wanted.map((name) => [name, []]));
  const used = new Set<ListedEntry>();
  for (const entry of listing.entries) {
    if (entry.kind === 'dir') continue;
    // The longest matching name wins, so `lib/a.ts` is not also a candidate for a wanted `a.ts`.
    let best: string | undefined;
    for (const name of wanted) {
      if (matches(entry.path, name) && (best === undefined || name.length > best.length)) best = name;
    }
    if (best === undefined) continue;
    candidates.get(best)!.push(entry);
    used.add(entry);
  }

  for (const name of wanted) {
    const found = candidates.get(name)!;
    if (found.length === 0) {
      problems.push({ code: 'missing-file', file: name, message: missingMessage(name, listing.entries, options) });
      continue;
    }
    if (found.length > 1) {
      const paths = found.map((e) => e.path).join(', ');
      problems.push({
        code: 'ambiguous',
        file: name,
        message: `ambiguous file ${name}: the submission holds ${found.length} candidates (${paths}); keep only one`,
      });
      continue;
    }
    const problem = await readWanted(name, found[0]!, options, files);
    if (problem !== undefined) problems.push(problem);
  }

  const ignored = [
    ...listing.entries.filter((e) => e.kind !== 'dir' && !used.has(e)).map((e) => e.path),
    ...listing.skipped,
  ].sort();
  return { files, problems, ignored };
}

function matches(path: string, name: string): boolean {
  return path === name || path.endsWith(`/${name}`);
}

async function readWanted(
  name: string,
  entry: ListedEntry,
  options: IntakeOptions,
  files: Map<string, string>,
): Promise<IntakeProblem | undefined> {
  if (entry.kind === 'symlink') {
    return {
      code: 'symlink',
      file: name,
      message: `${entry.path} is a symbolic link; the grader does not follow links. Submit the file itself`,
    };
  }
  if (entry.kind !== 'file') {
    return { code: 'unreadable', file: name, message: `${entry.path} is not a regular file; submit the file itself` };
  }
  // A hard link shares its data with a file elsewhere (possibly outside the submission, e.g. a
  // reference solution): refused like a symbolic link, since the grader reads only files you own.
  const hardLink: IntakeProblem = {
    code: 'hard-link',
    file: name,
    message: `${entry.path} is a hard link (the file has more than one name on disk); the grader does not read linked files. Submit a copy of the file itself`,
  };
  if ((entry.links ?? 1) > 1) return hardLink;
  // `exact` is false when reading stopped at the cap, so only "more than" the cap is known.
  const tooLarge = (size: number, exact: boolean): IntakeProblem => ({
    code: 'too-large',
    file: name,
    message:
      `${entry.path} is ${exact ? formatBytes(size) : `over ${formatBytes(options.maxEntryBytes)}`}; the limit ` +
      `per file is ${formatBytes(options.maxEntryBytes)}. Move generated data or large tables out of it`,
  });
  if (entry.size > options.maxEntryBytes) return tooLarge(entry.size, true);
  let bytes: Buffer;
  try {
    bytes = await entry.read(options.maxEntryBytes);
  } catch (err) {
    if (err instanceof HardLinkError) return hardLink;
    return { code: 'unreadable', file: name, message: `cannot read ${entry.path}: ${errorText(err)}; ${RESUBMIT}` };
  }
  // The declared size was within the cap but the data was not (a folder file that grew, a lying zip).
  if (bytes.length > options.maxEntryBytes) return tooLarge(bytes.length, false);
  try {
    files.set(name, new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return {
      code: 'not-utf8',
      file: name,
      message: `${entry.path} is not valid UTF-8 text; save it as UTF-8 (TypeScript source, not a binary or UTF-16 file)`,
    };
  }
  return undefined;
}

function missingMessage(name: string, entries: readonly ListedEntry[], options: IntakeOptions): string {
  const hint =
    typeof options.hint === 'function'
      ? options.hint(name)
      : `the submission must contain ${options.studentDir === undefined ? '' : `${options.studentDir}/`}${name}` +
        `${options.hint === undefined ? '' : ` as produced by ${options.hint}`} (at its root or in any folder)`;
  // A near miss (wrong case) is the most common cause; name it so the fix is obvious.
  const wantedBase = basename(name).toLowerCase();
  const nearMisses = entries
    .filter((e) => e.kind !== 'dir' && basename(e.path).toLowerCase() === wantedBase)
    .map((e) => e.path);
  const near = nearMisses.length === 0 ? '' : `; found ${nearMisses.join(', ')} instead (names are case-sensitive)`;
  return `missing file ${name}: ${hint}${near}`;
}

function tooManyEntries(options: IntakeOptions): IntakeProblem {
  return {
    code: 'too-many-entries',
    message:
      `the submission holds more than ${options.maxEntries} entries; submit only the lab's files ` +
      `(./submit.sh <lab> makes such a zip)`,
  };
}

function tooLargeTotal(total: number, options: IntakeOptions): IntakeProblem {
  return {
    code: 'too-large',
    message:
      `the submission unpacks to more than ${formatBytes(options.maxTotalBytes)} (at least ${total} bytes); ` +
      `submit only the lab's files (./submit.sh <lab> makes such a zip)`,
  };
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
