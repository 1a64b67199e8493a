import { BffError } from '@bff/errors';

/** Boot-time configuration failure listing every problem at once, each naming its variable. */
export class ConfigValidationError extends BffError {
  constructor(readonly problems: string[]) {
    super(
      'invalid_configuration',
      500,
      `Invalid configuration (${String(problems.length)} problem${problems.length === 1 ? '' : 's'}):\n${problems.map((p) => `  - ${p}`).join('\n')}`,
      { expose: false },
    );
  }
}
