/**
 * Issue 12, infrastructure side: only the archive's functions publish its events, only auditors
 * call its API, only the archive writes its table, the table's key grants each role what it needs
 * and no more, and every read is on record without filter values in traces. Each policy is
 * evaluated for the principals that matter, not only looked at.
 */
import { type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { ContextError, readAppConfig } from '../../lib/app-config';
import { buildStack, cdkJsonContext, logicalIdOf, resourcesOfType } from './stack-fixture';

const FUNCTION = 'AWS::Lambda::Function';

interface Statement {
  Sid?: string;
  Effect: string;
  Principal?: unknown;
  Action: string | string[];
  Resource?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

/** The request context a policy's conditions are evaluated against: key → value (refs as JSON). */
type RequestContext = Record<string, unknown>;

const list = (value: unknown): unknown[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const like = (pattern: unknown, value: unknown) =>
  typeof pattern === 'string' && typeof value === 'string'
    ? new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`).test(value)
    : same(pattern, value);

/** Whether every condition of `statement` holds for `request` (the operators these policies use). */
function conditionsHold(statement: Statement, request: RequestContext): boolean {
  return Object.entries(statement.Condition ?? {}).every(([operator, entries]) =>
    Object.entries(entries).every(([key, expected]) => {
      const actual = request[key];
      const anyEqual = list(expected).some((value) => same(value, actual));
      const anyLike = list(expected).some((value) => like(value, actual));
      switch (operator) {
        case 'StringEquals':
        case 'ArnEquals':
          return anyEqual;
        case 'StringNotEquals':
        case 'ArnNotEquals':
          return !anyEqual;
        case 'ArnNotLike':
          return !anyLike;
        case 'ForAnyValue:StringNotLike':
          // True when some value of the (multi-valued) key matches none of the patterns.
          return list(actual).some((value) => !list(expected).some((pattern) => like(pattern, value)));
        default:
          throw new Error(`operator ${operator} not evaluated by this test`);
      }
    }),
  );
}

/** Whether an explicit Deny among `statements` applies to `action` with `request`. */
function denied(statements: Statement[], action: string, request: RequestContext): boolean {
  return statements.some((s) => s.Effect === 'Deny' && list(s.Action).includes(action) && conditionsHold(s, request));
}

function roleArnOf(template: Template, functionPrefix: string): unknown {
  const fn = resourcesOfType(template, FUNCTION)[logicalIdOf(template, FUNCTION, functionPrefix)];
  return { 'Fn::GetAtt': [(fn?.Properties?.Role as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0], 'Arn'] };
}

function roleStatements(template: Template, functionPrefix: string): Statement[] {
  const roleId = (roleArnOf(template, functionPrefix) as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0];
  return Object.values(resourcesOfType(template, 'AWS::IAM::Policy'))
    .filter((policy) => JSON.stringify(policy.Properties?.Roles).includes(`"${roleId}"`))
    .flatMap((policy) => (policy.Properties?.PolicyDocument as { Statement: Statement[] }).Statement);
}

const OUTSIDER = 'arn:aws:iam::111122223333:role/Admin';
let template: Template;
let sweeperRole: unknown;
let complianceRole: unknown;
let queryRole: unknown;

beforeAll(() => {
  template = buildStack().template;
  sweeperRole = roleArnOf(template, 'SessionArchiveSweeper');
  complianceRole = roleArnOf(template, 'SessionArchiveCompliance');
  queryRole = roleArnOf(template, 'SessionArchiveQuery');
});

describe('event bus: only the archive publishes its events', () => {
  const busStatements = (source: Template) => Object.values(resourcesOfType(source, 'AWS::Events::EventBusPolicy')).map((policy) => policy.Properties?.Statement as Statement);
  const put = (principal: unknown, detailType: string, source = 'session-archive') => ({ 'aws:PrincipalArn': principal, 'events:source': source, 'events:detail-type': detailType });

  it('lets the sweeper put its four detail types, and nothing else with the archive source', () => {
    for (const detailType of ['Session Archived', 'Sweep Completed', 'Coverage Gap Detected', 'Target Sweep Failed']) expect(denied(busStatements(template), 'events:PutEvents', put(sweeperRole, detailType))).toBe(false);
    expect(denied(busStatements(template), 'events:PutEvents', put(sweeperRole, 'Session Compliance Finding'))).toBe(true);
  });

  it('lets the compliance function put findings only: it cannot forge a Session Archived', () => {
    expect(denied(busStatements(template), 'events:PutEvents', put(complianceRole, 'Session Compliance Finding'))).toBe(false);
    expect(denied(busStatements(template), 'events:PutEvents', put(complianceRole, 'Session Archived'))).toBe(true);
  });

  it('denies every other principal (an administrator, the query function) the archive source', () => {
    for (const principal of [OUTSIDER, queryRole]) {
      for (const detailType of ['Session Archived', 'Session Compliance Finding', 'Sweep Completed']) {
        expect(denied(busStatements(template), 'events:PutEvents', put(principal, detailType))).toBe(true);
      }
    }
  });

  it('leaves events of other sources to IAM', () => {
    expect(denied(busStatements(template), 'events:PutEvents', put(OUTSIDER, 'Session Archived', 'my-app'))).toBe(false);
  });

  it('conditions the IAM grants on source and detail type too', () => {
    const grant = (prefix: string) => roleStatements(template, prefix).find((s) => list(s.Action).includes('events:PutEvents'));
    expect(grant('SessionArchiveSweeper')?.Condition).toEqual({
      StringEquals: { 'events:source': 'session-archive', 'events:detail-type': ['Session Archived', 'Sweep Completed', 'Coverage Gap Detected', 'Target Sweep Failed'] },
    });
    expect(grant('SessionArchiveCompliance')?.Condition).toEqual({ StringEquals: { 'events:source': 'session-archive', 'events:detail-type': ['Session Compliance Finding'] } });
  });

  it('adds the same statements (beside the account\'s own) when the events go to the default bus', () => {
    const onDefault = buildStack({ eventBusName: 'default' }).template;
    const policies = Object.values(resourcesOfType(onDefault, 'AWS::Events::EventBusPolicy'));
    expect(policies.map((policy) => policy.Properties?.EventBusName)).toEqual(['default', 'default', 'default', 'default']);
    expect(denied(busStatements(onDefault), 'events:PutEvents', put(OUTSIDER, 'Session Archived'))).toBe(true);
  });
});

describe('query API: auditors only', () => {
  const apiPolicy = (source: Template) => (Object.values(resourcesOfType(source, 'AWS::ApiGateway::RestApi'))[0]?.Properties?.Policy as { Statement: Statement[] }).Statement;

  it('denies every caller without the auditor tag by default, and lets a tagged auditor through', () => {
    expect(denied(apiPolicy(template), 'execute-api:Invoke', { 'aws:PrincipalArn': OUTSIDER })).toBe(true);
    expect(denied(apiPolicy(template), 'execute-api:Invoke', { 'aws:PrincipalArn': OUTSIDER, 'aws:PrincipalTag/session-archive-auditor': 'false' })).toBe(true);
    expect(denied(apiPolicy(template), 'execute-api:Invoke', { 'aws:PrincipalArn': OUTSIDER, 'aws:PrincipalTag/session-archive-auditor': 'true' })).toBe(false);
  });

  it('lets the role ARNs of cdk.json through (with * patterns), and only them when the tag is off', () => {
    const custom = buildStack({ auditorRoleArns: ['arn:aws:iam::111122223333:role/Auditor', 'arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Audit_*'], auditorPrincipalTag: null }).template;
    expect(denied(apiPolicy(custom), 'execute-api:Invoke', { 'aws:PrincipalArn': 'arn:aws:iam::111122223333:role/Auditor' })).toBe(false);
    expect(denied(apiPolicy(custom), 'execute-api:Invoke', { 'aws:PrincipalArn': 'arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Audit_0a1b2c' })).toBe(false);
    expect(denied(apiPolicy(custom), 'execute-api:Invoke', { 'aws:PrincipalArn': OUTSIDER, 'aws:PrincipalTag/session-archive-auditor': 'true' })).toBe(true);
  });

  it('holds only a Deny, so the auditor managed policy (an IAM Allow) still grants the GET routes', () => {
    expect(apiPolicy(template).map((s) => [s.Effect, s.Action, s.Resource])).toEqual([['Deny', 'execute-api:Invoke', 'execute-api:/*']]);
    const auditor = Object.values(resourcesOfType(template, 'AWS::IAM::ManagedPolicy'))[0]?.Properties?.PolicyDocument as { Statement: Statement[] };
    expect(auditor.Statement.map((s) => [s.Effect, s.Action])).toEqual([['Allow', 'execute-api:Invoke']]);
  });

  it('refuses a context that names no auditor at all, naming both keys', () => {
    const withContext = (overrides: Record<string, unknown>) => () => {
      const context: Record<string, unknown> = { ...cdkJsonContext(), ...overrides };
      return readAppConfig((key) => context[key]);
    };
    const attempt = withContext({ auditorRoleArns: [], auditorPrincipalTag: null });
    expect(attempt).toThrow(ContextError);
    expect(attempt).toThrow(/auditorRoleArns and auditorPrincipalTag must not both be empty/);
    expect(withContext({ auditorRoleArns: 'arn:aws:s3:::bucket' })).toThrow(/auditorRoleArns must be a list of IAM role or user ARNs/);
    expect(withContext({ auditorPrincipalTag: 'no-equals-sign' })).toThrow(/auditorPrincipalTag must be <key>=<value>/);
  });

  it('redeploys the stage when the auditors change (a resource policy takes effect with a deployment)', () => {
    const deployment = (source: Template) => logicalIdOf(source, 'AWS::ApiGateway::Deployment', 'SessionArchiveQueryApiDeployment');
    expect(deployment(buildStack({ auditorRoleArns: ['arn:aws:iam::111122223333:role/Auditor'] }).template)).not.toBe(deployment(template));
  });

  it('accepts TLS 1.2 or later only', () => {
    template.hasResourceProperties('AWS::ApiGateway::RestApi', { SecurityPolicy: 'TLS_1_2' });
  });

  it('leaves the account-wide API Gateway logging role alone unless asked (apiGatewayCloudWatchRole)', () => {
    template.resourceCountIs('AWS::ApiGateway::Account', 0);
    buildStack({ apiGatewayCloudWatchRole: true }).template.resourceCountIs('AWS::ApiGateway::Account', 1);
  });
});

describe('archive table: written only by the archive', () => {
  const tablePolicy = (source: Template) =>
    (Object.values(resourcesOfType(source, 'AWS::DynamoDB::Table'))[0]?.Properties?.ResourcePolicy as { PolicyDocument: { Statement: Statement[] } }).PolicyDocument.Statement;

  it('lets the sweeper and the compliance function put and update, and nobody else', () => {
    for (const action of ['dynamodb:PutItem', 'dynamodb:UpdateItem']) {
      expect(denied(tablePolicy(template), action, { 'aws:PrincipalArn': sweeperRole })).toBe(false);
      expect(denied(tablePolicy(template), action, { 'aws:PrincipalArn': complianceRole })).toBe(false);
      expect(denied(tablePolicy(template), action, { 'aws:PrincipalArn': queryRole })).toBe(true);
      expect(denied(tablePolicy(template), action, { 'aws:PrincipalArn': OUTSIDER })).toBe(true);
    }
  });

  it('lets nobody batch-write or write through PartiQL without a break-glass role', () => {
    for (const action of ['dynamodb:BatchWriteItem', 'dynamodb:PartiQLInsert', 'dynamodb:PartiQLUpdate', 'dynamodb:PartiQLDelete']) {
      for (const principal of [sweeperRole, complianceRole, OUTSIDER]) expect(denied(tablePolicy(template), action, { 'aws:PrincipalArn': principal })).toBe(true);
    }
  });

  it('lets only the sweeper delete, and only its sweep leases', () => {
    const deleting = (principal: unknown, partition: string) => ({ 'aws:PrincipalArn': principal, 'dynamodb:LeadingKeys': [partition] });
    expect(denied(tablePolicy(template), 'dynamodb:DeleteItem', deleting(sweeperRole, 'LEASES'))).toBe(false);
    for (const partition of ['SESSION#s-1', 'SOURCES', 'FINDING#s-1']) expect(denied(tablePolicy(template), 'dynamodb:DeleteItem', deleting(sweeperRole, partition))).toBe(true);
    for (const principal of [complianceRole, queryRole, OUTSIDER]) expect(denied(tablePolicy(template), 'dynamodb:DeleteItem', deleting(principal, 'LEASES'))).toBe(true);
  });

  it('lets the configured break-glass role write and delete', () => {
    const breakGlass = 'arn:aws:iam::111122223333:role/ArchiveBreakGlass';
    const custom = buildStack({ breakGlassRoleArn: breakGlass }).template;
    for (const action of ['dynamodb:PutItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem']) {
      expect(denied(tablePolicy(custom), action, { 'aws:PrincipalArn': breakGlass, 'dynamodb:LeadingKeys': ['SESSION#s-1'] })).toBe(false);
      expect(denied(tablePolicy(custom), action, { 'aws:PrincipalArn': OUTSIDER })).toBe(true);
    }
  });

  it('limits the sweeper to session, sweep-state, lease, bounds and evidence-chain items (dynamodb:LeadingKeys), deletes to leases and evidence journals, index reads to its two indexes; the migration Scan alone is unkeyed', () => {
    const dynamo = roleStatements(template, 'SessionArchiveSweeper').filter((s) => list(s.Action).some((a) => String(a).startsWith('dynamodb:')));
    const onTable = dynamo.filter((s) => !JSON.stringify(s.Resource).includes('/index/'));
    expect(onTable.map((s) => [s.Action, s.Condition])).toEqual([
      [
        ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
        { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['SESSION#*', 'SOURCES', 'LEASES', 'ARCHIVE', 'EVIDENCE', 'EVIDENCE#*'] } },
      ],
      [['dynamodb:DescribeTable', 'dynamodb:Scan'], undefined],
      ['dynamodb:DeleteItem', { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['LEASES', 'EVIDENCE#*'] } }],
    ]);
    const onIndexes = dynamo.filter((s) => JSON.stringify(s.Resource).includes('/index/'));
    expect(onIndexes.map((s) => s.Action)).toEqual(['dynamodb:Query']);
  });
});

describe("the table's key", () => {
  let keyStatements: Statement[];
  beforeAll(() => {
    const key = resourcesOfType(template, 'AWS::KMS::Key')[logicalIdOf(template, 'AWS::KMS::Key', 'SessionArchiveArchiveKey')];
    keyStatements = (key?.Properties?.KeyPolicy as { Statement: Statement[] }).Statement;
  });
  const actionsFor = (principal: unknown) => keyStatements.filter((s) => same((s.Principal as { AWS?: unknown }).AWS, principal)).flatMap((s) => list(s.Action));

  it('is customer-managed, rotated yearly and retained', () => {
    template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'RetainExceptOnCreate', Properties: { EnableKeyRotation: true } });
  });

  it('lets the query function decrypt only: no Encrypt, no ReEncrypt', () => {
    expect(actionsFor(queryRole).sort()).toEqual(['kms:Decrypt', 'kms:DescribeKey']);
  });

  it('lets the writers encrypt and decrypt', () => {
    for (const role of [sweeperRole, complianceRole]) {
      expect(actionsFor(role).sort()).toEqual(['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:ReEncryptFrom', 'kms:ReEncryptTo']);
    }
  });

  it('allows every cryptographic use through DynamoDB in the region only (kms:ViaService)', () => {
    const viaDynamoDb = { 'Fn::Join': ['', ['dynamodb.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }]] };
    const crypto = keyStatements.filter((s) => list(s.Action).some((a) => /kms:(Decrypt|Encrypt|GenerateDataKey|ReEncrypt|CreateGrant)/.test(String(a))));
    // Sweeper, compliance, query, verify, and CloudFormation/DynamoDB's own table management.
    expect(crypto.length).toBe(5);
    for (const statement of crypto) expect(statement.Condition?.StringEquals?.['kms:ViaService']).toEqual(viaDynamoDb);
  });

  it('gives the account administration and table management, never Encrypt, ReEncrypt or a wildcard action', () => {
    const root = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':root']] };
    const rootActions = actionsFor(root).map(String);
    expect(rootActions).toContain('kms:PutKeyPolicy');
    expect(rootActions.filter((a) => /kms:(Encrypt|ReEncrypt)/.test(a) || a.includes('*'))).toEqual([]);
    expect(keyStatements.flatMap((s) => list(s.Action)).filter((a) => String(a).includes('*'))).toEqual([]);
  });

  it('grants the functions the same through IAM, also only through DynamoDB', () => {
    const kmsGrant = roleStatements(template, 'SessionArchiveQuery').filter((s) => list(s.Action).some((a) => String(a).startsWith('kms:')));
    expect(kmsGrant.map((s) => [list(s.Action), Object.keys(s.Condition?.StringEquals ?? {})])).toEqual([[['kms:Decrypt', 'kms:DescribeKey'], ['kms:ViaService']]]);
  });
});

describe('every read on record, no filter value in traces', () => {
  const stage = () => Object.values(resourcesOfType(template, 'AWS::ApiGateway::Stage'))[0]?.Properties ?? {};

  it('logs the caller ARN, the actual path, the status and the error message of every request, never the query string', () => {
    const format = (stage().AccessLogSetting as { Format: string }).Format;
    // As API Gateway fills it in: messageString is a quoted JSON string.
    const line = JSON.parse(format.replace('$context.error.messageString', JSON.stringify('Forbidden "quoted"'))) as Record<string, string>;
    expect(line).toMatchObject({ userArn: '$context.identity.userArn', path: '$context.path', resourcePath: '$context.resourcePath', status: '$context.status', errorMessage: 'Forbidden "quoted"' });
    expect(format).not.toMatch(/querystring|requestOverride|\$input/i);
  });

  it('turns off stage tracing, whose X-Ray segments carry the full URL with its query string', () => {
    expect(stage().TracingEnabled).toBe(false);
  });

  it('records CloudTrail data events of the table only when asked (tableDataEvents)', () => {
    template.resourceCountIs('AWS::CloudTrail::Trail', 0);
    const custom = buildStack({ tableDataEvents: true }).template;
    const tableId = logicalIdOf(custom, 'AWS::DynamoDB::Table', 'SessionArchiveTable');
    custom.hasResourceProperties('AWS::CloudTrail::Trail', {
      IsLogging: true,
      EnableLogFileValidation: true,
      AdvancedEventSelectors: [
        {
          FieldSelectors: [
            { Field: 'eventCategory', Equals: ['Data'] },
            { Field: 'resources.type', Equals: ['AWS::DynamoDB::Table'] },
            { Field: 'resources.ARN', Equals: [{ 'Fn::GetAtt': [tableId, 'Arn'] }] },
          ],
          Name: 'Session Archive table data events',
        },
      ],
    });
    custom.hasResource('AWS::S3::Bucket', { DeletionPolicy: 'RetainExceptOnCreate' });
  });
});

describe('pagination token key', () => {
  it('may be read by the query function only, current and previous versions, nothing else of Secrets Manager', () => {
    const secretId = logicalIdOf(template, 'AWS::SecretsManager::Secret', 'SessionArchiveTokenSecret');
    const grants = ['SessionArchiveSweeper', 'SessionArchiveCompliance', 'SessionArchiveQuery'].flatMap((fn) =>
      roleStatements(template, fn)
        .filter((s) => list(s.Action).some((a) => String(a).startsWith('secretsmanager:')))
        .map((s) => ({ fn, action: s.Action, resource: s.Resource, condition: s.Condition })),
    );
    expect(grants).toEqual([
      {
        fn: 'SessionArchiveQuery',
        action: 'secretsmanager:GetSecretValue',
        resource: { Ref: secretId },
        condition: { 'ForAnyValue:StringEquals': { 'secretsmanager:VersionStage': ['AWSCURRENT', 'AWSPREVIOUS'] } },
      },
    ]);
  });

  it('gets the token lifetime from context when set', () => {
    const custom = buildStack({ tokenTtlSeconds: 3600 }).template;
    custom.hasResourceProperties(FUNCTION, { Description: 'Session Archive query API', Environment: { Variables: { TOKEN_TTL_SECONDS: '3600' } } });
    expect(() => buildStack({ tokenTtlSeconds: 30 })).toThrow(/tokenTtlSeconds must be a whole number of seconds from 60 to 604800/);
  });
});
