/**
 * Errors the emulator answers with, as Alibaba Cloud's RPC endpoints do: an HTTP status and a
 * JSON body `{RequestId, HostId, Code, Message, Recommend}`. Codes and statuses follow
 * ../shared/reference/alibaba-ecs-terminal-sessions.md; where Alibaba's own table is silent
 * (signature and timestamp codes) the generic Alibaba Cloud gateway codes are used.
 */

const STATUS_BY_CODE = {
  'InvalidParameter.NextToken': 400,
  'InvalidParameter.MaxResults': 400,
  MissingRegionId: 400,
  'InvalidRegionId.NotFound': 404,
  'InvalidAction.NotFound': 404,
  InvalidVersion: 400,
  IncompleteSignature: 400,
  SignatureDoesNotMatch: 400,
  'InvalidAccessKeyId.NotFound': 404,
  'InvalidTimeStamp.Expired': 400,
  'InvalidTimeStamp.Format': 400,
  SignatureNonceUsed: 400,
  'Throttling.User': 400,
  InternalError: 500,
} as const;

export type AlibabaErrorCode = keyof typeof STATUS_BY_CODE;

export class AlibabaApiError extends Error {
  readonly status: number;

  constructor(
    readonly code: AlibabaErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'AlibabaApiError';
    this.status = STATUS_BY_CODE[code];
  }

  toBody(requestId: string, hostId: string): Record<string, string> {
    return {
      RequestId: requestId,
      HostId: hostId,
      Code: this.code,
      Message: this.message,
      Recommend: `https://api.aliyun.com/troubleshoot?q=${encodeURIComponent(this.code)}&product=Ecs`,
    };
  }
}

/** The messages Alibaba Cloud's gateway uses for the generic codes. */
export const MESSAGES = {
  incompleteSignature: 'The request signature does not conform to Aliyun standards.',
  signatureMismatch: 'Specified signature is not matched with our calculation.',
  keyNotFound: 'Specified access key is not found.',
  expired: 'Specified time stamp or date value is expired.',
  nonceUsed: 'Specified signature nonce was used already.',
  throttled: 'Request was denied due to user flow control.',
  internal: 'The request processing has failed due to some unknown error, exception or failure.',
} as const;
