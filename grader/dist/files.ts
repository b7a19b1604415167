/** Shared helpers for building distributions: walking the repo, copying with filters, zipping. */
import { copyFileSync, lstatSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { makeSubmissionZip, ZIP_EXECUTABLE_MODE, ZIP_FILE_MODE } from '../submit/make-zip.js';

/** Files under `root/rel` (recursively), as repo-relative POSIX paths, sorted. */
export function listFiles(root: string, rel: string, skip: (path: string) => boolean = () => false): string[] {
  const out: string[] = [];
  const walk = (abs: string) => {
    const r = relative(root, abs).split('\\').join('/');
    if (skip(r)) return;
    const st = lstatSync(abs);
    if (st.isDirectory()) for (const name of readdirSync(abs).sort()) walk(join(abs, name));
    else if (st.isFile()) out.push(r);
  };
  walk(join(root, rel));
  return out;
}

export function copyFiles(root: string, files: readonly string[], outDir: string): void {
  for (const f of files) {
    const to = join(outDir, f);
    mkdirSync(dirname(to), { recursive: true });
    copyFileSync(join(root, f), to);
  }
}

export function freshDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
}

/**
 * A deterministic zip of a whole folder (sorted names, fixed dates), paths inside prefixed by `prefix`.
 * Files with an execute bit are stored 0755 (run_autograder, setup.sh, submit.sh), the rest 0644, so
 * extracted scripts run directly.
 */
export async function zipFolder(dir: string, out: string, prefix = ''): Promise<void> {
  const files = listFiles(dir, '.');
  const mode = (f: string) => ((statSync(join(dir, f)).mode & 0o111) !== 0 ? ZIP_EXECUTABLE_MODE : ZIP_FILE_MODE);
  await makeSubmissionZip({
    files: files.map((f) => ({ name: `${prefix}${f}`, path: join(dir, f), mode: mode(f) })),
    out,
  });
}

/**
 * A skip filter for `listFiles` that leaves out the grading code of every lab but `keep`
 * (`grader/labs/<lab>/`); the catalogue, the shared helpers and the kit stay. With those folders and
 * `labs/<lab>/manifest.json` copied for `keep` only, the copy's catalogue knows exactly those labs.
 */
export function otherLabsCode(keep: readonly string[], all: readonly string[]): (path: string) => boolean {
  const drop = all.filter((l) => !keep.includes(l));
  return (p) => drop.some((l) => p === `grader/labs/${l}` || p.startsWith(`grader/labs/${l}/`));
}
