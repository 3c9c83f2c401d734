/**
 * Errors the emulator answers with, in the AWS JSON 1.1 error format:
 * status code + `{"__type": name, "message": ...}`.
 */

export type SsmErrorName =
  | 'ValidationException'
  | 'SerializationException'
  | 'InvalidFilterKey'
  | 'InvalidNextToken'
  | 'ThrottlingException'
  | 'InternalServerError'
  | 'DoesNotExistException'
  | 'InvalidDocument'
  | 'UnknownOperationException'
  | 'MissingAuthenticationTokenException'
  | 'IncompleteSignatureException';

const STATUS_BY_ERROR: Record<SsmErrorName, number> = {
  ValidationException: 400,
  SerializationException: 400,
  InvalidFilterKey: 400,
  InvalidNextToken: 400,
  ThrottlingException: 400,
  InternalServerError: 500,
  DoesNotExistException: 400,
  InvalidDocument: 400,
  UnknownOperationException: 400,
  MissingAuthenticationTokenException: 400,
  IncompleteSignatureException: 400,
};

/** Errors whose model shape has a `Message` member; we send it alongside the lowercase `message`. */
const MODELED_WITH_MESSAGE_MEMBER = new Set<SsmErrorName>([
  'InvalidNextToken',
  'ThrottlingException',
  'InternalServerError',
  'DoesNotExistException',
  'InvalidDocument',
]);

export class SsmApiError extends Error {
  readonly status: number;

  constructor(
    readonly errorName: SsmErrorName,
    message: string,
  ) {
    super(message);
    this.name = errorName;
    this.status = STATUS_BY_ERROR[errorName];
  }

  toBody(): Record<string, string> {
    const body: Record<string, string> = { __type: this.errorName, message: this.message };
    if (MODELED_WITH_MESSAGE_MEMBER.has(this.errorName)) body.Message = this.message;
    return body;
  }
}

/** Joins constraint breaches the way AWS does: "2 validation errors detected: A; B". */
export function validationError(problems: readonly string[]): SsmApiError {
  const noun = problems.length === 1 ? 'validation error' : 'validation errors';
  return new SsmApiError('ValidationException', `${problems.length} ${noun} detected: ${problems.join('; ')}`);
}
