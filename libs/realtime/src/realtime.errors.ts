import { BadRequestError, BffError, NotFoundError } from '@bff/errors';

/** `POST /internal/publish` without the right bearer token. */
export class InternalTokenError extends BffError {
  constructor() {
    super('invalid_internal_token', 401, 'A valid internal bearer token is required.');
  }
}

/** The internal publish endpoint is off (BFF_INTERNAL_TOKEN unset). */
export class InternalPublishDisabledError extends NotFoundError {
  constructor() {
    super('not_found', 'Not found.');
  }
}

/** The publish body is not `{ channel, message: { type, data } }` on an allowed channel. */
export class InvalidPublishError extends BadRequestError {
  constructor(reason: string) {
    super('invalid_publish', `The publish request was refused: ${reason}.`);
  }
}
