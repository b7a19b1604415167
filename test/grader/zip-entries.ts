/** Reading zips in tests with yauzl (the grader's own zip reader), so no test needs python3 or unzip. */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as yauzl from 'yauzl';

export interface ZipEntryInfo {
  readonly name: string;
  /** Unix permission bits (e.g. 0o755), from the entry's external attributes. */
  readonly mode: number;
  readonly data: Buffer;
}

export async function readZipEntries(path: string): Promise<ZipEntryInfo[]> {
  const zip = await yauzl.openPromise(path, { lazyEntries: true });
  const out: ZipEntryInfo[] = [];
  try {
    for await (const entry of zip.eachEntry()) {
      if (entry.fileName.endsWith('/')) continue;
      const stream = await zip.openReadStreamPromise(entry);
      const chunks: Buffer[] = [];
      for await (const chunk of stream) chunks.push(chunk as Buffer);
      out.push({
        name: entry.fileName,
        mode: (entry.externalFileAttributes >>> 16) & 0o7777,
        data: Buffer.concat(chunks),
      });
    }
  } finally {
    zip.close();
  }
  return out;
}

/** Extracts every entry under `dest`, keeping its permission bits (as `unzip` does). */
export async function extractZip(path: string, dest: string): Promise<void> {
  for (const e of await readZipEntries(path)) {
    const to = join(dest, e.name);
    mkdirSync(dirname(to), { recursive: true });
    writeFileSync(to, e.data);
    if (e.mode !== 0) chmodSync(to, e.mode);
  }
}
