/**
 * Student-facing stack traces: frames mapped back through the bundle's source map by Node
 * (`--enable-source-maps`) name files under the build's src folder; show them as repository paths
 * (`starter/routing/ai-router.ts:14:11`) and keep the student's own frames, which say where to look.
 */
import { pathToFileURL } from 'node:url';

export interface StackOptions {
  /** The build's src folder (BuildResult.srcRoot): frames under it are shown relative to it. */
  readonly srcRoot?: string;
  /** The lab's student folder, e.g. `starter/routing`: frames in it are the ones kept. */
  readonly studentDir?: string;
  readonly maxFrames?: number;
}

const FRAME = /^\s+at /;

export function trimStack(stack: string, opts: StackOptions = {}): string {
  const maxFrames = opts.maxFrames ?? 8;
  const lines = stack.split('\n').map((line) => relativise(line, opts.srcRoot));
  const firstFrame = lines.findIndex((line) => FRAME.test(line));
  const header = (firstFrame < 0 ? lines : lines.slice(0, firstFrame)).slice(0, 5);
  const frames = firstFrame < 0 ? [] : lines.slice(firstFrame).filter((line) => FRAME.test(line));
  const studentDir = opts.studentDir;
  const student =
    studentDir === undefined
      ? []
      : frames.filter((f) => f.includes(`(${studentDir}/`) || f.includes(` ${studentDir}/`));
  // No student frame (the error surfaced in the engine or harness): show the top frames as they are.
  const kept = (student.length > 0 ? student : frames).slice(0, maxFrames);
  return [...header, ...kept].join('\n');
}

function relativise(line: string, srcRoot: string | undefined): string {
  if (srcRoot === undefined) return line;
  const url = `${pathToFileURL(srcRoot).href}/`;
  return line.split(url).join('').split(`${srcRoot}/`).join('');
}
