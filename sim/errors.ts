/**
 * Errors caused by what a user gave servelab (a config, a trace, a profile directory, a model that
 * does not fit a GPU), as opposed to bugs. Front ends print their message alone, without a stack
 * trace, and exit with status 2; anything else is a bug and keeps its stack.
 */
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}
