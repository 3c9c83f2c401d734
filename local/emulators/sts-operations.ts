/**
 * AssumeRole, GetCallerIdentity and GetAccessKeyInfo against the organisation model, with the
 * checks and messages AWS STS gives: parameter constraints, the member role's trust (principal,
 * external id, membership of the organisation), the role's MaxSessionDuration, and the faults a
 * test sets on an account.
 */
import type { KnownCaller } from './callers';
import type { EmulatedOrganization } from './organization-model';
import { QueryApiError, validationError, type XmlTree } from './query-protocol';

export const STS_ACTIONS = ['AssumeRole', 'GetCallerIdentity', 'GetAccessKeyInfo'] as const;
export type StsAction = (typeof STS_ACTIONS)[number];

export function isStsAction(name: string): name is StsAction {
  return (STS_ACTIONS as readonly string[]).includes(name);
}

const ROLE_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]{1,64})$/;
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;
const ACCESS_KEY_ID = /^\w{16,128}$/;
const DEFAULT_DURATION_SECONDS = 3600;

export interface StsContext {
  organization: EmulatedOrganization;
  caller: KnownCaller;
  /** Called with the target account of every AssumeRole that got past parameter validation. */
  onAssumeRole(accountId: string): void;
}

export function runStsAction(action: StsAction, parameters: Map<string, string>, context: StsContext): XmlTree {
  switch (action) {
    case 'AssumeRole':
      return assumeRole(parameters, context);
    case 'GetCallerIdentity':
      return {
        UserId: context.caller.issued ? `AROA${context.caller.accountId}:${context.caller.issued.roleSessionName}` : userIdOf(context.caller),
        Account: context.caller.accountId,
        Arn: context.caller.identityArn,
      };
    case 'GetAccessKeyInfo':
      return getAccessKeyInfo(parameters, context.organization);
  }
}

function assumeRole(parameters: Map<string, string>, context: StsContext): XmlTree {
  const { organization, caller } = context;
  const request = assumeRoleRequest(parameters);
  context.onAssumeRole(request.accountId);
  const account = organization.account(request.accountId);
  const denied = new QueryApiError(
    'AccessDenied',
    `User: ${caller.identityArn} is not authorized to perform: sts:AssumeRole on resource: ${request.roleArn}`,
    403,
  );
  if (account?.assumeRoleFault === 'throttle') throw new QueryApiError('Throttling', 'Rate exceeded', 400);
  if (account?.assumeRoleFault === 'access-denied') throw denied;
  // Missing role, foreign account, untrusted caller, wrong external id: AWS tells them apart to nobody.
  const role = account?.role;
  if (!account || account.state !== 'ACTIVE' || !role || role.name !== request.roleName) throw denied;
  if (!role.trustedPrincipalArns.includes(caller.principalArn)) throw denied;
  if (role.externalId !== undefined && role.externalId !== request.externalId) throw denied;
  if (request.durationSeconds > role.maxSessionDurationSeconds) {
    throw new QueryApiError('ValidationError', 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.', 400);
  }
  const issued = organization.credentials.issue({
    accountId: account.id,
    roleName: role.name,
    roleSessionName: request.roleSessionName,
    durationSeconds: request.durationSeconds,
    nowMs: organization.now(),
  });
  return {
    Credentials: {
      AccessKeyId: issued.accessKeyId,
      SecretAccessKey: issued.secretAccessKey,
      SessionToken: issued.sessionToken,
      Expiration: new Date(issued.expiresAtMs).toISOString().replace('.000Z', 'Z'),
    },
    AssumedRoleUser: {
      AssumedRoleId: `AROA${account.id}:${issued.roleSessionName}`,
      Arn: issued.assumedRoleArn,
    },
  };
}

interface AssumeRoleRequest {
  roleArn: string;
  accountId: string;
  roleName: string;
  roleSessionName: string;
  externalId: string | undefined;
  durationSeconds: number;
}

function assumeRoleRequest(parameters: Map<string, string>): AssumeRoleRequest {
  const problems: string[] = [];
  const roleArn = parameters.get('RoleArn');
  const roleSessionName = parameters.get('RoleSessionName');
  const externalId = parameters.get('ExternalId');
  const durationText = parameters.get('DurationSeconds');
  const arnMatch = roleArn === undefined ? null : ROLE_ARN.exec(roleArn);
  if (roleArn === undefined) problems.push("Value null at 'roleArn' failed to satisfy constraint: Member must not be null");
  else if (!arnMatch) problems.push(`Value '${roleArn}' at 'roleArn' failed to satisfy constraint: Member must be an IAM role ARN`);
  if (roleSessionName === undefined) problems.push("Value null at 'roleSessionName' failed to satisfy constraint: Member must not be null");
  else if (!SESSION_NAME.test(roleSessionName)) {
    problems.push(`Value '${roleSessionName}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]* and have length between 2 and 64`);
  }
  if (externalId !== undefined && !EXTERNAL_ID.test(externalId)) {
    problems.push(`Value '${externalId}' at 'externalId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@:/-]* and have length between 2 and 1224`);
  }
  const durationSeconds = durationText === undefined ? DEFAULT_DURATION_SECONDS : Number(durationText);
  if (!Number.isInteger(durationSeconds) || durationSeconds < 900 || durationSeconds > 43_200) {
    problems.push(`Value '${durationText}' at 'durationSeconds' failed to satisfy constraint: Member must have value between 900 and 43200`);
  }
  if (problems.length > 0 || !arnMatch || roleArn === undefined || roleSessionName === undefined) throw validationError(problems);
  return { roleArn, accountId: arnMatch[1] as string, roleName: arnMatch[2] as string, roleSessionName, externalId, durationSeconds };
}

function getAccessKeyInfo(parameters: Map<string, string>, organization: EmulatedOrganization): XmlTree {
  const accessKeyId = parameters.get('AccessKeyId');
  if (accessKeyId === undefined || !ACCESS_KEY_ID.test(accessKeyId)) {
    throw validationError([`Value '${accessKeyId ?? 'null'}' at 'accessKeyId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w]* and have length between 16 and 128`]);
  }
  const accountId = organization.accountOfCaller(accessKeyId);
  if (accountId === undefined) throw new QueryApiError('InvalidClientTokenId', 'The security token included in the request is invalid.', 403);
  return { Account: accountId };
}

function userIdOf(caller: KnownCaller): string {
  const roleName = /:role\/(?:.*\/)?([^/]+)$/.exec(caller.principalArn)?.[1];
  return roleName === undefined ? caller.principalArn : `AROA${caller.accountId}:${roleName}`;
}
