/**
 * A hub that sweeps an organisation (issue 13), in the template: the planner on the schedule, the
 * target queue with its dead-letter queue and the sweeper's bounded event source, who may assume
 * which member role, the member role's StackSet (and that it deploys exactly docs/member-role.yaml),
 * and the alarms. The single-account default is left as it was (template.test.ts).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { DETAIL_TYPE } from '../../lambdas/core/events/event-types';
import { memberRoleTemplate, memberRoleTemplateYaml } from '../../lib/member-role-template';
import { buildStack, logicalIdOf, PROJECT_ROOT, resourcesOfType } from './stack-fixture';

const FUNCTION = 'AWS::Lambda::Function';
const ISSUE_EXAMPLE = '{"organizationalUnitIds":["ou-abcd-11111111"],"regions":["us-east-1","eu-west-1"]}';
const FULL_ORGANIZATION = {
  organizationId: 'o-a1b2c3d4e5',
  rootId: 'r-ab12',
  organizationalUnitIds: ['ou-abcd-11111111', 'ou-abcd-22222222'],
  excludeAccounts: ['999999999999'],
  memberRoleName: 'AuditSessionReader',
  externalId: 'archive-hub-7',
  regions: ['eu-west-1'],
};
const EXPLICIT_TARGETS = [
  { accountId: '111111111111', regions: ['eu-west-1', 'us-east-1'] },
  { accountId: '222222222222', memberRoleName: 'OtherReader', externalId: 'ext-2' },
];

type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Condition?: Record<string, Record<string, unknown>> };

let example: Template;
let full: Template;
let explicit: Template;

beforeAll(() => {
  example = buildStack({ organization: ISSUE_EXAMPLE }).template;
  full = buildStack({ organization: FULL_ORGANIZATION, fanOutConcurrency: '25', memberRoleStackSet: { callAs: 'DELEGATED_ADMIN', retainStacksOnAccountRemoval: true } }).template;
  explicit = buildStack({ targets: EXPLICIT_TARGETS }).template;
});

function functionId(template: Template, prefix: string): string {
  return logicalIdOf(template, FUNCTION, prefix);
}

/** The statements of the default policy of the function's role. */
function statementsOf(template: Template, prefix: string): Statement[] {
  const roleId = (resourcesOfType(template, FUNCTION)[functionId(template, prefix)]?.Properties?.Role as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0];
  return Object.values(resourcesOfType(template, 'AWS::IAM::Policy'))
    .filter((policy) => JSON.stringify(policy.Properties?.Roles) === JSON.stringify([{ Ref: roleId }]))
    .flatMap((policy) => (policy.Properties?.PolicyDocument as { Statement: Statement[] }).Statement);
}

const actionsOf = (statements: Statement[]) => statements.flatMap((s) => [s.Action].flat());
const assumeRole = (template: Template) => statementsOf(template, 'SessionArchiveSweeper').filter((s) => actionsOf([s]).includes('sts:AssumeRole'));

function stackSet(template: Template): Record<string, unknown> {
  const sets = Object.values(resourcesOfType(template, 'AWS::CloudFormation::StackSet'));
  expect(sets).toHaveLength(1);
  return sets[0]?.Properties ?? {};
}

function alarmNamed(template: Template, suffix: string): Record<string, unknown> {
  const alarms = Object.values(resourcesOfType(template, 'AWS::CloudWatch::Alarm')).filter((alarm) => String(alarm.Properties?.AlarmName).endsWith(suffix));
  expect(alarms).toHaveLength(1);
  return alarms[0]?.Properties ?? {};
}

/** The member role's trust condition as CloudFormation resolves it for the given parameters. */
function trustConditionFor(hasExternalId: boolean, hasOrganizationId: boolean): unknown {
  const resolve = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(resolve);
    if (typeof value !== 'object' || value === null) return value;
    const ifArgs = (value as { 'Fn::If'?: [string, unknown, unknown] })['Fn::If'];
    if (ifArgs) return resolve((ifArgs[0] === 'HasExternalId' ? hasExternalId : hasOrganizationId) ? ifArgs[1] : ifArgs[2]);
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, resolve(item)]));
  };
  const role = (memberRoleTemplate().Resources as Record<string, { Properties: { AssumeRolePolicyDocument: { Statement: Statement[] } } }>).MemberRole;
  return resolve(role?.Properties.AssumeRolePolicyDocument.Statement[0]?.Condition);
}

describe('the schedule and the planner', () => {
  it('runs the planner, not the sweeper, once organization or targets is set', () => {
    for (const template of [example, explicit]) {
      const rules = Object.values(resourcesOfType(template, 'AWS::Events::Rule')).filter((rule) => rule.Properties?.ScheduleExpression === 'rate(15 minutes)');
      expect(rules).toHaveLength(1);
      expect((rules[0]?.Properties?.Targets as { Arn: unknown }[]).map((target) => target.Arn)).toEqual([{ 'Fn::GetAtt': [functionId(template, 'SessionArchiveFanOutPlanner'), 'Arn'] }]);
    }
  });

  it('gives the planner the checked configuration, the queue, the hub account and the stale threshold', () => {
    const variables = (resourcesOfType(example, FUNCTION)[functionId(example, 'SessionArchiveFanOutPlanner')]?.Properties?.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(JSON.parse(String(variables.TARGETS_CONFIG))).toEqual({
      organization: { organizationalUnitIds: ['ou-abcd-11111111'], excludeAccounts: [], memberRoleName: 'SessionArchiveMember', regions: ['us-east-1', 'eu-west-1'] },
    });
    expect(variables).toMatchObject({
      TARGET_QUEUE_URL: { Ref: logicalIdOf(example, 'AWS::SQS::Queue', 'SessionArchiveFanOutTargets') },
      HUB_ACCOUNT_ID: { Ref: 'AWS::AccountId' },
      STALE_AFTER_HOURS: '6',
      POWERTOOLS_SERVICE_NAME: 'SessionArchive-planner',
    });
    expect(String(variables.TARGETS_CONFIG)).not.toContain('organizationId');
  });

  it('lets the planner list OUs and accounts, query the sweep states and send to the target queue: nothing else, no wildcard action', () => {
    const statements = statementsOf(example, 'SessionArchiveFanOutPlanner');
    expect(new Set(actionsOf(statements))).toEqual(
      new Set([
        'organizations:ListAccountsForParent',
        'organizations:ListChildren',
        'dynamodb:Query',
        'kms:Decrypt',
        'kms:DescribeKey',
        'sqs:SendMessage',
        // the failure queue (asynchronous invocations), its log group, tracing
        'sqs:GetQueueAttributes',
        'sqs:GetQueueUrl',
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        'xray:PutTraceSegments',
        'xray:PutTelemetryRecords',
      ]),
    );
    expect(actionsOf(statements).filter((action) => action.includes('*'))).toEqual([]);
    const query = statements.find((s) => s.Action === 'dynamodb:Query');
    expect(query?.Condition).toEqual({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['SOURCES'] } });
    const send = statements.filter((s) => actionsOf([s]).includes('sqs:SendMessage')).map((s) => s.Resource);
    expect(send).toContainEqual({ 'Fn::GetAtt': [logicalIdOf(example, 'AWS::SQS::Queue', 'SessionArchiveFanOutTargets'), 'Arn'] });
  });

  it('gives the planner no Organizations action in explicit mode', () => {
    expect(actionsOf(statementsOf(explicit, 'SessionArchiveFanOutPlanner')).filter((action) => action.startsWith('organizations:'))).toEqual([]);
  });

  it("lets the planner decrypt with the table's key through DynamoDB, never encrypt", () => {
    const key = Object.values(resourcesOfType(example, 'AWS::KMS::Key'))[0];
    const statement = (key?.Properties?.KeyPolicy as { Statement: (Statement & { Sid: string })[] }).Statement.find((s) => s.Sid === 'PlannerReadsOnly');
    expect(statement?.Action).toEqual(['kms:Decrypt', 'kms:DescribeKey']);
    expect(Object.keys(statement?.Condition?.StringEquals ?? {})).toEqual(['kms:ViaService']);
  });
});

describe('the target queue', () => {
  it('is encrypted, TLS-only, dead-letters after 3 receives, and hides a message for 6 sweeper timeouts', () => {
    const queueId = logicalIdOf(example, 'AWS::SQS::Queue', 'SessionArchiveFanOutTargets');
    const deadId = logicalIdOf(example, 'AWS::SQS::Queue', 'SessionArchiveFanOutDeadLetters');
    const queue = resourcesOfType(example, 'AWS::SQS::Queue')[queueId]?.Properties;
    expect(queue).toMatchObject({ SqsManagedSseEnabled: true, VisibilityTimeout: 6 * 300, RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [deadId, 'Arn'] }, maxReceiveCount: 3 } });
    for (const id of [queueId, deadId]) {
      example.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: id }],
        PolicyDocument: { Statement: [{ Effect: 'Deny', Action: 'sqs:*', Principal: { AWS: '*' }, Condition: { Bool: { 'aws:SecureTransport': 'false' } }, Resource: { 'Fn::GetAtt': [id, 'Arn'] } }], Version: '2012-10-17' },
      });
    }
  });

  it('follows the sweeper timeout: visibility 6 × 10 minutes', () => {
    const template = buildStack({ organization: ISSUE_EXAMPLE, sweeperTimeoutMinutes: 10 }).template;
    template.hasResourceProperties('AWS::SQS::Queue', { VisibilityTimeout: 3600, RedrivePolicy: { maxReceiveCount: 3 } });
  });

  it('feeds the sweeper one target per invocation, reporting failures per message, at most fanOutConcurrency at once', () => {
    const mapping = (template: Template) => Object.values(resourcesOfType(template, 'AWS::Lambda::EventSourceMapping'));
    expect(mapping(example)).toHaveLength(1);
    expect(mapping(example)[0]?.Properties).toMatchObject({
      FunctionName: { Ref: functionId(example, 'SessionArchiveSweeper') },
      EventSourceArn: { 'Fn::GetAtt': [logicalIdOf(example, 'AWS::SQS::Queue', 'SessionArchiveFanOutTargets'), 'Arn'] },
      BatchSize: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 10 },
    });
    expect(mapping(full)[0]?.Properties?.ScalingConfig).toEqual({ MaximumConcurrency: 25 });
  });

  it('alarms on any message in the dead-letter queue, to the alarm topic', () => {
    const alarm = alarmNamed(example, '-target-dead-letters');
    expect(alarm).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalIdOf(example, 'AWS::SQS::Queue', 'SessionArchiveFanOutDeadLetters'), 'QueueName'] } }],
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [{ Ref: logicalIdOf(example, 'AWS::SNS::Topic', 'SessionArchiveAlarmsTopic') }],
    });
  });
});

describe('which member roles the sweeper may assume', () => {
  it('organisation mode: the member role name in any account, only of the organisation given', () => {
    expect(assumeRole(full)).toEqual([
      {
        Effect: 'Allow',
        Action: 'sts:AssumeRole',
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::*:role/AuditSessionReader']] },
        Condition: { StringEquals: { 'aws:ResourceOrgID': 'o-a1b2c3d4e5' } },
      },
    ]);
  });

  it("organisation mode without organizationId: only roles of the sweeper's own organisation", () => {
    expect(assumeRole(example)).toEqual([
      {
        Effect: 'Allow',
        Action: 'sts:AssumeRole',
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::*:role/SessionArchiveMember']] },
        Condition: { StringEquals: { 'aws:ResourceOrgID': '${aws:PrincipalOrgID}' } },
      },
    ]);
  });

  it('explicit mode: exactly the listed role ARNs', () => {
    const [statement, ...rest] = assumeRole(explicit);
    expect(rest).toEqual([]);
    expect(statement?.Condition).toBeUndefined();
    expect(statement?.Resource).toEqual([
      { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::111111111111:role/SessionArchiveMember']] },
      { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::222222222222:role/OtherReader']] },
    ]);
  });

  it('the hub alone: no sts:AssumeRole, no queue, no planner, no StackSet', () => {
    const hub = buildStack().template;
    expect(assumeRole(hub)).toEqual([]);
    expect(Object.keys(resourcesOfType(hub, 'AWS::Lambda::EventSourceMapping'))).toEqual([]);
    expect(Object.keys(resourcesOfType(hub, 'AWS::CloudFormation::StackSet'))).toEqual([]);
    expect(Object.keys(resourcesOfType(hub, FUNCTION)).filter((id) => id.includes('Planner'))).toEqual([]);
  });

  it('lets the sweeper publish Target Sweep Failed (IAM and the bus policy)', () => {
    const publish = statementsOf(example, 'SessionArchiveSweeper').find((s) => s.Action === 'events:PutEvents');
    expect(publish?.Condition?.StringEquals?.['events:detail-type']).toContain(DETAIL_TYPE.targetSweepFailed);
    const policies = Object.values(resourcesOfType(example, 'AWS::Events::EventBusPolicy')).filter((p) => p.Properties?.StatementId === 'OnlySweeperDetailTypes');
    expect(JSON.stringify(policies[0]?.Properties?.Statement)).toContain(DETAIL_TYPE.targetSweepFailed);
  });
});

describe('the member role StackSet', () => {
  it('is service-managed, auto-deploys, and targets the configured OUs (and root) in the hub region only', () => {
    expect(stackSet(example)).toMatchObject({
      PermissionModel: 'SERVICE_MANAGED',
      CallAs: 'SELF',
      AutoDeployment: { Enabled: true, RetainStacksOnAccountRemoval: false },
      Capabilities: ['CAPABILITY_NAMED_IAM'],
      StackInstancesGroup: [{ DeploymentTargets: { OrganizationalUnitIds: ['ou-abcd-11111111'] }, Regions: [{ Ref: 'AWS::Region' }] }],
    });
    expect(stackSet(full)).toMatchObject({
      CallAs: 'DELEGATED_ADMIN',
      AutoDeployment: { Enabled: true, RetainStacksOnAccountRemoval: true },
      StackInstancesGroup: [
        {
          DeploymentTargets: { OrganizationalUnitIds: ['r-ab12', 'ou-abcd-11111111', 'ou-abcd-22222222'], Accounts: ['999999999999'], AccountFilterType: 'DIFFERENCE' },
          Regions: [{ Ref: 'AWS::Region' }],
        },
      ],
    });
  });

  it("passes the sweeper's role, the external id, the organisation id and the role name", () => {
    const sweeperRole = (resourcesOfType(full, FUNCTION)[functionId(full, 'SessionArchiveSweeper')]?.Properties?.Role as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0];
    expect(stackSet(full).Parameters).toEqual([
      { ParameterKey: 'HubSweeperRoleArn', ParameterValue: { 'Fn::GetAtt': [sweeperRole, 'Arn'] } },
      { ParameterKey: 'ExternalId', ParameterValue: 'archive-hub-7' },
      { ParameterKey: 'OrganizationId', ParameterValue: 'o-a1b2c3d4e5' },
      { ParameterKey: 'RoleName', ParameterValue: 'AuditSessionReader' },
    ]);
    // Unset, the template's empty defaults apply: no external id, no organisation condition.
    expect((stackSet(example).Parameters as { ParameterKey: string }[]).map((p) => p.ParameterKey)).toEqual(['HubSweeperRoleArn', 'RoleName']);
  });

  it('deploys exactly docs/member-role.yaml', () => {
    const documented = fs.readFileSync(path.join(PROJECT_ROOT, 'docs', 'member-role.yaml'), 'utf8');
    expect(documented, 'docs/member-role.yaml is stale: npx tsx lib/write-member-role.ts').toBe(memberRoleTemplateYaml());
    expect(stackSet(example).TemplateBody).toBe(documented);
  });

  it('is absent in explicit mode and when turned off', () => {
    expect(Object.keys(resourcesOfType(explicit, 'AWS::CloudFormation::StackSet'))).toEqual([]);
    const off = buildStack({ organization: ISSUE_EXAMPLE, memberRoleStackSet: '{"enabled":false}' }).template;
    expect(Object.keys(resourcesOfType(off, 'AWS::CloudFormation::StackSet'))).toEqual([]);
  });
});

describe('the member role (docs/member-role.yaml)', () => {
  const role = (memberRoleTemplate().Resources as Record<string, { Type: string; Properties: Record<string, unknown> }>).MemberRole;

  it('allows ssm:DescribeSessions and nothing else', () => {
    expect(role?.Type).toBe('AWS::IAM::Role');
    const policies = role?.Properties.Policies as { PolicyDocument: { Statement: Statement[] } }[];
    expect(policies.flatMap((policy) => policy.PolicyDocument.Statement)).toEqual([{ Effect: 'Allow', Action: 'ssm:DescribeSessions', Resource: '*' }]);
    expect(role?.Properties.ManagedPolicyArns).toBeUndefined();
  });

  it("trusts only the hub's sweeper role, for sts:AssumeRole", () => {
    const statements = (role?.Properties.AssumeRolePolicyDocument as { Statement: (Statement & { Principal: unknown })[] }).Statement;
    expect(statements.map(({ Effect, Principal, Action }) => ({ Effect, Principal, Action }))).toEqual([
      { Effect: 'Allow', Principal: { AWS: { Ref: 'HubSweeperRoleArn' } }, Action: 'sts:AssumeRole' },
    ]);
  });

  it('requires the external id and the organisation when they are given, each on its own', () => {
    expect(trustConditionFor(true, true)).toEqual({ StringEquals: { 'sts:ExternalId': { Ref: 'ExternalId' }, 'aws:PrincipalOrgID': { Ref: 'OrganizationId' } } });
    expect(trustConditionFor(true, false)).toEqual({ StringEquals: { 'sts:ExternalId': { Ref: 'ExternalId' } } });
    expect(trustConditionFor(false, true)).toEqual({ StringEquals: { 'aws:PrincipalOrgID': { Ref: 'OrganizationId' } } });
    expect(trustConditionFor(false, false)).toEqual({ Ref: 'AWS::NoValue' });
  });

  it('takes the parameters the docs name', () => {
    expect(Object.keys(memberRoleTemplate().Parameters as object)).toEqual(['HubSweeperRoleArn', 'ExternalId', 'OrganizationId', 'RoleName']);
  });
});

describe('alarms of the fan-out', () => {
  it('one stale-targets alarm on the planner metric, above 0 for 2 periods, to the alarm topic', () => {
    expect(alarmNamed(example, '-stale-targets')).toMatchObject({
      Namespace: 'SessionArchive',
      MetricName: 'StaleTargets',
      Dimensions: [{ Name: 'service', Value: 'SessionArchive-planner' }],
      Statistic: 'Maximum',
      Period: 3600,
      Threshold: 0,
      EvaluationPeriods: 2,
      DatapointsToAlarm: 2,
      ComparisonOperator: 'GreaterThanThreshold',
      AlarmActions: [{ Ref: logicalIdOf(example, 'AWS::SNS::Topic', 'SessionArchiveAlarmsTopic') }],
    });
  });

  it('no alarm per target: the same alarms whatever the number of targets', () => {
    const names = (template: Template) => Object.values(resourcesOfType(template, 'AWS::CloudWatch::Alarm')).map((alarm) => alarm.Properties?.AlarmName).sort();
    expect(names(explicit)).toEqual(names(example));
    expect(JSON.stringify(resourcesOfType(example, 'AWS::CloudWatch::Alarm'))).not.toMatch(/\d{12}/);
  });

  it('alarms on source clock skew above 150 s, half the visibility margin', () => {
    expect(alarmNamed(example, '-source-clock-skew')).toMatchObject({
      MetricName: 'SourceClockSkewSeconds',
      Dimensions: [{ Name: 'service', Value: 'SessionArchive-sweeper' }],
      Threshold: 150,
      ComparisonOperator: 'GreaterThanThreshold',
    });
  });
});

describe('context validation', () => {
  const problem = (context: Record<string, unknown>) => {
    try {
      buildStack(context);
      return '';
    } catch (error: unknown) {
      return String(error);
    }
  };

  it('names the key of every bad value at once', () => {
    const message = problem({
      organization: { organizationalUnitIds: ['ou-x'], organizationId: 'org-1', regions: [] },
      fanOutConcurrency: 1,
      memberRoleStackSet: { callAs: 'ADMIN' },
    });
    expect(message).toContain('organization.organizationalUnitIds[0] must be an OU id');
    expect(message).toContain('organization.organizationId must be an organisation id like o-a1b2c3d4e5');
    expect(message).toContain('organization.regions must list at least one region');
    expect(message).toContain('fanOutConcurrency must be a whole number from 2 to 1000 (target sweeps at once), got 1');
    expect(message).toContain('memberRoleStackSet.callAs must be "SELF" (the hub is the management account) or "DELEGATED_ADMIN"');
  });

  it('refuses organization and targets together, and names organizationId among the allowed keys', () => {
    expect(problem({ organization: ISSUE_EXAMPLE, targets: EXPLICIT_TARGETS })).toContain('set either organization');
    expect(problem({ organization: { rootId: 'r-ab12', orgId: 'o-a1b2c3d4e5' } })).toMatch(/organization has an unknown key "orgId"; allowed keys: .*regions, organizationId/);
  });

  it('refuses a targets list too long for the planner environment, naming organisation mode', () => {
    const many = Array.from({ length: 60 }, (_, i) => ({ accountId: String(100000000000 + i), regions: ['eu-west-1', 'us-east-1'] }));
    expect(problem({ targets: many })).toMatch(/at most 3000 fit the planner's environment.*organisation mode/);
  });

  it('refuses reserved sweeper concurrency below the fan-out concurrency', () => {
    expect(problem({ organization: ISSUE_EXAMPLE, sweeperReservedConcurrency: 5 })).toContain('sweeperReservedConcurrency (5) must be at least fanOutConcurrency (10)');
  });
});
