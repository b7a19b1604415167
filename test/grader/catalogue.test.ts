/**
 * The lab catalogue (grader/labs/catalogue.ts): labs are the folders labs/<lab>/ with a manifest.json, and
 * each lab's definition is grader/labs/<lab>/lab.ts's `lab` export plus its manifest and harness.ts. A
 * handout that copies one lab's folders therefore knows that lab only (test/grader/handouts.test.ts).
 */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { labManifest, labNames, loadLab } from '../../grader/labs/catalogue.js';
import { InputError } from '../../sim/errors.js';
import { REPO_ROOT } from '../../sim/config/paths.js';

const work = mkdtempSync(join(tmpdir(), 'servelab-catalogue-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A repository root holding one lab, `demo`, made from the routing lab's manifest, and optionally its lab.ts. */
function demoRepo(
  name: string,
  manifest: (m: Record<string, unknown>) => void,
  labTs?: string,
  harness = true,
): string {
  const root = join(work, name);
  const m = JSON.parse(readFileSync(join(REPO_ROOT, 'labs', 'routing', 'manifest.json'), 'utf8')) as Record<
    string,
    unknown
  >;
  Object.assign(m, { lab: 'demo', studentDir: 'starter/demo', referenceDir: 'reference/demo' });
  manifest(m);
  mkdirSync(join(root, 'labs', 'demo'), { recursive: true });
  writeFileSync(join(root, 'labs', 'demo', 'manifest.json'), JSON.stringify(m));
  mkdirSync(join(root, 'labs', 'not-a-lab'), { recursive: true }); // no manifest.json: not listed
  if (labTs !== undefined) {
    mkdirSync(join(root, 'grader', 'labs', 'demo'), { recursive: true });
    writeFileSync(join(root, 'grader', 'labs', 'demo', 'lab.ts'), labTs);
    if (harness) writeFileSync(join(root, 'grader', 'labs', 'demo', 'harness.ts'), '');
  }
  return root;
}

/** A lab.ts exporting `lab` with the demo manifest (its `lab` field replaced by `labName`) and `items`. */
const demoLabTs = (items: string, labName = 'demo') => `import { readFileSync } from 'node:fs';
const manifest = JSON.parse(readFileSync(new URL('../../../labs/demo/manifest.json', import.meta.url), 'utf8'));
export const lab = {
  manifest: { ...manifest, lab: ${JSON.stringify(labName)} },
  harnessEntry: new URL('./harness.ts', import.meta.url).pathname,
  items: ${items},
};
`;

describe('lab catalogue', () => {
  it('lists exactly the folders of labs/ that hold a manifest.json, by name', () => {
    const withManifest = readdirSync(join(REPO_ROOT, 'labs')).filter((d) =>
      readdirSync(join(REPO_ROOT, 'labs', d)).includes('manifest.json'),
    );
    expect(labNames()).toEqual(withManifest.sort());
    expect(labNames()).toEqual(['autoscaling', 'cfs', 'deadline', 'fairness', 'routing']);
    expect(labNames(demoRepo('listing', () => {}))).toEqual(['demo']);
  });

  it("loads each lab from grader/labs/<lab>/lab.ts's `lab` export, agreeing with the manifest found", async () => {
    for (const name of labNames()) {
      const lab = await loadLab(name);
      expect(lab.manifest).toEqual(labManifest(name));
      expect(lab.harnessEntry.startsWith(join(REPO_ROOT, 'grader', 'labs', name, ''))).toBe(true);
      expect(Object.keys(lab.items).sort()).toEqual(lab.manifest.items.map((i) => i.id).sort());
    }
  });

  it('an unknown lab is an InputError naming the labs', async () => {
    await expect(loadLab('no-such-lab')).rejects.toThrow(
      'unknown lab "no-such-lab"; labs: autoscaling, cfs, deadline, fairness, routing',
    );
    await expect(loadLab('no-such-lab')).rejects.toBeInstanceOf(InputError);
  });

  it("a manifest must name its own folder and keep the student's files in starter/<lab>", () => {
    expect(() =>
      labManifest(
        'demo',
        demoRepo('renamed', (m) => Object.assign(m, { lab: 'other', studentDir: 'starter/other' })),
      ),
    ).toThrow('"lab" is "other", not its folder\'s name "demo"');
    expect(() =>
      labManifest(
        'demo',
        demoRepo('elsewhere', (m) => Object.assign(m, { studentDir: 'students/demo' })),
      ),
    ).toThrow('must be "starter/demo"');
  });

  it('names what is wrong when lab.ts is absent, exports no `lab`, defines another lab, lacks its harness or items', async () => {
    await expect(
      loadLab(
        'demo',
        demoRepo('no-code', () => {}),
      ),
    ).rejects.toThrow(/labs\/demo\/manifest.json exists but .*grader\/labs\/demo\/lab.ts does not/);
    await expect(
      loadLab(
        'demo',
        demoRepo('wrong-export', () => {}, 'export const demoLab = {};\n'),
      ),
    ).rejects.toThrow('must export `lab`, its LabDefinition (manifest, harnessEntry, items)');
    await expect(
      loadLab(
        'demo',
        demoRepo('other-lab', () => {}, demoLabTs('{}', 'routing')),
      ),
    ).rejects.toThrow('defines lab "routing", not "demo"');
    await expect(
      loadLab(
        'demo',
        demoRepo('no-harness', () => {}, demoLabTs('{}'), false),
      ),
    ).rejects.toThrow(/the harness .*grader\/labs\/demo\/harness.ts does not exist/);
    await expect(
      loadLab(
        'demo',
        demoRepo('no-items', () => {}, demoLabTs('{}')),
      ),
    ).rejects.toThrow('lab demo: manifest and grader disagree; no implementation for unit-cases, correctness');
  });

  it("copying one lab's folders makes a catalogue of that lab alone", async () => {
    const root = join(work, 'one-lab');
    for (const dir of ['labs/routing', 'grader/labs/routing'])
      cpSync(join(REPO_ROOT, dir), join(root, dir), { recursive: true });
    expect(labNames(root)).toEqual(['routing']);
    await expect(loadLab('fairness', root)).rejects.toThrow('unknown lab "fairness"; labs: routing');
  });
});
