/**
 * How every command of the repository starts (npm run sim, grade, check, try, dist, sweep, …): `main`
 * runs only when its file is the script node was started with (tests import the file and call `main`
 * themselves), and an InputError, the user's own mistake, ends a command with `error: …` and exit code
 * 2, where any other error is a bug and is thrown on with its stack.
 */
import { pathToFileURL } from 'node:url';
import { InputError } from '../errors.js';

/** `command`'s exit code, or 2 with the message printed when it fails on the user's input. */
export async function exitCodeOf(command: () => Promise<number>): Promise<number> {
  try {
    return await command();
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    console.error(`error: ${err.message}`);
    return 2;
  }
}

/** Runs `main` on the command line's arguments when `moduleUrl` (the caller's import.meta.url) is the script. */
export async function runAsCommand(moduleUrl: string, main: (argv: string[]) => Promise<number>): Promise<void> {
  if (process.argv[1] === undefined || moduleUrl !== pathToFileURL(process.argv[1]).href) return;
  process.exitCode = await exitCodeOf(() => main(process.argv.slice(2)));
}
