import { BffHttpError, BffNetworkError, BffTimeoutError } from './client/index.js';

/** One line for a failed call: `code: message` from the BFF's JSON error body when there is one. */
export function describeError(error: unknown): string {
  if (error instanceof BffHttpError) {
    const message = (error.body as { message?: unknown } | null | undefined)?.message;
    const parts = [error.errorCode, typeof message === 'string' ? message : undefined].filter(Boolean);
    return parts.length > 0 ? `${String(error.status)} ${parts.join(': ')}` : `HTTP ${String(error.status)}`;
  }
  if (error instanceof BffTimeoutError) return 'the BFF did not answer in time';
  if (error instanceof BffNetworkError) return 'the BFF cannot be reached';
  return error instanceof Error ? error.message : String(error);
}
