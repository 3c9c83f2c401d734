/**
 * Template assertions on the stack bin/app.ts builds from cdk.json: one behaviour per test.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { createArchiveTableInput } from '../../lambdas/adapters/dynamodb/archive-table';
import { METRICS_NAMESPACE, SWEEP_METRIC } from '../../lambdas/sweeper/metrics';
import { SessionArchive } from '../../lib/session-archive';
import { buildStack, logicalIdOf, resourcesOfType } from './stack-fixture';

const TABLE = 'AWS::DynamoDB::Table';
const FUNCTION = 'AWS::Lambda::Function';
const ALARM = 'AWS::CloudWatch::Alarm';

let template: Template;
let tableId: string;
let sweeperId: string;
let queryId: string;
let topicId: string;

beforeAll(() => {
  template = buildStack().template;
  tableId = logicalIdOf(template, TABLE, 'SessionArchiveTable');
  sweeperId = logicalIdOf(template, FUNCTION, 'SessionArchiveSweeper');
  queryId = logicalIdOf(template, FUNCTION, 'SessionArchiveQuery');
  topicId = logicalIdOf(template, 'AWS::SNS::Topic', 'SessionArchiveAlarmsTopic');
});

function tableProperties(): Record<string, unknown> {
  return resourcesOfType(template, TABLE)[tableId]?.Properties ?? {};
}

function alarmNamed(suffix: string): Record<string, unknown> {
  const alarms = Object.values(resourcesOfType(template, ALARM)).filter((alarm) => String(alarm.Properties?.AlarmName).endsWith(suffix));
  expect(alarms).toHaveLength(1);
  return alarms[0]?.Properties ?? {};
}

/** Every IAM policy document in the template: inline policies, role policies, managed policies. */
function policyStatements(): { id: string; statement: { Action: string | string[]; Resource?: unknown } }[] {
  const found: { id: string; statement: { Action: string | string[]; Resource?: unknown } }[] = [];
  const collect = (id: string, document: unknown) => {
    const statements = (document as { Statement?: unknown[] } | undefined)?.Statement ?? [];
    for (const statement of statements) found.push({ id, statement: statement as { Action: string | string[] } });
  };
  for (const type of ['AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy']) {
    for (const [id, resource] of Object.entries(resourcesOfType(template, type))) collect(id, resource.Properties?.PolicyDocument);
  }
  for (const [id, role] of Object.entries(resourcesOfType(template, 'AWS::IAM::Role'))) {
    for (const policy of (role.Properties?.Policies as { PolicyDocument: unknown }[] | undefined) ?? []) collect(id, policy.PolicyDocument);
  }
  return found;
}

function actionsOfPolicyFor(functionId: string): string[] {
  const roleRef = (resourcesOfType(template, FUNCTION)[functionId]?.Properties?.Role as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0];
  const policies = Object.values(resourcesOfType(template, 'AWS::IAM::Policy')).filter((policy) =>
    JSON.stringify(policy.Properties?.Roles).includes(`"${roleRef}"`),
  );
  return policies.flatMap((policy) =>
    ((policy.Properties?.PolicyDocument as { Statement: { Action: string | string[] }[] }).Statement ?? []).flatMap((s) => [s.Action].flat()),
  );
}

describe('archive table', () => {
  it('has point-in-time recovery on', () => {
    expect(tableProperties().PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
  });

  it('is retained when removed from the stack or replaced, but not after a failed create', () => {
    template.hasResource(TABLE, { DeletionPolicy: 'RetainExceptOnCreate', UpdateReplacePolicy: 'Retain' });
  });

  it('has deletion protection on', () => {
    expect(tableProperties().DeletionProtectionEnabled).toBe(true);
  });

  it("is encrypted at rest with the stack's own customer-managed KMS key by default", () => {
    const keyId = logicalIdOf(template, 'AWS::KMS::Key', 'SessionArchiveArchiveKey');
    expect(tableProperties().SSESpecification).toEqual({ SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } });
  });

  it('can use the AWS-managed key aws/dynamodb instead', () => {
    const custom = buildStack({ tableEncryption: 'aws-managed' }).template;
    // SSEEnabled without a key id is DynamoDB's "KMS, AWS-managed key aws/dynamodb".
    custom.hasResourceProperties(TABLE, { SSESpecification: { SSEEnabled: true } });
    // The evidence bucket's and the signing key remain: neither encrypts the table.
    expect(Object.keys(resourcesOfType(custom, 'AWS::KMS::Key')).filter((id) => !id.startsWith('SessionArchiveEvidence'))).toEqual([]);
  });

  it('bills on demand', () => {
    expect(tableProperties().BillingMode).toBe('PAY_PER_REQUEST');
  });

  it('has the key schema and indexes the local store creates (createArchiveTableInput)', () => {
    const local = createArchiveTableInput('ignored');
    const properties = tableProperties();
    expect(properties.KeySchema).toEqual(local.KeySchema);
    const sortByName = <T extends { AttributeName?: string; IndexName?: string }>(items: T[]) =>
      [...items].sort((a, b) => String(a.AttributeName ?? a.IndexName).localeCompare(String(b.AttributeName ?? b.IndexName)));
    expect(sortByName(properties.AttributeDefinitions as { AttributeName: string }[])).toEqual(sortByName(local.AttributeDefinitions ?? []));
    expect(sortByName(properties.GlobalSecondaryIndexes as { IndexName: string }[])).toEqual(sortByName(local.GlobalSecondaryIndexes ?? []));
  });

  it('has no TTL when no retention period is configured (keep forever)', () => {
    expect(tableProperties().TimeToLiveSpecification).toBeUndefined();
  });
});

describe('sweeper function', () => {
  it('runs on nodejs24.x', () => {
    template.hasResourceProperties(FUNCTION, { Description: Match.stringLikeRegexp('Sweeps'), Runtime: 'nodejs24.x' });
  });

  it('runs on ARM64', () => {
    template.hasResourceProperties(FUNCTION, { Description: Match.stringLikeRegexp('Sweeps'), Architectures: ['arm64'] });
  });


  it('has an explicit 5-minute timeout', () => {
    expect(resourcesOfType(template, FUNCTION)[sweeperId]?.Properties?.Timeout).toBe(300);
  });

  it('sends failed invocations to the failure queue without async retries', () => {
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: sweeperId },
      MaximumRetryAttempts: 0,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [Match.stringLikeRegexp('^SessionArchiveSweepFailures'), 'Arn'] } } },
    });
  });

  it('gets the table name, the account id and the metrics service name from its environment', () => {
    template.hasResourceProperties(FUNCTION, {
      Description: Match.stringLikeRegexp('Sweeps'),
      Environment: {
        Variables: Match.objectLike({
          TABLE_NAME: { Ref: tableId },
          ACCOUNT_ID: { Ref: 'AWS::AccountId' },
          POWERTOOLS_SERVICE_NAME: 'SessionArchive-sweeper',
          NODE_OPTIONS: '--enable-source-maps',
          // The overlap below the last listing and the reconciliation's period, at their defaults.
          OVERLAP_MINUTES: '60',
          RECONCILE_EVERY_HOURS: '24',
        }),
      },
    });
  });

  it('takes the overlap and the reconciliation period from the context', () => {
    const custom = buildStack({ overlapMinutes: 90, reconcileEveryHours: 12 }).template;
    custom.hasResourceProperties(FUNCTION, {
      Description: Match.stringLikeRegexp('Sweeps'),
      Environment: { Variables: Match.objectLike({ OVERLAP_MINUTES: '90', RECONCILE_EVERY_HOURS: '12' }) },
    });
  });

  it('may call ssm:DescribeSessions, read and write the table, delete its sweep lease and put events, nothing else but logs, tracing and its failure queue', () => {
    expect(new Set(actionsOfPolicyFor(sweeperId))).toEqual(
      new Set([
        'ssm:DescribeSessions',
        'events:PutEvents',
        'dynamodb:BatchGetItem',
        'dynamodb:GetItem',
        'dynamodb:Query',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
        'dynamodb:DeleteItem',
        // The add-start-day migration: a Scan (no partition key to limit) and the index's status.
        'dynamodb:Scan',
        'dynamodb:DescribeTable',
        'kms:Decrypt',
        'kms:DescribeKey',
        'kms:Encrypt',
        'kms:GenerateDataKey',
        'kms:GenerateDataKeyWithoutPlaintext',
        'kms:ReEncryptFrom',
        'kms:ReEncryptTo',
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        'xray:PutTraceSegments',
        'xray:PutTelemetryRecords',
        'sqs:SendMessage',
        'sqs:GetQueueAttributes',
        'sqs:GetQueueUrl',
        // Evidence: put objects under its prefix and read them back (ListBucket on the prefix only,
        // so a missing object is a 404), sign them, publish the public key.
        's3:PutObject',
        's3:GetObject',
        's3:ListBucket',
        'kms:Sign',
        'kms:GetPublicKey',
      ]),
    );
  });
});

describe('query function', () => {
  it('runs on nodejs24.x and ARM64', () => {
    const properties = resourcesOfType(template, FUNCTION)[queryId]?.Properties;
    expect([properties?.Runtime, properties?.Architectures]).toEqual(['nodejs24.x', ['arm64']]);
  });

  it('may only Query the table: no write action, no Scan', () => {
    const dynamoActions = actionsOfPolicyFor(queryId).filter((action) => action.startsWith('dynamodb:'));
    expect(dynamoActions).toEqual(['dynamodb:Query']);
  });

  it("gets its token secret's ARN, never the secret itself, in its environment", () => {
    const variables = (resourcesOfType(template, FUNCTION)[queryId]?.Properties?.Environment as { Variables: Record<string, unknown> }).Variables;
    const secretId = logicalIdOf(template, 'AWS::SecretsManager::Secret', 'SessionArchiveTokenSecret');
    expect(variables.TOKEN_SECRET_ARN).toEqual({ Ref: secretId });
    expect(variables.TOKEN_SECRET).toBeUndefined();
    expect(JSON.stringify(variables)).not.toContain('resolve:secretsmanager');
    expect(variables.TOKEN_TTL_SECONDS).toBeUndefined();
  });
});

describe('IAM', () => {
  it('grants no wildcard action anywhere', () => {
    const wildcards = policyStatements().flatMap(({ id, statement }) =>
      [statement.Action].flat().filter((action) => action.includes('*')).map((action) => `${id}: ${action}`),
    );
    expect(wildcards).toEqual([]);
  });

  it('uses a resource wildcard only for the actions that have no resource-level permissions', () => {
    const starActions = policyStatements()
      .filter(({ statement }) => statement.Resource === '*')
      .flatMap(({ statement }) => [statement.Action].flat());
    expect(new Set(starActions)).toEqual(new Set(['ssm:DescribeSessions', 'xray:PutTraceSegments', 'xray:PutTelemetryRecords']));
  });

  it('gives auditors execute-api:Invoke on this API stage and nothing else', () => {
    const policies = Object.values(resourcesOfType(template, 'AWS::IAM::ManagedPolicy'));
    expect(policies).toHaveLength(1);
    const statements = (policies[0]?.Properties?.PolicyDocument as { Statement: { Action: string; Resource: unknown }[] }).Statement;
    expect(statements.map((s) => s.Action)).toEqual(['execute-api:Invoke']);
    const parts = (statements[0]?.Resource as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
    expect(parts).toContainEqual({ Ref: logicalIdOf(template, 'AWS::ApiGateway::RestApi', 'SessionArchiveQueryApi') });
    expect(String(parts[parts.length - 1])).toBe('/v1/*/*');
  });
});

describe('schedule', () => {
  it('runs the sweeper every 15 minutes by default', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(15 minutes)',
      State: 'ENABLED',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [sweeperId, 'Arn'] } })],
    });
  });

  it('uses the schedule given in context', () => {
    const custom = buildStack({ schedule: 'cron(0/5 * * * ? *)' }).template;
    custom.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'cron(0/5 * * * ? *)' });
  });
});

describe('query API', () => {
  it('requires AWS_IAM on every method', () => {
    const methods = Object.values(resourcesOfType(template, 'AWS::ApiGateway::Method'));
    expect(methods.length).toBeGreaterThan(5);
    expect(new Set(methods.map((method) => method.Properties?.AuthorizationType))).toEqual(new Set(['AWS_IAM']));
  });

  it('has the five GET routes, and sends every other path and method to the same function (404/405 as locally)', () => {
    const methods = Object.values(resourcesOfType(template, 'AWS::ApiGateway::Method'));
    const httpMethods = methods.map((method) => String(method.Properties?.HttpMethod));
    expect(httpMethods.filter((method) => method === 'GET')).toHaveLength(5);
    // One ANY per route resource (405), one on the root and one on {proxy+} (404); no OPTIONS.
    expect(httpMethods.filter((method) => method === 'ANY')).toHaveLength(5 + 1 + 1);
    expect(httpMethods.every((method) => method === 'GET' || method === 'ANY')).toBe(true);
    const integrations = new Set(methods.map((method) => JSON.stringify((method.Properties?.Integration as { Uri?: unknown }).Uri)));
    expect(integrations.size).toBe(1);
    template.hasResourceProperties('AWS::ApiGateway::Resource', { PathPart: '{proxy+}' });
  });

  it('validates request parameters on every method', () => {
    const validatorId = logicalIdOf(template, 'AWS::ApiGateway::RequestValidator', 'SessionArchiveQueryApiParameterValidator');
    template.hasResourceProperties('AWS::ApiGateway::RequestValidator', { ValidateRequestParameters: true });
    const methods = Object.values(resourcesOfType(template, 'AWS::ApiGateway::Method'));
    expect(methods.map((method) => method.Properties?.RequestValidatorId)).toEqual(methods.map(() => ({ Ref: validatorId })));
  });

  it('requires the sessionId path parameter', () => {
    template.hasResourceProperties('AWS::ApiGateway::Method', { RequestParameters: { 'method.request.path.sessionId': true } });
  });

  it('writes access logs with the caller identity', () => {
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      AccessLogSetting: {
        DestinationArn: { 'Fn::Join': ['', Match.arrayWith([':log-group:', { Ref: Match.stringLikeRegexp('^SessionArchiveQueryApiAccessLogs') }])] },
        Format: Match.stringLikeRegexp('\\$context\\.identity\\.user'),
      },
    });
  });

  it('throttles the stage (50 requests/s, burst 100 by default)', () => {
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      MethodSettings: [Match.objectLike({ HttpMethod: '*', ResourcePath: '/*', ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 })],
    });
  });

  it('never logs request or response bodies', () => {
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      MethodSettings: [Match.objectLike({ DataTraceEnabled: false, LoggingLevel: 'ERROR' })],
    });
  });
});

describe('log retention', () => {
  it('keeps every log group one year by default', () => {
    const groups = Object.values(resourcesOfType(template, 'AWS::Logs::LogGroup'));
    expect(groups.map((group) => group.Properties?.RetentionInDays)).toEqual([365, 365, 365, 365, 365, 365]);
  });

  it('owns the API execution-log group, so it gets a retention too', () => {
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: { 'Fn::Join': ['', ['API-Gateway-Execution-Logs_', { Ref: Match.stringLikeRegexp('^SessionArchiveQueryApi') }, '/v1']] },
      RetentionInDays: 365,
    });
  });

  it('gives each function its own log group', () => {
    for (const id of [sweeperId, queryId]) {
      const logGroup = (resourcesOfType(template, FUNCTION)[id]?.Properties?.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
      expect(resourcesOfType(template, 'AWS::Logs::LogGroup')[logGroup]).toBeDefined();
    }
  });

  it('uses the retention given in context', () => {
    const custom = buildStack({ logRetentionDays: 90 }).template;
    const groups = Object.values(resourcesOfType(custom, 'AWS::Logs::LogGroup'));
    expect(groups.map((group) => group.Properties?.RetentionInDays)).toEqual([90, 90, 90, 90, 90, 90]);
  });
});

describe('alarms', () => {
  const sweeperDimension = [{ Name: 'service', Value: 'SessionArchive-sweeper' }];

  it('alarms on any sweeper error (timeouts included) within an hour', () => {
    expect(alarmNamed('-sweeper-errors')).toMatchObject({
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: sweeperId } }],
      Statistic: 'Sum',
      Period: 3600,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });

  it('alarms when no sweep completed for 6 hours, counting missing data as failure', () => {
    expect(alarmNamed('-no-successful-sweep')).toMatchObject({
      Namespace: METRICS_NAMESPACE,
      MetricName: SWEEP_METRIC.sweepCompleted,
      Dimensions: sweeperDimension,
      Statistic: 'Maximum',
      Period: 3600,
      EvaluationPeriods: 6,
      DatapointsToAlarm: 6,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
    });
  });

  it('alarms when the watermark is older than 7 days', () => {
    expect(alarmNamed('-watermark-age')).toMatchObject({
      Namespace: METRICS_NAMESPACE,
      MetricName: SWEEP_METRIC.watermarkAgeSeconds,
      Dimensions: sweeperDimension,
      Statistic: 'Maximum',
      Threshold: 7 * 24 * 3600,
      ComparisonOperator: 'GreaterThanThreshold',
    });
  });

  it('alarms on any coverage gap a sweep found', () => {
    expect(alarmNamed('-coverage-gap')).toMatchObject({
      Namespace: METRICS_NAMESPACE,
      MetricName: SWEEP_METRIC.coverageGapSeconds,
      Dimensions: sweeperDimension,
      Statistic: 'Maximum',
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
    });
  });

  it('alarms on any 5xx from the query API', () => {
    expect(alarmNamed('-api-5xx')).toMatchObject({
      Namespace: 'AWS/ApiGateway',
      MetricName: '5XXError',
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });

  it('notifies the alarm topic when each alarm fires and when it clears', () => {
    const alarms = Object.values(resourcesOfType(template, ALARM));
    expect(alarms).toHaveLength(9);
    for (const alarm of alarms) {
      expect([alarm.Properties?.AlarmActions, alarm.Properties?.OKActions]).toEqual([[{ Ref: topicId }], [{ Ref: topicId }]]);
    }
  });

  it('takes the watermark-age and no-sweep thresholds from context', () => {
    const custom = buildStack({ watermarkAgeAlarmDays: 3, noSweepAlarmHours: 12 }).template;
    const byName = (suffix: string) =>
      Object.values(resourcesOfType(custom, ALARM)).find((alarm) => String(alarm.Properties?.AlarmName).endsWith(suffix))?.Properties;
    expect([byName('-watermark-age')?.Threshold, byName('-no-successful-sweep')?.EvaluationPeriods]).toEqual([3 * 24 * 3600, 12]);
  });

  it('subscribes no e-mail by default', () => {
    template.resourceCountIs('AWS::SNS::Subscription', 0);
  });

  it('subscribes the alarm e-mail given in context', () => {
    const custom = buildStack({ alarmEmail: 'ops@example.com' }).template;
    custom.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com' });
  });
});

describe('options', () => {
  it('sets TTL on expiresAt and tells the sweeper the retention when retentionDays is set', () => {
    const custom = buildStack({ retentionDays: '400' }).template;
    custom.hasResourceProperties(TABLE, { TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true } });
    custom.hasResourceProperties(FUNCTION, {
      Description: Match.stringLikeRegexp('Sweeps'),
      Environment: { Variables: Match.objectLike({ RETENTION_DAYS: '400' }) },
    });
  });

  it('encrypts the table with the customer key given in context and grants only named KMS actions', () => {
    const keyArn = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    const custom = buildStack({ kmsKeyArn: keyArn }).template;
    custom.hasResourceProperties(TABLE, { SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: keyArn } });
    custom.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: Match.arrayWith(['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey']), Resource: keyArn }),
        ]),
      },
    });
  });

  it('refuses a retention shorter than the 30 days SSM keeps', () => {
    expect(() => buildStack({ retentionDays: 7 })).toThrow(/retentionDays/);
  });

  it('refuses a no-sweep alarm window CloudWatch cannot evaluate (over 7 days)', () => {
    const stack = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Invalid');
    expect(() => new SessionArchive(stack, 'Archive', { noSweepAlarmHours: 169 })).toThrow(/noSweepAlarmHours must be a whole number from 1 to 168/);
  });

});

describe('outputs', () => {
  it('exports the API URL, table name, event source and auditor policy ARN', () => {
    const outputs = template.findOutputs('*');
    expect(Object.keys(outputs)).toEqual(expect.arrayContaining(['ApiUrl', 'TableName', 'EventSource', 'AuditorPolicyArn']));
    expect(outputs.EventSource?.Value).toBe('session-archive');
  });
});
