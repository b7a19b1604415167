/**
 * ./submit.sh's command line (grader/cli/submit.ts, run as submit.sh runs it): help, each mistake with its
 * message and exit status 2, and a zip written into SERVELAB_SUBMIT_CWD with the next steps printed.
 * prepareSubmission's own rules are tested in submit.test.ts.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { REPO_ROOT } from '../../sim/config/paths.js';

const root = mkdtempSync(join(tmpdir(), 'servelab-submit-cli-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function submit(args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'grader', 'cli', 'submit.ts'), ...args], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env: { ...process.env, SERVELAB_SUBMIT_CWD: root },
  });
}

const USAGE = 'usage: ./submit.sh <lab>   (e.g. ./submit.sh routing)';

describe('./submit.sh command line', () => {
  test('--help prints the usage and exits 0; no lab, two labs or an option exit 2 with the usage', () => {
    const help = submit(['--help']);
    expect([help.status, help.stdout.trim()]).toEqual([0, USAGE]);
    const none = submit([]);
    expect([none.status, none.stderr.trim()]).toEqual([2, USAGE]);
    const two = submit(['routing', 'cfs']);
    expect([two.status, two.stderr.trim()]).toEqual([2, USAGE]);
    const option = submit(['routing', '--force']);
    expect([option.status, option.stderr.trim()]).toEqual([2, `unknown option --force\n${USAGE}`]);
    expect(existsSync(join(root, 'routing-submission.zip'))).toBe(false);
  });

  test('an unknown lab is named, with the labs there are', () => {
    const run = submit(['nolab']);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^submit: .*"nolab".*routing/);
  });

  test('a lab: the zip is written where submit.sh was started, and the next steps are printed', () => {
    const run = submit(['routing']);
    expect(run.status, run.stderr).toBe(0);
    expect(existsSync(join(root, 'routing-submission.zip'))).toBe(true);
    // In the repository (grader/cli/grade.ts present) it points at the local grader with the zip's full path.
    expect(run.stdout).toContain(`npm run grade -- ${join(root, 'routing-submission.zip')} --lab routing`);
  });
});
