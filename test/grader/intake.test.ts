import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { readSubmission, type IntakeResult } from '../../grader/intake/index.js';
import { rawZip, type RawEntry } from './zip-writer.js';

const root = mkdtempSync(join(tmpdir(), 'servelab-intake-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const ROUTER = 'export class AiRouter {}\n';
let counter = 0;

function zipFile(entries: readonly RawEntry[]): string {
  const path = join(root, `z${counter++}.zip`);
  writeFileSync(path, rawZip(entries));
  return path;
}

function codes(result: IntakeResult): string[] {
  return result.problems.map((p) => p.code);
}

describe('readSubmission: zips', () => {
  test.each([
    ['starter/routing/ai-router.ts'],
    ['ai-router.ts'],
    ['routing/ai-router.ts'],
    ['my-work/servelab/starter/routing/ai-router.ts'],
  ])('takes the wanted file from %s and ignores the rest', async (name) => {
    const path = zipFile([
      { name: 'README.md', data: 'notes' },
      { name, data: ROUTER, method: 'deflate' },
      { name: 'starter/', mode: 0o040755 },
    ]);
    const result = await readSubmission(path, ['ai-router.ts']);
    expect(result.problems).toEqual([]);
    expect(result.files).toEqual(new Map([['ai-router.ts', ROUTER]]));
    expect(result.ignored).toEqual(['README.md']);
  });

  test('a wanted subpath matches only entries ending with that subpath', async () => {
    const path = zipFile([
      { name: 'x/lib/util.ts', data: 'u' },
      { name: 'x/util.ts', data: 'other' },
    ]);
    const result = await readSubmission(path, ['lib/util.ts']);
    expect(result.files.get('lib/util.ts')).toBe('u');
    expect(result.ignored).toEqual(['x/util.ts']);
  });

  test.each([
    ['../evil.ts', 'invalid relative path'],
    ['starter/../../evil.ts', 'invalid relative path'],
    ['/etc/ai-router.ts', 'absolute path'],
    ['C:/temp/ai-router.ts', 'absolute path'],
    ['starter\\routing\\ai-router.ts', 'invalid characters'],
  ])('rejects the unsafe entry name %s (zip-slip) and takes nothing', async (name, reason) => {
    const path = zipFile([
      { name: 'ai-router.ts', data: ROUTER },
      { name, data: 'x' },
    ]);
    const result = await readSubmission(path, ['ai-router.ts']);
    expect(codes(result)).toEqual(['zip-slip']);
    expect(result.problems[0]!.file).toBe(name);
    expect(result.problems[0]!.message).toContain(reason);
    expect(result.problems[0]!.message).toContain('./submit.sh');
    expect(result.files.size).toBe(0);
  });

  test('a wanted file over the per-file cap is refused by its declared size', async () => {
    const big = 'x'.repeat(300 * 1024);
    const path = zipFile([{ name: 'ai-router.ts', data: big, method: 'deflate' }]);
    const result = await readSubmission(path, ['ai-router.ts']);
    expect(codes(result)).toEqual(['too-large']);
    expect(result.problems[0]).toMatchObject({ file: 'ai-router.ts' });
    expect(result.problems[0]!.message).toMatch(/300 KiB; the limit per file is 256 KiB/);
  });

  test('a deflate bomb is refused from the central directory without inflating it', async () => {
    // 16 MiB of zeros deflates to ≈16 KiB: the declared total exceeds the 2 MiB cap.
    const path = zipFile([{ name: 'ai-router.ts', data: Buffer.alloc(16 * 1024 * 1024), method: 'deflate' }]);
    const result = await readSubmission(path, ['ai-router.ts']);
    expect(codes(result)).toEqual(['too-large']);
    expect(result.problems[0]!.message).toContain('more than 2 MiB');
    // An entry that declares 16 MiB but holds 1 KiB: inflating it would end in a short-read error ('unreadable');
    // 'too-large' shows the refusal came from the declared size alone.
    const liar = zipFile([
      { name: 'ai-router.ts', data: Buffer.alloc(1024, 0x61), method: 'deflate', declaredSize: 16 * 1024 * 1024 },
    ]);
    const refused = await readSubmission(liar, ['ai-router.ts']);
    expect(codes(refused)).toEqual(['too-large']);
    expect(refused.files.size).toBe(0);
  });

  test('an entry that inflates past its declared size is not accepted', async () => {
    const path = zipFile([
      { name: 'ai-router.ts', data: Buffer.alloc(1024 * 1024, 0x61), method: 'deflate', declaredSize: 10 },
    ]);
    const result = await readSubmission(path, ['ai-router.ts']);
    expect(codes(result)).toEqual(['unreadable']);
    expect(result.problems[0]!.message).toMatch(/cannot read ai-router.ts: .*too many bytes/);
    expect(result.files.size).toBe(0);
  });

  test('too many entries', async () => {
    const entries = Array.from({ length: 201 }, (_, i) => ({ name: `f${i}.txt`, data: '' }));
    const result = await readSubmission(zipFile(entries), ['ai-router.ts']);
    expect(codes(result)).toEqual(['too-many-entries']);
    expect(result.problems[0]!.message).toContain('more than 200 entries');
    const limited = await readSubmission(zipFile(entries.slice(0, 11)), ['ai-router.ts'], { maxEntries: 10 });
    expect(codes(limited)).toEqual(['too-many-entries']);
  });

  test('a file that is not a zip, and a truncated zip', async () => {
    const text = join(root, 'notes.zip');
    writeFileSync(text, 'this is not a zip');
    const notZip = await readSubmission(text, ['ai-router.ts']);
    expect(codes(notZip)).toEqual(['not-a-zip']);
    expect(notZip.problems[0]!.message).toMatch(/notes\.zip is not a readable zip archive/);

    const whole = rawZip([{ name: 'ai-router.ts', data: ROUTER }]);
    const cut = join(root, 'cut.zip');
    writeFileSync(cut, whole.subarray(0, whole.length - 30));
    expect(codes(await readSubmission(cut, ['ai-router.ts']))).toEqual(['not-a-zip']);
  });

  test('a zip over the compressed-size cap is refused by its size on disk, before it is opened', async () => {
    // Stored random bytes do not compress: the archive is about 3 KiB against a 2 KiB cap.
    const path = zipFile([
      { name: 'ai-router.ts', data: ROUTER },
      { name: 'data.bin', data: Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 7919) % 251)) },
    ]);
    const result = await readSubmission(path, ['ai-router.ts'], { maxArchiveBytes: 2048 });
    expect(codes(result)).toEqual(['too-large']);
    expect(result.problems[0]!.message).toMatch(
      /^z\d+\.zip is 3(\.\d)? KiB; the grader accepts zips up to 2 KiB\. Submit only the lab's files/,
    );
    expect(result.files.size).toBe(0);
    // The same archive under the default 4 MiB cap is read.
    expect((await readSubmission(path, ['ai-router.ts'])).files.get('ai-router.ts')).toBe(ROUTER);
  });

  test('a damaged central directory is corrupt-zip, named with what is wrong', async () => {
    const whole = rawZip([
      { name: 'ai-router.ts', data: ROUTER },
      { name: 'b.txt', data: 'b' },
    ]);
    // The end-of-central-directory record (last 22 bytes) gives the directory's offset at byte 16.
    const directory = whole.readUInt32LE(whole.length - 22 + 16);
    const damaged = Buffer.from(whole);
    damaged.writeUInt32LE(0xdeadbeef, directory);
    const path = join(root, 'damaged.zip');
    writeFileSync(path, damaged);
    const result = await readSubmission(path, ['ai-router.ts']);
    expect(codes(result)).toEqual(['corrupt-zip']);
    expect(result.problems[0]!.message).toMatch(
      /^damaged\.zip is damaged or uses an unsupported zip feature \(.*signature.*\); /,
    );
    expect(result.files.size).toBe(0);
  });

  test('an entry whose compressed data is garbage is unreadable, and nothing is taken from it', async () => {
    const whole = rawZip([{ name: 'ai-router.ts', data: ROUTER.repeat(20), method: 'deflate' }]);
    // Local header: 30 bytes + the name; the deflate stream follows. 0xff bytes are an invalid block type.
    const start = 30 + 'ai-router.ts'.length;
    const garbled = Buffer.from(whole);
    garbled.fill(0xff, start, start + 8);
    const path = join(root, 'garbled.zip');
    writeFileSync(path, garbled);
    const result = await readSubmission(path, ['ai-router.ts']);
    expect(codes(result)).toEqual(['unreadable']);
    expect(result.problems[0]!.message).toMatch(/^cannot read ai-router\.ts: /);
    expect(result.files.size).toBe(0);
  });

  test('a path that does not exist', async () => {
    const result = await readSubmission(join(root, 'nope.zip'), ['ai-router.ts']);
    expect(codes(result)).toEqual(['not-found']);
  });

  test('a missing file is named with the expected path and how to make the zip', async () => {
    const path = zipFile([{ name: 'starter/routing/AI-Router.ts', data: ROUTER }]);
    const result = await readSubmission(path, ['ai-router.ts'], {
      studentDir: 'starter/routing',
      hint: './submit.sh routing',
    });
    expect(codes(result)).toEqual(['missing-file']);
    expect(result.problems[0]!.message).toBe(
      'missing file ai-router.ts: the submission must contain starter/routing/ai-router.ts as produced by ' +
        './submit.sh routing (at its root or in any folder); found starter/routing/AI-Router.ts instead (names are case-sensitive)',
    );
    const custom = await readSubmission(path, ['ai-router.ts'], { hint: (f) => `upload ${f} itself` });
    expect(custom.problems[0]!.message).toMatch(/^missing file ai-router.ts: upload ai-router.ts itself/);
  });

  test('two candidates for one file are ambiguous, not guessed between', async () => {
    const path = zipFile([
      { name: 'a/ai-router.ts', data: '1' },
      { name: 'b/ai-router.ts', data: '2' },
    ]);
    const result = await readSubmission(path, ['ai-router.ts']);
    expect(codes(result)).toEqual(['ambiguous']);
    expect(result.problems[0]!.message).toContain('a/ai-router.ts, b/ai-router.ts');
  });

  test('non-UTF-8 text and symlink entries', async () => {
    const binary = await readSubmission(
      zipFile([{ name: 'ai-router.ts', data: Buffer.from([0xff, 0xfe, 0x41, 0x00]) }]),
      ['ai-router.ts'],
    );
    expect(codes(binary)).toEqual(['not-utf8']);
    const link = await readSubmission(zipFile([{ name: 'ai-router.ts', data: '/etc/passwd', mode: 0o120777 }]), [
      'ai-router.ts',
    ]);
    expect(codes(link)).toEqual(['symlink']);
  });
});

describe('readSubmission: folders', () => {
  test('takes wanted files, skips node_modules and .git, lists the rest', async () => {
    const dir = join(root, 'folder-ok');
    mkdirSync(join(dir, 'starter', 'routing'), { recursive: true });
    mkdirSync(join(dir, 'node_modules', 'x'), { recursive: true });
    writeFileSync(join(dir, 'starter', 'routing', 'ai-router.ts'), ROUTER);
    writeFileSync(join(dir, 'node_modules', 'x', 'ai-router.ts'), 'not this one');
    writeFileSync(join(dir, 'notes.txt'), '');
    const result = await readSubmission(dir, ['ai-router.ts']);
    expect(result.problems).toEqual([]);
    expect(result.files.get('ai-router.ts')).toBe(ROUTER);
    expect(result.ignored).toEqual(['node_modules/', 'notes.txt']);
  });

  test('symlinks are reported, never followed (files or folders)', async () => {
    const secret = join(root, 'secret.ts');
    writeFileSync(secret, 'export const hidden = 42;\n');
    const outsideDir = join(root, 'outside');
    mkdirSync(outsideDir, { recursive: true });
    writeFileSync(join(outsideDir, 'util.ts'), 'outside');

    const dir = join(root, 'folder-links');
    mkdirSync(dir, { recursive: true });
    symlinkSync(secret, join(dir, 'ai-router.ts'));
    symlinkSync(outsideDir, join(dir, 'lib'));
    const result = await readSubmission(dir, ['ai-router.ts', 'util.ts']);
    expect(codes(result)).toEqual(['symlink', 'missing-file']);
    expect(result.problems[0]!.message).toContain('ai-router.ts is a symbolic link');
    expect(result.files.size).toBe(0);
    expect(result.ignored).toEqual(['lib']);
  });

  test('folder size caps: the total over all files, and a wanted file over the per-file cap', async () => {
    const dir = join(root, 'folder-big');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'ai-router.ts'), ROUTER);
    writeFileSync(join(dir, 'a.txt'), 'a'.repeat(600));
    writeFileSync(join(dir, 'b.txt'), 'b'.repeat(600));
    const total = await readSubmission(dir, ['ai-router.ts'], { maxTotalBytes: 1000 });
    expect(codes(total)).toEqual(['too-large']);
    expect(total.problems[0]!.message).toMatch(
      /^the submission unpacks to more than 1000 bytes \(at least \d+ bytes\)/,
    );
    expect(total.files.size).toBe(0);

    const one = join(root, 'folder-big-file');
    mkdirSync(one, { recursive: true });
    writeFileSync(join(one, 'ai-router.ts'), 'x'.repeat(2000));
    const perFile = await readSubmission(one, ['ai-router.ts'], { maxEntryBytes: 1024 });
    expect(codes(perFile)).toEqual(['too-large']);
    expect(perFile.problems[0]).toMatchObject({ file: 'ai-router.ts' });
    expect(perFile.problems[0]!.message).toMatch(/ai-router\.ts is 2\.0 KiB; the limit per file is 1 KiB/);
  });

  test('folder caps apply too', async () => {
    const dir = join(root, 'folder-many');
    mkdirSync(dir, { recursive: true });
    for (let i = 0; i < 12; i++) writeFileSync(join(dir, `f${i}.txt`), '');
    const result = await readSubmission(dir, ['ai-router.ts'], { maxEntries: 10 });
    expect(codes(result)).toEqual(['too-many-entries']);
  });
});
