/**
 * Errors a caller of the query API can fix. Each carries the HTTP status and a stable `code`;
 * the handler's error mapper turns them into `{"error":{"code","message"}}`. Anything that is not
 * a `ClientError` is our fault and becomes a generic 500.
 */
export abstract class ClientError extends Error {
  abstract readonly statusCode: 400 | 404 | 405;
  abstract readonly code: string;
}

/** A parameter is missing, malformed, out of range, repeated or unknown. */
export class BadRequestError extends ClientError {
  override readonly name: string = 'BadRequestError';
  readonly statusCode = 400;
  constructor(
    readonly code: 'InvalidParameter' | 'UnknownParameter' | 'RepeatedParameter' | 'InvalidNextToken' | 'ExpiredNextToken',
    message: string,
  ) {
    super(message);
  }
}

/** `nextToken` is malformed, forged, altered, or belongs to another query. */
export class InvalidNextTokenError extends BadRequestError {
  override readonly name = 'InvalidNextTokenError';
  constructor(message: string) {
    super('InvalidNextToken', message);
  }
}

/** `nextToken` was genuine but has outlived its lifetime: the query must start again. */
export class ExpiredNextTokenError extends BadRequestError {
  override readonly name = 'ExpiredNextTokenError';
  constructor(message: string) {
    super('ExpiredNextToken', message);
  }
}

export class SessionNotFoundError extends ClientError {
  override readonly name = 'SessionNotFoundError';
  readonly statusCode = 404;
  readonly code = 'SessionNotFound';
  constructor(sessionId: string) {
    super(`no archived session has id ${JSON.stringify(sessionId)}`);
  }
}

export class RouteNotFoundError extends ClientError {
  override readonly name = 'RouteNotFoundError';
  readonly statusCode = 404;
  readonly code = 'RouteNotFound';
}

export class MethodNotAllowedError extends ClientError {
  override readonly name = 'MethodNotAllowedError';
  readonly statusCode = 405;
  readonly code = 'MethodNotAllowed';
  constructor(
    method: string,
    path: string,
    /** Methods the route does accept: the response's `Allow` header. */
    readonly allowed: readonly string[],
  ) {
    super(`${method} is not allowed on ${path}; allowed: ${allowed.join(', ')}`);
  }
}
