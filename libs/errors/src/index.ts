export {
  BffError,
  BadRequestError,
  BadGatewayError,
  DependencyUnavailableError,
  SessionRequiredError,
  CsrfHeaderMissingError,
  NotFoundError,
} from './bff-error';
export { toErrorResponse, type ErrorBody } from './error-body';
export { BffExceptionFilter, describeChain } from './bff-exception.filter';
export { BASELINE_HEADERS, rawErrorHeaders, rawHttpError } from './raw-http-error';
