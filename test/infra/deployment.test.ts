/**
 * What a synth does not show but a real account does (issue 11): alarms must reach their topic,
 * reserved concurrency must not fail small accounts, a failed create must leave nothing behind,
 * the table must never be replaced, and names must not collide with other stacks.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as kms from 'aws-cdk-lib/aws-kms';
import { beforeAll, describe, expect, it } from 'vitest';
import { SessionArchive, type SessionArchiveProps } from '../../lib/session-archive';
import { buildStack, logicalIdOf, PROJECT_ROOT, resourcesOfType } from './stack-fixture';

const ALARM = 'AWS::CloudWatch::Alarm';
const FUNCTION = 'AWS::Lambda::Function';

interface Statement {
  Effect: string;
  Principal?: unknown;
  Action: string | string[];
  Resource?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

const list = (value: unknown): unknown[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);
const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

function servicePrincipals(statement: Statement): unknown[] {
  return list((statement.Principal as { Service?: unknown } | undefined)?.Service);
}

/** The logical id a `{Ref}` or `{Fn::GetAtt: [id, 'Arn']}` points at. */
function referencedId(value: unknown): string | undefined {
  const ref = value as { Ref?: string; 'Fn::GetAtt'?: [string, string] };
  return ref.Ref ?? ref['Fn::GetAtt']?.[0];
}

/**
 * Follows every alarm action of the template to its topic, the topic's policy and (when encrypted)
 * the topic's key, and returns what is missing for CloudWatch to publish there. Fails the test if
 * the template has no alarm at all: a walk over nothing proves nothing.
 */
function unreachableAlarmActions(template: Template): string[] {
  const alarms = resourcesOfType(template, ALARM);
  expect(Object.keys(alarms).length).toBeGreaterThan(0);
  const topics = resourcesOfType(template, 'AWS::SNS::Topic');
  const topicPolicies = Object.values(resourcesOfType(template, 'AWS::SNS::TopicPolicy'));
  const keys = resourcesOfType(template, 'AWS::KMS::Key');
  const problems: string[] = [];
  for (const [alarmId, alarm] of Object.entries(alarms)) {
    const actions = [...list(alarm.Properties?.AlarmActions), ...list(alarm.Properties?.OKActions)];
    if (actions.length === 0) problems.push(`${alarmId}: no action`);
    for (const action of actions) {
      const topicId = referencedId(action);
      const topic = topicId === undefined ? undefined : topics[topicId];
      if (!topic) {
        problems.push(`${alarmId}: action ${JSON.stringify(action)} is not a topic of this stack`);
        continue;
      }
      const statements = topicPolicies
        .filter((policy) => list(policy.Properties?.Topics).some((ref) => referencedId(ref) === topicId))
        .flatMap((policy) => (policy.Properties?.PolicyDocument as { Statement: Statement[] }).Statement);
      const allowed = statements.some(
        (s) =>
          s.Effect === 'Allow' &&
          servicePrincipals(s).includes('cloudwatch.amazonaws.com') &&
          list(s.Action).includes('sns:Publish') &&
          list(s.Resource).some((r) => referencedId(r) === topicId) &&
          list(s.Condition?.ArnEquals?.['aws:SourceArn']).some((arn) => same(arn, { 'Fn::GetAtt': [alarmId, 'Arn'] })),
      );
      if (!allowed) problems.push(`${alarmId}: the policy of ${topicId} does not let CloudWatch publish for this alarm`);
      // The only Deny allowed is the one for non-TLS requests; CloudWatch publishes over TLS.
      for (const deny of statements.filter((s) => s.Effect === 'Deny')) {
        if (!same(deny.Condition, { Bool: { 'aws:SecureTransport': 'false' } })) problems.push(`${alarmId}: ${topicId} has a Deny that may apply: ${JSON.stringify(deny)}`);
      }
      const keyRef = topic.Properties?.KmsMasterKeyId;
      if (keyRef === undefined) continue;
      const key = keys[referencedId(keyRef) ?? ''];
      const keyStatements = ((key?.Properties?.KeyPolicy as { Statement: Statement[] } | undefined)?.Statement ?? []).filter(
        (s) => s.Effect === 'Allow' && servicePrincipals(s).includes('cloudwatch.amazonaws.com'),
      );
      for (const needed of ['kms:GenerateDataKey', 'kms:Decrypt']) {
        if (!keyStatements.some((s) => list(s.Action).includes(needed))) problems.push(`${alarmId}: the key of ${topicId} does not allow CloudWatch ${needed}`);
      }
    }
  }
  return problems;
}

describe('alarms reach people', () => {
  it('every alarm action leads to a topic whose policy lets CloudWatch publish for that alarm', () => {
    expect(unreachableAlarmActions(buildStack().template)).toEqual([]);
  });

  it('the same holds when the alarm topic is encrypted with its own key', () => {
    const { template } = buildStack({ alarmTopicEncryption: true });
    expect(Object.values(resourcesOfType(template, 'AWS::SNS::Topic'))[0]?.Properties?.KmsMasterKeyId).toBeDefined();
    expect(unreachableAlarmActions(template)).toEqual([]);
  });

  it('limits publishing to alarms of this account', () => {
    const { template } = buildStack();
    const statement = (Object.values(resourcesOfType(template, 'AWS::SNS::TopicPolicy'))[0]?.Properties?.PolicyDocument as { Statement: Statement[] }).Statement.find(
      (s) => s.Effect === 'Allow',
    );
    expect(statement?.Condition?.StringEquals).toEqual({ 'aws:SourceAccount': { Ref: 'AWS::AccountId' } });
    expect(list(statement?.Condition?.ArnEquals?.['aws:SourceArn'])).toHaveLength(Object.keys(resourcesOfType(template, ALARM)).length);
  });

  it('the walk finds a topic policy without the CloudWatch statement (the bug it guards against)', () => {
    const { template } = buildStack();
    const broken = template.toJSON() as { Resources: Record<string, { Type: string; Properties: { PolicyDocument: { Statement: Statement[] } } }> };
    for (const resource of Object.values(broken.Resources)) {
      if (resource.Type === 'AWS::SNS::TopicPolicy') resource.Properties.PolicyDocument.Statement = resource.Properties.PolicyDocument.Statement.filter((s) => s.Effect === 'Deny');
    }
    expect(unreachableAlarmActions(Template.fromJSON(broken)).length).toBe(Object.keys(resourcesOfType(template, ALARM)).length * 2);
  });
});

describe('reserved concurrency', () => {
  it('reserves none by default, so the first deploy works in accounts with a small quota', () => {
    const functions = Object.values(resourcesOfType(buildStack().template, FUNCTION));
    expect(functions.length).toBeGreaterThan(0);
    expect(functions.filter((fn) => fn.Properties?.ReservedConcurrentExecutions !== undefined)).toEqual([]);
  });

  it('reserves what the context asks for, per function', () => {
    const { template } = buildStack({ sweeperReservedConcurrency: 1, queryReservedConcurrency: 20 });
    const functions = resourcesOfType(template, FUNCTION);
    expect(functions[logicalIdOf(template, FUNCTION, 'SessionArchiveSweeper')]?.Properties?.ReservedConcurrentExecutions).toBe(1);
    expect(functions[logicalIdOf(template, FUNCTION, 'SessionArchiveQuery')]?.Properties?.ReservedConcurrentExecutions).toBe(20);
    expect(functions[logicalIdOf(template, FUNCTION, 'SessionArchiveCompliance')]?.Properties?.ReservedConcurrentExecutions).toBeUndefined();
  });
});

describe('removal policies', () => {
  let template: Template;
  beforeAll(() => {
    template = buildStack({ apiGatewayCloudWatchRole: true }).template;
  });

  it('retains nothing a failed first create made: every retained resource is RetainExceptOnCreate', () => {
    const resources = Object.entries(template.toJSON().Resources as Record<string, { Type: string; DeletionPolicy?: string }>);
    expect(resources.filter(([, resource]) => resource.DeletionPolicy === 'Retain').map(([id]) => id)).toEqual([]);
    const retained = resources.filter(([, resource]) => resource.DeletionPolicy === 'RetainExceptOnCreate').map(([, resource]) => resource.Type);
    expect(retained.sort()).toEqual(
      [
        'AWS::ApiGateway::Account',
        'AWS::DynamoDB::Table',
        'AWS::IAM::ManagedPolicy',
        'AWS::IAM::Role',
        'AWS::KMS::Key',
        'AWS::Logs::LogGroup',
        'AWS::Logs::LogGroup',
        'AWS::Logs::LogGroup',
        'AWS::Logs::LogGroup',
        'AWS::Logs::LogGroup',
        'AWS::Logs::LogGroup',
        // Evidence: the Object Lock bucket, its access-log bucket, its data key and the signing key.
        'AWS::S3::Bucket',
        'AWS::S3::Bucket',
        'AWS::KMS::Key',
        'AWS::KMS::Key',
      ].sort(),
    );
  });

  it('retains the auditor policy, which IAM cannot delete while auditors have it attached', () => {
    template.hasResource('AWS::IAM::ManagedPolicy', { DeletionPolicy: 'RetainExceptOnCreate' });
  });

  it('deletes everything with removalPolicy destroy (test stacks), the auditor policy included', () => {
    const destroyed = buildStack({ removalPolicy: 'destroy', deletionProtection: false }).template;
    destroyed.hasResource('AWS::IAM::ManagedPolicy', { DeletionPolicy: 'Delete' });
    destroyed.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Delete' });
  });
});

/** Evaluates a CloudFormation stack policy the way CloudFormation does: an explicit Deny wins, no Allow denies. */
function stackPolicyAllows(policy: { Statement: Statement[] }, action: string, logicalId: string, resourceType: string): boolean {
  const matches = (pattern: string, value: string) => new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`).test(value);
  const applies = (s: Statement) =>
    list(s.Action).some((a) => matches(String(a), action)) &&
    list(s.Resource).some((r) => matches(String(r), `LogicalResourceId/${logicalId}`)) &&
    Object.entries(s.Condition ?? {}).every(([operator, entries]) =>
      Object.entries(entries).every(([key, values]) => key === 'ResourceType' && list(values).some((v) => (operator === 'StringLike' ? matches(String(v), resourceType) : v === resourceType))),
    );
  const relevant = policy.Statement.filter(applies);
  return relevant.some((s) => s.Effect === 'Allow') && !relevant.some((s) => s.Effect === 'Deny');
}

describe('the table is never replaced by an update', () => {
  const policy = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'lib', 'stack-policy.json'), 'utf8')) as { Statement: Statement[] };
  let template: Template;
  beforeAll(() => {
    template = buildStack().template;
  });

  it('lib/stack-policy.json denies replacing or deleting the archive table', () => {
    const tableId = logicalIdOf(template, 'AWS::DynamoDB::Table', 'SessionArchiveTable');
    expect(stackPolicyAllows(policy, 'Update:Replace', tableId, 'AWS::DynamoDB::Table')).toBe(false);
    expect(stackPolicyAllows(policy, 'Update:Delete', tableId, 'AWS::DynamoDB::Table')).toBe(false);
  });

  it('and still lets every other update through (in-place table changes, functions, the API)', () => {
    const tableId = logicalIdOf(template, 'AWS::DynamoDB::Table', 'SessionArchiveTable');
    expect(stackPolicyAllows(policy, 'Update:Modify', tableId, 'AWS::DynamoDB::Table')).toBe(true);
    for (const [id, resource] of Object.entries(template.toJSON().Resources as Record<string, { Type: string }>)) {
      if (resource.Type === 'AWS::DynamoDB::Table') continue;
      expect(stackPolicyAllows(policy, 'Update:Replace', id, resource.Type), id).toBe(true);
    }
  });
});

describe('names that cannot collide with other stacks in the account', () => {
  it('names the REST API after the stack, and the 5xx alarm watches that name', () => {
    for (const stackName of ['SessionArchive', 'Archive-Prod']) {
      const { template } = buildStack({ stackName });
      template.hasResourceProperties('AWS::ApiGateway::RestApi', { Name: `${stackName}-query-api` });
      const api5xx = Object.values(resourcesOfType(template, ALARM)).find((alarm) => alarm.Properties?.MetricName === '5XXError');
      expect(api5xx?.Properties?.Dimensions).toEqual([{ Name: 'ApiName', Value: `${stackName}-query-api` }]);
    }
  });

  it('gives every alarm dimension a value of its own stack: a resource reference or a name carrying the stack name', () => {
    const { template } = buildStack({ stackName: 'Archive-Prod' });
    for (const alarm of Object.values(resourcesOfType(template, ALARM))) {
      for (const dimension of list(alarm.Properties?.Dimensions) as { Name: string; Value: unknown }[]) {
        const value = dimension.Value;
        expect(typeof value === 'string' ? value.startsWith('Archive-Prod-') : referencedId(value) !== undefined, JSON.stringify(dimension)).toBe(true);
      }
    }
  });
});

describe('the construct used on its own (not through cdk.json) checks the same things', () => {
  const build = (props: SessionArchiveProps) => () => new SessionArchive(new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Alone'), 'Archive', props);

  it('refuses a schedule that leaves too long between sweeps, or EventBridge would reject', () => {
    expect(build({ schedule: events.Schedule.rate(Duration.days(10)), noSweepAlarmHours: 168 })).toThrow(/schedule must sweep at least every 7 days/);
    expect(build({ schedule: events.Schedule.expression('rate(1 minutes)') })).toThrow(/rate of 1 takes the singular unit/);
    expect(build({ schedule: events.Schedule.rate(Duration.hours(12)) })).toThrow(/noSweepAlarmHours disagree/);
  });

  it('refuses reserved concurrency below 1', () => {
    expect(build({ sweeperReservedConcurrency: 0 })).toThrow(/sweeperReservedConcurrency must be a whole number of at least 1/);
    expect(build({ queryReservedConcurrency: 1.5 })).toThrow(/queryReservedConcurrency must be a whole number of at least 1/);
  });

  it('refuses bad targets, a fan-out concurrency outside 2-1000, and an organisation id outside organisation mode', () => {
    const organization = { mode: 'organization' as const, parentIds: ['ou-abcd-11111111'], excludeAccounts: [], memberRoleName: 'SessionArchiveMember' };
    expect(build({ targets: { ...organization, parentIds: ['ou-x'] } })).toThrow(/organization.organizationalUnitIds\[0\] must be an OU id/);
    expect(build({ targets: organization, fanOutConcurrency: 1001 })).toThrow(/fanOutConcurrency must be a whole number from 2 to 1000, got 1001/);
    expect(build({ organizationId: 'o-a1b2c3d4e5' })).toThrow(/organizationId applies to organisation mode/);
    expect(build({ targets: organization, organizationId: 'o-1' })).toThrow(/organizationId must be an organisation id like o-a1b2c3d4e5/);
  });

  it('refuses a token lifetime outside 60 s to 7 days, and contradictory table encryption', () => {
    expect(build({ tokenTtl: Duration.days(8) })).toThrow(/tokenTtl must be 60 seconds to 7 days/);
    expect(() => {
      const stack = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Alone');
      const imported = kms.Key.fromKeyArn(stack, 'Key', 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab');
      return new SessionArchive(stack, 'Archive', { encryptionKey: imported, tableEncryption: 'aws-managed' });
    }).toThrow(/encryptionKey and tableEncryption "aws-managed" contradict each other/);
  });
});
