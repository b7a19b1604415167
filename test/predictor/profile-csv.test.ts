/**
 * readCsv (sim/predictor/profile/csv.ts) on broken profile files: each problem is a ProfileError naming the
 * file, the line and the column where it is, and a duplicated header column or row does not confuse it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { numberCell, readCsv } from '../../sim/predictor/profile/csv.js';
import { ProfileError } from '../../sim/predictor/profile/errors.js';

const root = mkdtempSync(join(tmpdir(), 'servelab-profile-csv-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const shape = { tokens: numberCell, time: numberCell };

function issueOf(text: string): ProfileError['issue'] {
  const file = join(root, 'mlp.csv');
  writeFileSync(file, text);
  try {
    readCsv(file, 'compute/a100/mlp.csv', shape);
  } catch (err) {
    expect(err).toBeInstanceOf(ProfileError);
    return (err as ProfileError).issue;
  }
  throw new Error('readCsv accepted the file');
}

describe('readCsv', () => {
  test('an empty file: bad-csv, "the file is empty"', () => {
    expect(issueOf('')).toMatchObject({ code: 'bad-csv', file: 'compute/a100/mlp.csv' });
    expect(issueOf('\n\n').message).toBe('the file is empty; expected a header line and data rows');
  });

  test('an unclosed quote: bad-csv with the parser message', () => {
    const issue = issueOf('tokens,time\n1,"2\n');
    expect(issue.code).toBe('bad-csv');
    expect(issue.message).toMatch(/^not valid CSV: /);
  });

  test('an empty cell and a non-number each name the line and column', () => {
    expect(issueOf('tokens,time\n1,2\n3,\n')).toMatchObject({
      code: 'bad-value',
      line: 3,
      column: 'time',
      message: 'expected a number, the cell is empty, got ""',
    });
    expect(issueOf('tokens,time\nmany,2\n')).toMatchObject({
      code: 'bad-value',
      line: 2,
      column: 'tokens',
      message: 'expected a number, got "many"',
    });
  });

  test('a missing file: missing-file with the error code', () => {
    const issue = (() => {
      try {
        readCsv(join(root, 'nope.csv'), 'nope.csv', shape);
      } catch (err) {
        return (err as ProfileError).issue;
      }
      return undefined;
    })();
    expect(issue).toMatchObject({ code: 'missing-file', message: 'cannot read the file (ENOENT)' });
  });

  test('a repeated header column reads its first copy; a repeated row is kept once', () => {
    const file = join(root, 'dup.csv');
    writeFileSync(file, 'tokens,time,tokens\n1,2,9\n1,2,9\n4,5,9\n');
    const table = readCsv(file, 'dup.csv', shape);
    expect(table.rows.map((r) => [r.line, r.row.tokens, r.row.time])).toEqual([
      [2, 1, 2],
      [4, 4, 5],
    ]);
  });
});
