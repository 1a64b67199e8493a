import { BffError } from './bff-error';

/**
 * The JSON body of every error response: `{ "error": "<stable_code>", "message": "..." }`, and for
 * a few errors further string members (`step_up_required` adds `loginUrl`).
 */
export interface ErrorBody {
  error: string;
  message: string;
  [field: string]: string;
}

const INTERNAL: ErrorBody = { error: 'internal_error', message: 'The BFF failed to handle the request.' };

/**
 * Renders any thrown value as the body and status a client sees. Unknown errors
 * become a bare 500 so that no stack, token or secret can leak through a message.
 */
export function toErrorResponse(error: unknown): { status: number; body: ErrorBody } {
  if (error instanceof BffError) {
    return {
      status: error.status,
      body: error.expose
        ? { ...error.fields, error: error.code, message: error.message }
        : { ...INTERNAL, error: error.code },
    };
  }
  return { status: 500, body: INTERNAL };
}
