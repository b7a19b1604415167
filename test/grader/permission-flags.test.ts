import { describe, expect, test } from 'vitest';
import {
  fsReadFlags,
  fsWriteFlags,
  parseNodeVersion,
  permissionFlag,
  sandboxNodeArgs,
  supportsDisableWarning,
} from '../../grader/sandbox/permission-flags.js';

describe('permission flags by Node version', () => {
  test.each([
    ['20.0.0', '--experimental-permission'],
    ['20.20.2', '--experimental-permission'],
    ['v21.7.3', '--experimental-permission'],
    ['22.0.0', '--experimental-permission'],
    ['22.12.0', '--experimental-permission'],
    ['22.13.0', '--permission'],
    ['22.22.1', '--permission'],
    ['23.4.0', '--experimental-permission'],
    ['23.5.0', '--permission'],
    ['24.0.0', '--permission'],
    ['25.1.0', '--permission'],
  ])('Node %s uses %s', (version, flag) => {
    expect(permissionFlag(version)).toBe(flag);
  });

  test('Node 18 has no permission model', () => {
    expect(() => permissionFlag('18.19.0')).toThrow(/no permission model.*Node 20/);
  });

  test('--disable-warning from 20.11 / 21.3', () => {
    expect(['20.10.0', '20.11.0', '21.2.0', '21.3.0', '22.0.0', '24.1.0'].map(supportsDisableWarning)).toEqual([
      false,
      true,
      false,
      true,
      true,
      true,
    ]);
  });

  test('several read dirs: one flag each since 20.7, a comma list before', () => {
    expect(fsReadFlags('20.20.2', ['/a', '/b'])).toEqual(['--allow-fs-read=/a', '--allow-fs-read=/b']);
    expect(fsReadFlags('20.6.0', ['/a', '/b'])).toEqual(['--allow-fs-read=/a,/b']);
    expect(() => fsReadFlags('20.6.0', ['/a,b'])).toThrow(/comma/);
    expect(fsReadFlags('24.0.0', [])).toEqual([]);
  });

  test('the full argument list grants nothing but reads', () => {
    const args = sandboxNodeArgs({ version: '20.20.2', readDirs: ['/w/bundle'], maxOldSpaceMb: 128, sourceMaps: true });
    expect(args).toEqual([
      '--experimental-permission',
      '--allow-fs-read=/w/bundle',
      '--max-old-space-size=128',
      '--disable-warning=ExperimentalWarning',
      '--enable-source-maps',
    ]);
    expect(args.join(' ')).not.toMatch(/allow-(fs-write|child-process|worker|addons|wasi)/);
  });

  test('a write grant (npm run coverage only) is one flag per folder, or a comma list before 20.7', () => {
    const args = sandboxNodeArgs({
      version: '24.1.0',
      readDirs: ['/w/bundle'],
      writeDirs: ['/w/coverage'],
      maxOldSpaceMb: 64,
      sourceMaps: false,
    });
    expect(args.filter((a) => a.startsWith('--allow-'))).toEqual([
      '--allow-fs-read=/w/bundle',
      '--allow-fs-write=/w/coverage',
    ]);
    expect(fsWriteFlags('20.5.0', ['/a', '/b'])).toEqual(['--allow-fs-write=/a,/b']);
    expect(fsWriteFlags('20.20.2', [])).toEqual([]);
    expect(() => fsWriteFlags('20.5.0', ['/a,b'])).toThrow(/cannot allow writing "\/a,b"/);
  });

  test('parses versions and rejects junk', () => {
    expect(parseNodeVersion('v22.13.1')).toEqual({ major: 22, minor: 13, patch: 1 });
    expect(() => parseNodeVersion('twenty')).toThrow(/cannot parse Node version/);
  });
});
