/**
 * The event and compliance wiring of the stack bin/app.ts builds from cdk.json: the bus, the rule
 * on `Session Archived` and its event pattern, the check function's least-privilege permissions,
 * its dead-letter queue and the alarm on it, and the compliance context's validation.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { ContextError, readAppConfig } from '../../lib/app-config';
import { SessionArchive } from '../../lib/session-archive';
import { buildStack, cdkJsonContext, logicalIdOf, resourcesOfType } from './stack-fixture';

const FUNCTION = 'AWS::Lambda::Function';

let template: Template;
/** Built once: the default bus, and rules given as JSON text as on the command line. */
let custom: Template;
let busId: string;
let tableId: string;
let complianceId: string;
let sweeperId: string;
let queryId: string;
let dlqId: string;
let ruleId: string;

beforeAll(() => {
  template = buildStack().template;
  custom = buildStack({
    eventBusName: 'default',
    compliance: '{"reasonRequired":true,"offHours":{"start":"20:00","end":"07:00","timeZone":"Europe/Berlin"}}',
  }).template;
  busId = logicalIdOf(template, 'AWS::Events::EventBus', 'SessionArchiveEventBus');
  tableId = logicalIdOf(template, 'AWS::DynamoDB::Table', 'SessionArchiveTable');
  complianceId = logicalIdOf(template, FUNCTION, 'SessionArchiveCompliance');
  sweeperId = logicalIdOf(template, FUNCTION, 'SessionArchiveSweeper');
  queryId = logicalIdOf(template, FUNCTION, 'SessionArchiveQuery');
  dlqId = logicalIdOf(template, 'AWS::SQS::Queue', 'SessionArchiveComplianceFailures');
  ruleId = logicalIdOf(template, 'AWS::Events::Rule', 'SessionArchiveComplianceCheckRule');
});

interface Statement {
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
}

/** The statements of the default policy of a function's role. */
function statementsOf(functionId: string, source: Template = template): Statement[] {
  const roleRef = (resourcesOfType(source, FUNCTION)[functionId]?.Properties?.Role as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0];
  return Object.values(resourcesOfType(source, 'AWS::IAM::Policy'))
    .filter((policy) => JSON.stringify(policy.Properties?.Roles).includes(`"${roleRef}"`))
    .flatMap((policy) => (policy.Properties?.PolicyDocument as { Statement: Statement[] }).Statement);
}

function statementWith(functionId: string, action: string, source: Template = template): Statement | undefined {
  return statementsOf(functionId, source).find((statement) => [statement.Action].flat().includes(action));
}

describe('event bus', () => {
  it('is a dedicated bus named session-archive by default', () => {
    template.hasResourceProperties('AWS::Events::EventBus', { Name: 'session-archive' });
    expect(template.findOutputs('EventBusName').EventBusName?.Value).toEqual({ Ref: busId });
  });

  it('lets the sweeper put events on that bus only, and tells it the bus', () => {
    expect(statementWith(sweeperId, 'events:PutEvents')?.Resource).toEqual({ 'Fn::GetAtt': [busId, 'Arn'] });
    expect((resourcesOfType(template, FUNCTION)[sweeperId]?.Properties?.Environment as { Variables: Record<string, unknown> }).Variables.EVENT_BUS_NAME).toEqual({ Ref: busId });
  });

  it('can be the account default bus instead', () => {
    custom.resourceCountIs('AWS::Events::EventBus', 0);
    const sweeper = logicalIdOf(custom, FUNCTION, 'SessionArchiveSweeper');
    expect(JSON.stringify(statementWith(sweeper, 'events:PutEvents', custom)?.Resource)).toContain(':event-bus/default');
    custom.hasResourceProperties('AWS::Events::Rule', { EventBusName: 'default', EventPattern: Match.objectLike({ source: ['session-archive'] }) });
  });
});

describe('compliance rule', () => {
  it('matches exactly the Session Archived events of session-archive, on the bus', () => {
    expect(resourcesOfType(template, 'AWS::Events::Rule')[ruleId]?.Properties).toMatchObject({
      EventBusName: { Ref: busId },
      EventPattern: { source: ['session-archive'], 'detail-type': ['Session Archived'] },
      State: 'ENABLED',
    });
  });

  it('targets the compliance function, retrying delivery for a day, then the dead-letter queue', () => {
    const targets = resourcesOfType(template, 'AWS::Events::Rule')[ruleId]?.Properties?.Targets as Record<string, unknown>[];
    expect(targets).toEqual([
      expect.objectContaining({
        Arn: { 'Fn::GetAtt': [complianceId, 'Arn'] },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [dlqId, 'Arn'] } },
        RetryPolicy: { MaximumEventAgeInSeconds: 86_400, MaximumRetryAttempts: 185 },
      }),
    ]);
  });

  it('lets only that rule invoke the function', () => {
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: { 'Fn::GetAtt': [complianceId, 'Arn'] },
      Principal: 'events.amazonaws.com',
      SourceArn: { 'Fn::GetAtt': [ruleId, 'Arn'] },
    });
  });
});

describe('compliance function', () => {
  it('may put, read and update finding items only (LeadingKeys FINDING#*), and read session items by key (LeadingKeys SESSION#*), on the table alone', () => {
    const dynamo = statementsOf(complianceId).filter((statement) => [statement.Action].flat().some((action) => action.startsWith('dynamodb:')));
    expect(dynamo).toEqual([
      {
        Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
        Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['FINDING#*'] } },
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [tableId, 'Arn'] },
      },
      {
        Action: 'dynamodb:GetItem',
        Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['SESSION#*'] } },
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [tableId, 'Arn'] },
      },
    ]);
  });

  it('may put finding events on the bus, and do nothing else but logs, tracing and its dead-letter queue', () => {
    expect(statementWith(complianceId, 'events:PutEvents')?.Resource).toEqual({ 'Fn::GetAtt': [busId, 'Arn'] });
    const actions = new Set(statementsOf(complianceId).flatMap((statement) => [statement.Action].flat()));
    expect(actions).toEqual(
      new Set([
        'dynamodb:PutItem',
        'dynamodb:GetItem',
        'dynamodb:UpdateItem',
        'kms:Decrypt',
        'kms:DescribeKey',
        'kms:Encrypt',
        'kms:GenerateDataKey',
        'kms:GenerateDataKeyWithoutPlaintext',
        'kms:ReEncryptFrom',
        'kms:ReEncryptTo',
        'events:PutEvents',
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        'xray:PutTraceSegments',
        'xray:PutTelemetryRecords',
        'sqs:SendMessage',
        'sqs:GetQueueAttributes',
        'sqs:GetQueueUrl',
      ]),
    );
    expect(statementWith(complianceId, 'sqs:SendMessage')?.Resource).toEqual({ 'Fn::GetAtt': [dlqId, 'Arn'] });
  });

  it("gets cdk.json's rules, the bus and the table from its environment", () => {
    const variables = (resourcesOfType(template, FUNCTION)[complianceId]?.Properties?.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(variables).toMatchObject({
      COMPLIANCE_RULES: '{"maxDurationMinutes":720}',
      EVENT_BUS_NAME: { Ref: busId },
      TABLE_NAME: { Ref: tableId },
      POWERTOOLS_SERVICE_NAME: 'SessionArchive-compliance',
    });
  });

  it('retries a failed check twice, then sends the event to the dead-letter queue', () => {
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: complianceId },
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [dlqId, 'Arn'] } } },
    });
  });

  it('runs on nodejs24.x and ARM64 with its own log group', () => {
    const properties = resourcesOfType(template, FUNCTION)[complianceId]?.Properties;
    expect([properties?.Runtime, properties?.Architectures]).toEqual(['nodejs24.x', ['arm64']]);
    const logGroup = (properties?.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
    expect(resourcesOfType(template, 'AWS::Logs::LogGroup')[logGroup]).toBeDefined();
  });

  it('takes the rules given in context, as JSON text on the command line too', () => {
    const fn = logicalIdOf(custom, FUNCTION, 'SessionArchiveCompliance');
    const variables = (resourcesOfType(custom, FUNCTION)[fn]?.Properties?.Environment as { Variables: Record<string, string> }).Variables;
    expect(JSON.parse(variables.COMPLIANCE_RULES ?? '')).toEqual({ reasonRequired: true, offHours: { start: '20:00', end: '07:00', timeZone: 'Europe/Berlin', weekends: false } });
  });
});

describe('dead-letter queue', () => {
  it('is encrypted, refuses plain HTTP, and accepts messages from the compliance rule only', () => {
    template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 86_400 });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: dlqId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'events.amazonaws.com' },
            Action: 'sqs:SendMessage',
            Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [ruleId, 'Arn'] } } },
          }),
        ]),
      },
    });
    expect(template.findOutputs('ComplianceFailureQueueUrl').ComplianceFailureQueueUrl?.Value).toEqual({ Ref: dlqId });
  });

  it('is alarmed: one message in it is an archived session that was never checked', () => {
    const alarm = Object.values(resourcesOfType(template, 'AWS::CloudWatch::Alarm')).find((candidate) =>
      String(candidate.Properties?.AlarmName).endsWith('-compliance-failures'),
    )?.Properties;
    expect(alarm).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [dlqId, 'QueueName'] } }],
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
  });

  it('has an alarm for Session Archived events the sweeper keeps failing to deliver', () => {
    const alarm = Object.values(resourcesOfType(template, 'AWS::CloudWatch::Alarm')).find((candidate) =>
      String(candidate.Properties?.AlarmName).endsWith('-session-events-undelivered'),
    )?.Properties;
    expect(alarm).toMatchObject({ MetricName: 'SessionEventsUndelivered', Statistic: 'Minimum', Threshold: 0, EvaluationPeriods: 2, DatapointsToAlarm: 2 });
  });
});

describe('table access for events and findings', () => {
  it('lets the sweeper read its outbox and the query function read findings through the eventsAndFindings index', () => {
    for (const id of [sweeperId, queryId]) {
      const resources = JSON.stringify(statementsOf(id).filter((statement) => [statement.Action].flat().includes('dynamodb:Query')).map((statement) => statement.Resource));
      expect(resources).toContain('/index/eventsAndFindings');
    }
  });
});

describe('compliance context', () => {
  const fromContext = (overrides: Record<string, unknown>) => readAppConfig((key) => ({ ...cdkJsonContext(), ...overrides })[key]);

  it("passes cdk.json's rules to the construct", () => {
    expect(fromContext({}).stackProps.archive?.complianceRules).toEqual({ maxDurationMinutes: 720 });
    expect(fromContext({}).stackProps.archive?.eventBusName).toBe('session-archive');
  });

  it('refuses bad rules before anything is synthesized, naming each problem', () => {
    const attempt = () => fromContext({ compliance: { maxDurationMinutes: -5, offHours: { start: '20:00', end: '07:00', timeZone: 'Berlin' } }, eventBusName: 'my bus' });
    expect(attempt).toThrow(ContextError);
    expect(attempt).toThrow(/eventBusName must be an EventBridge bus name.*; invalid compliance rules: compliance\.maxDurationMinutes must be at least 1; compliance\.offHours\.timeZone is not a time zone/);
  });

  it('refuses compliance text that is not JSON', () => {
    expect(() => fromContext({ compliance: 'reasonRequired' })).toThrow(/compliance must be an object \(JSON text on the command line\)/);
  });

  it('refuses rules too large for the function environment, in the construct', () => {
    const stack = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'TooLarge');
    const targets = Array.from({ length: 200 }, (_, i) => `i-${String(i).padStart(17, '0')}`);
    expect(() => new SessionArchive(stack, 'Archive', { complianceRules: { justInTimeOnlyTargets: targets } })).toThrow(/complianceRules take \d+ characters as JSON; at most 3000/);
  });
});
