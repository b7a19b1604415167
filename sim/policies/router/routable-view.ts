/**
 * What a router may see of a request: everything but the decode length. In lab mode the engine hands
 * routers these views instead of the requests themselves; reading `numDecodeTokens` on one throws a
 * clear error and is counted, so a grader can fail a router that peeks even if it catches the error.
 */
import { InputError } from '../../errors.js';
import type { Request } from '../../entities/request.js';
import type { RoutableRequest } from './router.js';

export class DecodeLengthAccessError extends InputError {
  constructor(requestId: number) {
    super(
      `a router read numDecodeTokens of request ${requestId}: routers may not use the decode length, ` +
        'since a real router cannot know how many tokens a request will generate. Use numPrefillTokens, ' +
        'or estimate output lengths from what you have observed.',
    );
    this.name = 'DecodeLengthAccessError';
  }
}

export function routableView(request: Request, onDecodeRead: (requestId: number) => void): RoutableRequest {
  const view = {
    id: request.id,
    arrivedAt: request.arrivedAt,
    numPrefillTokens: request.numPrefillTokens,
    clientId: request.clientId,
    tier: request.tier,
  };
  Object.defineProperty(view, 'numDecodeTokens', {
    enumerable: false,
    get() {
      onDecodeRead(request.id);
      throw new DecodeLengthAccessError(request.id);
    },
  });
  return Object.freeze(view);
}
