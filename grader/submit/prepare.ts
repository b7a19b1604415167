/**
 * What ./submit.sh does, as a function: check the lab's student files (present, regular, within the
 * grader's size cap, UTF-8, transpile), warn about untouched stubs (by the shipped stubs' fingerprints,
 * never git), write `<lab>-submission.zip` and read it back through the grader's own intake, so a zip
 * this writes is one the grader accepts. A failed run removes an older zip, so it cannot be uploaded
 * by mistake.
 */
import { lstat, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { DEFAULT_INTAKE_LIMITS, formatBytes } from '../intake/limits.js';
import { readSubmission } from '../intake/read-submission.js';
import { makeSubmissionZip } from './make-zip.js';
import { fingerprint, readStubFingerprints } from './stub-fingerprint.js';

export interface PrepareOptions {
  readonly repoRoot: string;
  readonly lab: string;
  /** Relative to studentDir, e.g. `ai-router.ts`. */
  readonly files: readonly string[];
  /** e.g. `starter/routing`. */
  readonly studentDir: string;
  /** Where `<lab>-submission.zip` goes. */
  readonly outDir: string;
  /** Compare with the shipped stubs' fingerprints, labs/<lab>/starter-fingerprints.json (default true). */
  readonly checkStub?: boolean;
}

export interface PrepareReport {
  /** Set when the zip was written. */
  readonly zipPath?: string;
  /** Entry names in the zip, e.g. `starter/routing/ai-router.ts`. */
  readonly entries: string[];
  readonly zipBytes: number;
  /** Problems that stopped the zip from being written: "where: what; fix". */
  readonly errors: string[];
  /** Worth reading, but the zip was written. */
  readonly warnings: string[];
  /** Informational (e.g. a check that was skipped and why). */
  readonly notes: string[];
  /** An older zip this failed run removed. */
  readonly removedZip?: string;
}

export async function prepareSubmission(opts: PrepareOptions): Promise<PrepareReport> {
  const errors: string[] = [];
  const warnings: string[] = [];
  const notes: string[] = [];
  const entries = opts.files.map((file) => `${opts.studentDir}/${file}`);
  const texts = new Map<string, Buffer>();

  for (const entry of entries) {
    const path = join(opts.repoRoot, entry);
    const info = await lstat(path).catch(() => undefined);
    if (info === undefined) {
      errors.push(
        `${entry}: file not found; the ${opts.lab} lab is graded from this file: copy the stub back from your handout zip (servelab/${entry}) and put your code in it`,
      );
      continue;
    }
    if (!info.isFile()) {
      errors.push(
        `${entry}: not a regular file${info.isSymbolicLink() ? ' (a symbolic link)' : ''}; put the code itself there`,
      );
      continue;
    }
    if (info.size > DEFAULT_INTAKE_LIMITS.maxEntryBytes) {
      errors.push(
        `${entry}: ${formatBytes(info.size)}; the grader accepts files up to ${formatBytes(DEFAULT_INTAKE_LIMITS.maxEntryBytes)}, move data out of it`,
      );
      continue;
    }
    const bytes = await readFile(path);
    texts.set(entry, bytes);
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      errors.push(`${entry}: not valid UTF-8 text; save it as UTF-8`);
      continue;
    }
    errors.push(...(await transpileErrors(entry, text)));
  }

  if (opts.checkStub !== false) {
    const stubs = readStubFingerprints(opts.repoRoot, opts.lab);
    if (typeof stubs === 'string') notes.push(`skipped the untouched-stub check: ${stubs}`);
    else {
      for (const [entry, bytes] of texts) {
        const file = entry.slice(opts.studentDir.length + 1);
        if (stubs.files[file] !== undefined && stubs.files[file] === fingerprint(bytes)) {
          warnings.push(
            `${entry} is the starter stub exactly as shipped: you are submitting it unchanged (it scores nothing)`,
          );
        }
      }
    }
  }

  const zipPath = join(opts.outDir, `${opts.lab}-submission.zip`);
  if (errors.length > 0) {
    const old = await lstat(zipPath).catch(() => undefined);
    if (old === undefined) return { entries, zipBytes: 0, errors, warnings, notes };
    await rm(zipPath, { force: true });
    return { entries, zipBytes: 0, errors, warnings, notes, removedZip: zipPath };
  }

  // Written beside the target and renamed: an interrupted run never leaves a half-written zip behind.
  const partial = `${zipPath}.partial-${process.pid}`;
  try {
    await makeSubmissionZip({
      files: entries.map((name) => ({ name, path: join(opts.repoRoot, name) })),
      out: partial,
    });
    await rename(partial, zipPath);
  } finally {
    await rm(partial, { force: true });
  }
  const check = await readSubmission(zipPath, opts.files, {
    studentDir: opts.studentDir,
    hint: `./submit.sh ${opts.lab}`,
  });
  for (const problem of check.problems) errors.push(`the written zip failed the grader's intake: ${problem.message}`);
  const zipBytes = (await lstat(zipPath)).size;
  return { zipPath, entries, zipBytes, errors, warnings, notes };
}

async function transpileErrors(entry: string, text: string): Promise<string[]> {
  try {
    await esbuild.transform(text, { loader: 'ts', format: 'esm', sourcefile: entry, logLevel: 'silent' });
    return [];
  } catch (err) {
    const messages = (err as { errors?: esbuild.Message[] }).errors ?? [];
    if (messages.length === 0) return [`${entry}: does not transpile: ${(err as Error).message}`];
    return messages.map((m) => {
      const loc = m.location;
      if (loc === null) return `${entry}: ${m.text}`;
      const column = Buffer.from(loc.lineText, 'utf8').subarray(0, loc.column).toString('utf8').length + 1;
      return `${entry}:${loc.line}:${column}: ${m.text}`;
    });
  }
}
