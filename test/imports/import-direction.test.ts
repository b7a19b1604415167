/**
 * Imports point down: CLI → lab catalogue → labs → kit → core → sandbox/report/intake → sim
 * (docs/architecture.md, "Import direction"). Checked on the import graph TypeScript itself resolves
 * (test/imports/import-graph.ts), type-only imports included: a type import ties two modules as firmly
 * for a reader as a value import does.
 *
 * Why not madge or dependency-cruiser: both parse TypeScript through the `typescript` package's JS API
 * (or @swc/core), and TypeScript 7, which this repository uses, ships a native compiler without one; tsc's
 * own --explainFiles gives the same graph with tsconfig.json's paths applied and no new dependency.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../sim/config/paths.js';
import { type ImportEdge, importCircles, importGraph } from './import-graph.js';

let edges: ImportEdge[] = [];
beforeAll(async () => {
  edges = await importGraph(REPO_ROOT);
});

const show = (bad: readonly ImportEdge[]) => bad.map((e) => `${e.from} imports ${e.to} ('${e.spec}')`);
const inRepo = (e: ImportEdge) => !e.to.startsWith('node_modules/');

/** Grader layers below the labs: they serve every lab and name none. */
const BELOW_LABS = /^grader\/(core|kit|report|sandbox|intake|build|batch|manifest|submit)\//;
/** Above the labs: the command line, the catalogue's users that build distributions. */
const ABOVE_LABS = /^grader\/(labs|cli|dist)\//;

describe('import direction', () => {
  it('sees the whole program (sanity: the graph holds known edges)', () => {
    expect(edges.length).toBeGreaterThan(1000);
    expect(edges).toContainEqual(
      expect.objectContaining({ from: 'grader/labs/catalogue.ts', to: 'grader/manifest/lab-manifests.ts' }),
    );
    // tsconfig.json's @student/* path is resolved: the lab's child side reaches its own lab's starter file.
    expect(edges).toContainEqual({
      from: expect.stringMatching(/^grader\/labs\/routing\//),
      to: 'starter/routing/ai-router.ts',
      spec: '@student/routing/ai-router.js',
    });
  });

  it('core and the layers under it import no lab, no lab catalogue, no CLI and no distribution builder', () => {
    expect(show(edges.filter((e) => BELOW_LABS.test(e.from) && ABOVE_LABS.test(e.to)))).toEqual([]);
  });

  it('a lab imports only the kit, the engine and its own folder (never core, report or sandbox)', () => {
    const bad = edges.filter(
      (e) =>
        /^grader\/labs\/[^/]+\//.test(e.from) &&
        e.to.startsWith('grader/') &&
        !e.to.startsWith('grader/kit/') &&
        e.to.split('/').slice(0, 3).join('/') !== e.from.split('/').slice(0, 3).join('/'),
    );
    expect(show(bad)).toEqual([]);
  });

  it('core imports nothing of the kit (the kit is built on core)', () => {
    expect(show(edges.filter((e) => e.from.startsWith('grader/core/') && e.to.startsWith('grader/kit/')))).toEqual([]);
  });

  it('sandbox, intake and build import nothing of core; report only its result types (grader/core/types.ts)', () => {
    const bad = edges.filter(
      (e) =>
        (/^grader\/(sandbox|intake|build)\//.test(e.from) && /^grader\/(core|kit)\//.test(e.to)) ||
        (/^grader\/report\//.test(e.from) && /^grader\/(core|kit)\//.test(e.to) && e.to !== 'grader/core/types.ts'),
    );
    expect(show(bad)).toEqual([]);
  });

  it("a harness imports only its own lab's student files, as @student/<lab>/<file>", () => {
    const bad = edges.filter(
      (e) =>
        e.from.startsWith('grader/') &&
        e.to.startsWith('starter/') &&
        !(e.spec.startsWith('@student/') && e.from.split('/')[2] === e.to.split('/')[1]),
    );
    expect(show(bad)).toEqual([]);
  });

  it('no grader code imports reference/ or test/ (the reference is loaded at scoring time; mutants are test fixtures)', () => {
    expect(show(edges.filter((e) => e.from.startsWith('grader/') && /^(reference|test)\//.test(e.to)))).toEqual([]);
  });

  it('reference/ and starter/ import only sim/ and their own lab folder', () => {
    const ownLab = (e: ImportEdge) => e.to.split('/').slice(0, 2).join('/') === e.from.split('/').slice(0, 2).join('/');
    const bad = edges.filter((e) => /^(reference|starter)\//.test(e.from) && !e.to.startsWith('sim/') && !ownLab(e));
    expect(show(bad)).toEqual([]);
  });

  it('sim/ imports nothing outside sim/ but packages', () => {
    expect(show(edges.filter((e) => e.from.startsWith('sim/') && inRepo(e) && !e.to.startsWith('sim/')))).toEqual([]);
  });

  it('no import circle in sim/', () => {
    expect(importCircles(edges, (f) => f.startsWith('sim/'))).toEqual([]);
  });

  it('finds a circle and only a circle (the detector itself)', () => {
    const e = (from: string, to: string): ImportEdge => ({ from, to, spec: to });
    const graph = [e('a', 'b'), e('b', 'c'), e('c', 'a'), e('c', 'd'), e('d', 'd'), e('x', 'y')];
    expect(importCircles(graph, () => true)).toEqual([['d'], ['a', 'b', 'c']]);
    expect(importCircles(graph, (f) => f !== 'b')).toEqual([['d']]);
  });
});
