/**
 * Who may call the query API, and what each call leaves on record. `AWS_IAM` keeps other accounts
 * out; inside the account, any principal with `execute-api:Invoke` on `*` (administrators, power
 * users) could read every session. The API's resource policy denies everyone but the auditors.
 */
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';

export interface AuditorPrincipals {
  /**
   * IAM role (or user) ARNs allowed to call the API; `*` matches any characters, e.g. for an IAM
   * Identity Center permission set `arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Auditor_*`.
   * @default none
   */
  readonly roleArns?: readonly string[];
  /**
   * A principal tag that makes a principal an auditor (`aws:PrincipalTag/<key>` = `<value>`).
   * @default none
   */
  readonly principalTag?: { readonly key: string; readonly value: string };
}

/** The tag the stack uses when given no auditors: tag an auditor's role with it (and attach the policy). */
export const DEFAULT_AUDITOR_TAG = { key: 'session-archive-auditor', value: 'true' } as const;

const ROLE_ARN_PATTERN = /^arn:aws[a-z-]*:iam::(\d{12}|\*):(role|user)\/[\w+=,.@\-/*]+$/;
const TAG_KEY_PATTERN = /^[\w.:/=+\-@]{1,128}$/;

/**
 * Deny `execute-api:Invoke` to every caller that is neither one of the role ARNs nor carries the
 * tag. Only a Deny: an auditor still needs the auditor managed policy (an IAM Allow), and API
 * Gateway lets a same-account caller in when IAM allows and no policy denies.
 */
export function auditorOnlyPolicy(auditors: AuditorPrincipals): iam.PolicyDocument {
  const roleArns = [...(auditors.roleArns ?? [])];
  const tag = auditors.principalTag;
  if (roleArns.length === 0 && tag === undefined) {
    throw new Error('auditors: give auditorRoleArns or an auditorPrincipalTag; with neither the API would refuse every caller');
  }
  const badArn = roleArns.find((arn) => !ROLE_ARN_PATTERN.test(arn));
  if (badArn !== undefined) throw new Error(`auditorRoleArns must be IAM role or user ARNs (arn:aws:iam::<account>:role/<name>, * allowed), got ${JSON.stringify(badArn)}`);
  if (tag && (!TAG_KEY_PATTERN.test(tag.key) || tag.value.length === 0 || tag.value.length > 256)) {
    throw new Error(`auditorPrincipalTag must be <key>=<value> with a key of 1-128 letters, digits and _.:/=+-@ and a value of 1-256 characters, got ${JSON.stringify(`${tag.key}=${tag.value}`)}`);
  }
  // Conditions in one statement are ANDed: denied when the ARN matches none AND the tag is absent.
  const conditions: Record<string, Record<string, unknown>> = {};
  if (roleArns.length > 0) conditions.ArnNotLike = { 'aws:PrincipalArn': roleArns };
  if (tag) conditions.StringNotEquals = { [`aws:PrincipalTag/${tag.key}`]: tag.value };
  return new iam.PolicyDocument({
    statements: [
      new iam.PolicyStatement({
        sid: 'OnlyAuditors',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['execute-api:Invoke'],
        resources: ['execute-api:/*'],
        conditions,
      }),
    ],
  });
}

/**
 * One JSON line per request: who (`userArn`, the IAM principal; `caller`, `user`, the account),
 * what (`path` as requested, `resourcePath` as routed, the method), and how it ended (`status`,
 * `errorMessage`, `responseType`). Never the query string: filter values (owners, reasons) stay
 * out of the access log; the query function logs its normalised filters instead.
 * `$context.error.messageString` is already a JSON string (quotes escaped), hence unquoted.
 */
export const ACCESS_LOG_FORMAT = apigw.AccessLogFormat.custom(
  JSON.stringify({
    requestId: '$context.requestId',
    extendedRequestId: '$context.extendedRequestId',
    requestTime: '$context.requestTime',
    userArn: '$context.identity.userArn',
    caller: '$context.identity.caller',
    user: '$context.identity.user',
    accountId: '$context.identity.accountId',
    sourceIp: '$context.identity.sourceIp',
    httpMethod: '$context.httpMethod',
    path: '$context.path',
    resourcePath: '$context.resourcePath',
    status: '$context.status',
    responseLength: '$context.responseLength',
    errorMessage: '__ERROR_MESSAGE__',
    responseType: '$context.error.responseType',
    protocol: '$context.protocol',
    tlsVersion: '$context.tlsVersion',
  }).replace('"__ERROR_MESSAGE__"', '$context.error.messageString'),
);
